using System.Collections.Concurrent;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using DBus.Transport;
using DBusGen.Tests.Shared;
using Microsoft.Win32.SafeHandles;

namespace DBus.Runtime.Tests.Transport;

/// <summary>
/// <see cref="DBusConnectionOptions.MaxUnixFdsPerConnection"/>: the descriptors received on one connection that may be
/// open at once, whoever holds them. Over real sockets, with a <see cref="DBusServer"/> as the receiving side.
/// </summary>
[NonParallelizable]
public class DescriptorLimitTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    [Test]
    public void The_default_is_dbus_daemons_built_in_limit_and_bad_values_are_refused()
    {
        Assert.Multiple(() =>
        {
            // bus/config-parser.c: max_incoming_unix_fds = DBUS_DEFAULT_MESSAGE_UNIX_FDS * 4.
            Assert.That(new DBusConnectionOptions().MaxUnixFdsPerConnection, Is.EqualTo(64));
            Assert.That(new DBusConnectionOptions { MaxUnixFdsPerConnection = 0 }.MaxUnixFdsPerConnection, Is.Zero);
            Assert.That(new DBusConnectionOptions { MaxUnixFdsPerConnection = int.MaxValue }.MaxUnixFdsPerConnection, Is.EqualTo(int.MaxValue));
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new DBusConnectionOptions { MaxUnixFdsPerConnection = -1 });
            Assert.That(e!.ParamName, Is.EqualTo(nameof(DBusConnectionOptions.MaxUnixFdsPerConnection)));
        });
    }

    [Test]
    public async Task A_stream_closes_the_descriptor_that_passes_the_limit_as_it_drops_the_peer_and_leaves_the_held_ones_alone()
    {
        var (sender, receiving) = SocketTransport.CreatePair();
        using var _ = sender;
        sender.EnableUnixFds();
        receiving.EnableUnixFds();
        await using var stream = new MessageStream(receiving, "00112233445566778899aabbccddeeff", true, default, null, maxUnixFdsPerConnection: 8);
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        var held = new List<UnixFd>();
        try
        {
            int baseline = DescriptorCount.Current();
            for (uint serial = 1; serial <= 8; serial++)
            {
                await SendWithDescriptorAsync(sender, serial, pipe.ClientSafePipeHandle);
                using var message = await stream.ReceiveAsync().AsTask().WaitAsync(s_timeout);
                held.Add(message.GetBodyReader().ReadUnixFd());
            }
            Assert.That(DescriptorCount.Current(), Is.EqualTo(baseline + 8), "the 8 descriptors taken out of messages are open");

            await SendWithDescriptorAsync(sender, 9, pipe.ClientSafePipeHandle);
            var failure = Assert.ThrowsAsync<DBusDisconnectedException>(async () => await stream.ReceiveAsync().AsTask().WaitAsync(s_timeout));
            Assert.Multiple(() =>
            {
                Assert.That(failure!.Message, Does.Contain("9 descriptors received on this connection would be open at once")
                    .And.Contain("at most 8").And.Contain("(DBusConnectionOptions.MaxUnixFdsPerConnection)"));
                Assert.That(stream.CloseReason?.InnerException, Is.InstanceOf<DBusProtocolException>());
                // The stream is not disposed yet: the 9th was closed as the peer was dropped, the held ones were not.
                Assert.That(DescriptorCount.Current(), Is.EqualTo(baseline + 8), "open descriptors once the peer was dropped");
                Assert.That(held.All(fd => fd.IsValid), Is.True);
            });
        }
        finally
        {
            held.ForEach(fd => fd.Dispose());
        }
    }

    [Test]
    public async Task A_server_drops_a_client_whose_descriptors_it_holds_would_pass_the_limit_and_closes_the_ones_it_did_not_hand_over()
    {
        var kept = new ConcurrentQueue<UnixFd>();
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        await using var server = new LimitedServer(8, kept, dispose: false);
        await server.WarmUpAsync();
        var baseline = DescriptorCount.List();

        await using (var client = await server.ConnectAsync())
        {
            for (int i = 1; i <= 8; i++)
            {
                using var reply = await client.CallAsync(Keep(pipe.ClientSafePipeHandle)).WaitAsync(s_timeout);
            }
            Assert.That(kept, Has.Count.EqualTo(8));
            var ninth = Assert.ThrowsAsync<DBusDisconnectedException>(async () => await client.CallAsync(Keep(pipe.ClientSafePipeHandle)).WaitAsync(s_timeout));
            Assert.That(ninth, Is.Not.Null);
        }
        var dropped = await server.Disposed.Task.WaitAsync(s_timeout);

        Assert.Multiple(() =>
        {
            Assert.That(dropped.DisconnectReason, Is.InstanceOf<DBusDisconnectedException>());
            Assert.That(dropped.DisconnectReason!.Message, Does.Contain("9 descriptors received on this connection would be open at once")
                .And.Contain("at most 8").And.Contain("DBusConnectionOptions.MaxUnixFdsPerConnection"));
            Assert.That(dropped.DisconnectReason.InnerException, Is.InstanceOf<DBusProtocolException>());
            Assert.That(kept, Has.Count.EqualTo(8), "the handler's descriptors stay its own");
            Assert.That(kept.All(fd => fd.IsValid), Is.True);
            // Both sockets are gone and the client closed its copies: only the 8 handed over remain, not the 9th.
            var after = DescriptorCount.List();
            Assert.That(after, Has.Count.LessThanOrEqualTo(baseline.Count + 8),
                "descriptors after the drop; new: " + string.Join(", ", after.Except(baseline)));
        });

        while (kept.TryDequeue(out var fd))
        {
            fd.Dispose();
        }
        pipe.DisposeLocalCopyOfClientHandle();
        // The read end sees the end only once every copy of the write end is closed, the 9th the server received too.
        var read = Task.Run(() => pipe.Read(new byte[1], 0, 1));
        Assert.That(await read.WaitAsync(s_timeout), Is.Zero, "every received copy of the write end was closed");
    }

    [Test]
    public async Task A_client_whose_descriptors_are_disposed_or_handed_on_as_they_come_is_never_dropped()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        await using var server = new LimitedServer(8, new ConcurrentQueue<UnixFd>(), dispose: true);
        await using var client = await server.ConnectAsync();
        // Five times the limit, each descriptor ending a different way (Dispose, a handle, a stream, Release, a
        // Variant's Dispose): each takes itself out of the count.
        for (int i = 0; i < 40; i++)
        {
            using var reply = await client.CallAsync(i % 5 == 4 ? KeepVariant(pipe.ClientSafePipeHandle) : Keep(pipe.ClientSafePipeHandle, i % 5))
                .WaitAsync(s_timeout);
        }
        var connection = server.Connections.Single();
        Assert.Multiple(() =>
        {
            Assert.That(client.IsConnected, Is.True);
            Assert.That(connection.IsConnected, Is.True, () => connection.DisconnectReason?.Message ?? "");
            Assert.That(server.Failures, Is.Empty);
        });
        await client.DisposeAsync();
        await server.Disposed.Task.WaitAsync(s_timeout);
        pipe.DisposeLocalCopyOfClientHandle();
        var read = Task.Run(() => pipe.Read(new byte[1], 0, 1));
        Assert.That(await read.WaitAsync(s_timeout), Is.Zero, "every received copy of the write end was closed");
    }

    [Test]
    public async Task A_connecting_client_applies_its_own_limit_to_descriptors_its_peer_sends_it()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        await using var server = new LimitedServer(8, new ConcurrentQueue<UnixFd>(), dispose: true, give: pipe.ClientSafePipeHandle);
        await using var client = await server.ConnectAsync(new DBusConnectionOptions { IsBus = false, EnableFds = true, MaxUnixFdsPerConnection = 2 });
        var gone = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.CallOnDisconnection((_, reason) => gone.TrySetResult(reason));
        var held = new List<UnixFd>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                held.Add(await client.CallAsync(Give(), static reply => reply.GetBodyReader().ReadUnixFd()).WaitAsync(s_timeout));
            }
            Assert.ThrowsAsync<DBusDisconnectedException>(async () => await client.CallAsync(Give()).WaitAsync(s_timeout));
            var reason = await gone.Task.WaitAsync(s_timeout);
            Assert.That(reason.Message, Does.Contain("3 descriptors received on this connection would be open at once")
                .And.Contain("at most 2").And.Contain("MaxUnixFdsPerConnection"));
        }
        finally
        {
            held.ForEach(fd => fd.Dispose());
        }
    }

    private static async Task SendWithDescriptorAsync(SocketTransport sender, uint serial, SafeHandle handle)
    {
        using var message = Keep(handle);
        message.SetSerial(serial);
        using var copy = UnixFd.Duplicate(handle);
        await sender.SendAsync(message.Bytes, new[] { copy.DangerousGetDescriptor() }, CancellationToken.None);
    }

    private static Message Keep(SafeHandle handle, int how = 0)
    {
        var writer = MessageWriter.CreateMethodCall(null, new ObjectPath("/fd"), "org.test.Fds", "Keep", new Signature("hi"));
        writer.WriteUnixFd(handle);
        writer.WriteInt32(how);
        return writer.ToMessage();
    }

    private static Message KeepVariant(SafeHandle handle)
    {
        var writer = MessageWriter.CreateMethodCall(null, new ObjectPath("/fd"), "org.test.Fds", "KeepVariant", new Signature("v"));
        using var fd = UnixFd.Duplicate(handle);
        writer.WriteVariant(new Variant(fd));
        return writer.ToMessage();
    }

    private static Message Give() => MessageWriter.CreateMethodCall(null, new ObjectPath("/fd"), "org.test.Fds", "Give").ToMessage();

    /// <summary>A server whose clients' Keep calls hand a descriptor to a filter that keeps it, or ends it at once.</summary>
    private sealed class LimitedServer : IAsyncDisposable
    {
        private readonly DBusServer _server;
        private readonly ConcurrentQueue<UnixFd> _kept;
        private readonly bool _dispose;
        private readonly SafeHandle? _give;

        public LimitedServer(int limit, ConcurrentQueue<UnixFd> kept, bool dispose, SafeHandle? give = null)
        {
            _kept = kept;
            _dispose = dispose;
            _give = give;
            _server = DBusServer.Listen("unix:tmpdir=/tmp", new DBusServerOptions
            {
                ConnectionOptions = new DBusConnectionOptions { MaxUnixFdsPerConnection = limit },
                ConnectionAdded = (_, c) => c.AddMessageFilter(Serve),
            });
            _server.ConnectionDisposed += c => Disposed.TrySetResult(c);
            _server.CallbackFailed += (_, e) => Failures.Enqueue(e);
        }

        public TaskCompletionSource<DBusConnection> Disposed { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<Exception> Failures { get; } = new();

        public IReadOnlyCollection<DBusConnection> Connections => _server.Connections;

        public Task<DBusConnection> ConnectAsync(DBusConnectionOptions? options = null) =>
            DBusConnection.ConnectAsync(_server.Address, options ?? new DBusConnectionOptions { IsBus = false, EnableFds = true });

        /// <summary>One client that passes a descriptor and leaves, so descriptors the runtime opens lazily are there
        /// before a test counts.</summary>
        public async Task WarmUpAsync()
        {
            using (var pipe = new AnonymousPipeServerStream(PipeDirection.In))
            await using (var client = await ConnectAsync())
            {
                using var reply = await client.CallAsync(Keep(pipe.ClientSafePipeHandle)).WaitAsync(s_timeout);
            }
            await Disposed.Task.WaitAsync(s_timeout);
            Disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            while (_kept.TryDequeue(out var fd))
            {
                fd.Dispose();
            }
        }

        public ValueTask DisposeAsync()
        {
            _server.Dispose();
            return default;
        }

        private MessageFilterResult Serve(DBusConnection connection, Message message)
        {
            if (message.Type != MessageType.MethodCall || message.Interface != "org.test.Fds")
            {
                return MessageFilterResult.NotHandled;
            }
            var reply = MessageWriter.CreateMethodReturn(message, _give is null ? Signature.Empty : new Signature("h"));
            switch (message.Member)
            {
                case "Keep":
                    var reader = message.GetBodyReader();
                    var fd = reader.ReadUnixFd();
                    if (_dispose)
                    {
                        End(fd, reader.ReadInt32());
                    }
                    else
                    {
                        _kept.Enqueue(fd);
                    }
                    break;
                case "KeepVariant":
                    message.GetBodyReader().ReadVariant().Dispose();
                    break;
                case "Give":
                    reply.WriteUnixFd(_give!);
                    break;
            }
            connection.Send(reply.ToMessage());
            return MessageFilterResult.Handled;
        }

        private static void End(UnixFd fd, int how)
        {
            switch (how)
            {
                case 1:
                    fd.ToSafeHandle().Dispose();
                    break;
                case 2:
                    fd.ToStream(FileAccess.Write).Dispose();
                    break;
                case 3:
                    new SafeFileHandle(fd.Release(), ownsHandle: true).Dispose();
                    break;
                default:
                    fd.Dispose();
                    break;
            }
        }
    }
}
