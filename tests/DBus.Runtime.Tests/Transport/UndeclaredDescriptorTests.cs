using System.IO.Pipes;
using DBus.Transport;
using DBusGen.Tests.Shared;

namespace DBus.Runtime.Tests.Transport;

/// <summary>
/// A peer that sends more descriptors than its messages declare (UNIX_FDS), or more than a message may carry, breaks
/// the protocol: the descriptors are closed at once and the connection is dropped, on real sockets.
/// </summary>
[NonParallelizable]
public class UndeclaredDescriptorTests
{
    private const string Guid = "00112233445566778899aabbccddeeff";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    [Test]
    public async Task A_server_drops_a_client_that_floods_it_with_undeclared_descriptors_and_closes_them_all()
    {
        var added = new TaskCompletionSource<DBusConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = DBusServer.Listen("unix:tmpdir=/tmp", new DBusServerOptions { ConnectionAdded = (_, c) => added.TrySetResult(c) });
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.ConnectionDisposed += _ => disposed.TrySetResult();
        string path = SocketPath(server.Address);

        // A well-behaved round first (a Ping answered), so lazily opened runtime descriptors are in the baseline.
        var good = await FloodAsync(path, fds: 0, declared: 0, messages: 1);
        Assert.That(good.Output, Does.Contain("REPLIED"), good.ToString());
        await disposed.Task.WaitAsync(s_timeout);
        disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        added = new TaskCompletionSource<DBusConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        var baseline = DescriptorCount.List();

        // 250 descriptors (pipe ends) with each of 30 messages whose header declares none.
        var flood = await FloodAsync(path, fds: 250, declared: 0, messages: 30);
        Assert.That(flood.Output, Does.Contain("DROPPED"), flood.ToString());
        var client = await added.Task.WaitAsync(s_timeout);
        await disposed.Task.WaitAsync(s_timeout);
        Assert.Multiple(() =>
        {
            Assert.That(client.DisconnectReason, Is.InstanceOf<DBusDisconnectedException>());
            Assert.That(client.DisconnectReason!.Message, Does.Contain("250 descriptors at once").And.Contain("MaxMessageUnixFds"));
            Assert.That(client.DisconnectReason.InnerException, Is.InstanceOf<DBusProtocolException>());
            var after = DescriptorCount.List();
            Assert.That(after, Has.Count.LessThanOrEqualTo(baseline.Count),
                "server descriptors after the flooding client left; new: " + string.Join(", ", after.Except(baseline)));
        });
    }

    [Test]
    public async Task A_server_drops_a_client_whose_descriptors_are_fewer_than_the_limit_but_undeclared()
    {
        var added = new TaskCompletionSource<DBusConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = DBusServer.Listen("unix:tmpdir=/tmp", new DBusServerOptions { ConnectionAdded = (_, c) => added.TrySetResult(c) });
        var result = await FloodAsync(SocketPath(server.Address), fds: 3, declared: 1, messages: 1);
        Assert.That(result.Output, Does.Contain("DROPPED"), result.ToString());
        var client = await added.Task.WaitAsync(s_timeout);
        Assert.That(client.DisconnectReason?.Message, Does.Contain("2 descriptor(s) more than its messages declare"));
    }

    [Test]
    public async Task Undeclared_descriptors_are_closed_at_once_and_the_stream_reports_why()
    {
        var (sender, receiving) = SocketPair();
        using var _ = sender;
        await using var stream = new MessageStream(receiving, Guid, true, default, null);
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        var extras = Enumerable.Range(0, 3).Select(_ => UnixFd.Duplicate(pipe.ClientSafePipeHandle)).ToArray();
        using (var ping = Ping(1))
        {
            await sender.SendAsync(ping.Bytes, extras.Select(f => f.DangerousGetDescriptor()).ToArray(), CancellationToken.None);
        }
        foreach (var fd in extras)
        {
            fd.Dispose();
        }
        pipe.DisposeLocalCopyOfClientHandle();

        var failure = Assert.ThrowsAsync<DBusDisconnectedException>(async () => await stream.ReceiveAsync().AsTask().WaitAsync(s_timeout));
        Assert.That(failure!.Message, Does.Contain("3 descriptor(s) more than its messages declare"));
        Assert.That(stream.CloseReason?.InnerException, Is.InstanceOf<DBusProtocolException>());
        // Every write end is closed only if the stream closed the three it received: the read end then sees the end.
        var read = Task.Run(() => pipe.Read(new byte[1], 0, 1));
        Assert.That(await read.WaitAsync(s_timeout), Is.Zero, "the received copies of the write end were closed");
    }

    [Test]
    public async Task A_message_declaring_more_than_the_limit_is_refused_and_the_limit_is_an_option()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        foreach (int limit in new[] { DBusConnectionOptions.DefaultMaxMessageUnixFds, 20 })
        {
            var (sender, receiving) = SocketPair();
            using var _ = sender;
            await using var stream = new MessageStream(receiving, Guid, true, default, null, limit);
            var fds = Enumerable.Range(0, 20).Select(_ => UnixFd.Duplicate(pipe.ClientSafePipeHandle)).ToArray();
            using (var ping = Ping(1, fds))
            {
                await sender.SendAsync(ping.Bytes, fds.Select(f => f.DangerousGetDescriptor()).ToArray(), CancellationToken.None);
            }
            foreach (var fd in fds)
            {
                fd.Dispose();
            }
            if (limit < 20)
            {
                var failure = Assert.ThrowsAsync<DBusDisconnectedException>(async () => await stream.ReceiveAsync().AsTask().WaitAsync(s_timeout));
                Assert.That(failure!.Message, Does.Contain("20 descriptors at once").And.Contain("at most 16"));
            }
            else
            {
                using var message = await stream.ReceiveAsync().AsTask().WaitAsync(s_timeout);
                Assert.That(message.UnixFdCount, Is.EqualTo(20));
            }
        }
    }

    [Test]
    public async Task Descriptors_that_arrive_early_with_the_bytes_of_an_earlier_message_are_not_extras()
    {
        // One sendmsg with two messages, the second's descriptors riding on the first byte: they arrive while the
        // first message (declaring none) is framed, and belong to the second.
        var (sender, receiving) = SocketPair();
        using var _ = sender;
        await using var stream = new MessageStream(receiving, Guid, true, default, null);
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        var fds = Enumerable.Range(0, 2).Select(_ => UnixFd.Duplicate(pipe.ClientSafePipeHandle)).ToArray();
        using var first = Ping(1);
        using var second = Ping(2, fds);
        byte[] both = [.. first.Bytes.ToArray(), .. second.Bytes.ToArray()];
        await sender.SendAsync(both, fds.Select(f => f.DangerousGetDescriptor()).ToArray(), CancellationToken.None);
        foreach (var fd in fds)
        {
            fd.Dispose();
        }

        using var one = await stream.ReceiveAsync().AsTask().WaitAsync(s_timeout);
        using var two = await stream.ReceiveAsync().AsTask().WaitAsync(s_timeout);
        Assert.Multiple(() =>
        {
            Assert.That((one.Serial, one.UnixFdCount), Is.EqualTo((1u, 0)));
            Assert.That((two.Serial, two.UnixFdCount), Is.EqualTo((2u, 2)));
            Assert.That(stream.IsConnected, Is.True);
        });
    }

    [Test]
    public async Task A_bus_connection_is_dropped_by_a_peer_sending_undeclared_descriptors()
    {
        var (sender, receiving) = SocketPair();
        using var _ = sender;
        using var connection = new DBusConnection(new MessageStream(receiving, Guid, true, default, null), new DBusConnectionOptions { IsBus = false });
        var gone = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.CallOnDisconnection((_, reason) => gone.TrySetResult(reason));
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        using var extra = UnixFd.Duplicate(pipe.ClientSafePipeHandle);
        using (var ping = Ping(1))
        {
            await sender.SendAsync(ping.Bytes, new[] { extra.DangerousGetDescriptor() }, CancellationToken.None);
        }
        var reason = await gone.Task.WaitAsync(s_timeout);
        Assert.That(reason.Message, Does.Contain("1 descriptor(s) more than its messages declare"));
    }

    private static (SocketTransport Sender, SocketTransport Receiver) SocketPair()
    {
        var (a, b) = SocketTransport.CreatePair();
        a.EnableUnixFds();
        b.EnableUnixFds();
        return (a, b);
    }

    private static Message Ping(uint serial, UnixFd[]? fds = null)
    {
        var writer = MessageWriter.CreateMethodCall(null, "/", "org.freedesktop.DBus.Peer", "Ping", fds is null ? "" : new string('h', fds.Length));
        foreach (var fd in fds ?? [])
        {
            writer.WriteUnixFd(fd);
        }
        var message = writer.ToMessage();
        message.SetSerial(serial);
        return message;
    }

    private static string SocketPath(string address)
    {
        var entry = DBusAddress.Parse(address);
        return entry.GetProperty("abstract") is { } name ? "@" + name : entry.GetProperty("path")!;
    }

    private static Task<ExternalTool.Result> FloodAsync(string path, int fds, int declared, int messages) =>
        ExternalTool.RunAsync(ExternalTool.Python, Path.Combine(RepositoryPaths.Root, "tests", "peers", "fd_flood_client.py"),
            path, fds.ToString(System.Globalization.CultureInfo.InvariantCulture), declared.ToString(System.Globalization.CultureInfo.InvariantCulture),
            messages.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
