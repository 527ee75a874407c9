using System.IO.Pipes;
using System.Net.Sockets;
using DBus.Transport;

namespace DBus.Runtime.Tests.Transport;

public class SocketTransportTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    [Test]
    public async Task A_pipe_read_end_sent_over_a_unix_socket_arrives_as_a_working_descriptor()
    {
        var (a, b) = SocketTransport.CreatePair();
        using var _a = a;
        using var _b = b;
        b.EnableUnixFds();
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var readEnd = pipe.ClientSafePipeHandle;

        await a.SendAsync("x"u8.ToArray(), new[] { (int)readEnd.DangerousGetHandle() }, CancellationToken.None);
        var fds = new Queue<UnixFd>();
        var buffer = new byte[16];
        int n = await b.ReceiveAsync(buffer, fds, CancellationToken.None).AsTask().WaitAsync(s_timeout);
        Assert.That(n, Is.EqualTo(1));
        Assert.That(fds, Has.Count.EqualTo(1));

        using UnixFd received = fds.Dequeue();
        Assert.That(received.DangerousGetDescriptor(), Is.Not.EqualTo((int)readEnd.DangerousGetHandle()), "a new descriptor in this process");
        // Close our copy of the read end: what we read next comes through the received one only.
        pipe.DisposeLocalCopyOfClientHandle();
        pipe.Write("hello through the pipe"u8);
        pipe.Flush();
        using Stream stream = received.ToStream(FileAccess.Read);
        var text = new byte[64];
        int read = await stream.ReadAsync(text).AsTask().WaitAsync(s_timeout);
        Assert.That(System.Text.Encoding.ASCII.GetString(text, 0, read), Is.EqualTo("hello through the pipe"));
    }

    [Test]
    public async Task Received_descriptors_are_close_on_exec()
    {
        var (a, b) = SocketTransport.CreatePair();
        using var _a = a;
        using var _b = b;
        b.EnableUnixFds();
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        await a.SendAsync("x"u8.ToArray(), new[] { (int)pipe.ClientSafePipeHandle.DangerousGetHandle() }, CancellationToken.None);
        var fds = new Queue<UnixFd>();
        await b.ReceiveAsync(new byte[4], fds, CancellationToken.None).AsTask().WaitAsync(s_timeout);
        using UnixFd fd = fds.Dequeue();
        string fdinfo = File.ReadAllText($"/proc/self/fdinfo/{fd.DangerousGetDescriptor()}");
        string flags = fdinfo.Split('\n').First(l => l.StartsWith("flags:")).Split(':')[1].Trim();
        Assert.That(Convert.ToInt32(flags, 8) & 0x80000, Is.Not.Zero, "O_CLOEXEC is set: " + fdinfo);
    }

    [Test]
    public async Task A_large_send_with_descriptors_waits_for_room_and_arrives_whole()
    {
        var (a, b) = SocketTransport.CreatePair();
        using var _a = a;
        using var _b = b;
        b.EnableUnixFds();
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        byte[] payload = new byte[8 * 1024 * 1024];
        new Random(7).NextBytes(payload);

        // More than the socket buffers hold: the send cannot finish until the receiver reads.
        Task send = a.SendAsync(payload, new[] { (int)pipe.ClientSafePipeHandle.DangerousGetHandle() }, CancellationToken.None).AsTask();
        var received = new MemoryStream();
        var fds = new Queue<UnixFd>();
        var buffer = new byte[65536];
        while (received.Length < payload.Length)
        {
            int n = await b.ReceiveAsync(buffer, fds, CancellationToken.None).AsTask().WaitAsync(s_timeout);
            Assert.That(n, Is.GreaterThan(0));
            received.Write(buffer, 0, n);
        }
        await send.WaitAsync(s_timeout);
        Assert.That(received.ToArray(), Is.EqualTo(payload));
        Assert.That(fds, Has.Count.EqualTo(1));
        fds.Dequeue().Dispose();
    }

    [Test]
    public async Task Without_fds_enabled_bytes_take_the_plain_path_both_ways()
    {
        var (a, b) = SocketTransport.CreatePair();
        using var _a = a;
        using var _b = b;
        await a.SendAsync("ping"u8.ToArray(), ReadOnlyMemory<int>.Empty, CancellationToken.None);
        var buffer = new byte[8];
        int n = await b.ReceiveAsync(buffer, new Queue<UnixFd>(), CancellationToken.None).AsTask().WaitAsync(s_timeout);
        Assert.That(buffer.AsSpan(0, n).ToArray(), Is.EqualTo("ping"u8.ToArray()));
    }

    [Test]
    public async Task Descriptors_cannot_be_sent_over_tcp()
    {
        using var listener = TransportListener.Create("tcp:host=127.0.0.1,port=0", Guid());
        using var client = (await TransportConnector.ConnectAsync(listener.ConnectableAddress, CancellationToken.None)).Transport;
        Assert.That(client.CanPassUnixFds, Is.False);
        Assert.That(client.PeerCredentials, Is.Null);
        Assert.Throws<InvalidOperationException>(() => client.SendAsync(new byte[1], new[] { 0 }, CancellationToken.None));
        Assert.Throws<InvalidOperationException>(client.EnableUnixFds);
    }

    [Test]
    public void Peer_credentials_of_a_socket_pair_are_our_own()
    {
        var (a, b) = SocketTransport.CreatePair();
        using var _a = a;
        using var _b = b;
        Assert.That(a.PeerCredentials, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(a.PeerCredentials!.Value.ProcessId, Is.EqualTo(Environment.ProcessId));
            Assert.That(a.PeerCredentials!.Value.UserId, Is.EqualTo(SocketInterop.GetEffectiveUserId()));
            Assert.That(a.PeerCredentials!.Value.GroupId, Is.EqualTo(uint.Parse(File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Gid:")).Split('\t')[2])));
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Shutdown_ends_a_pending_receive_promptly(bool fdsEnabled)
    {
        var (a, b) = SocketTransport.CreatePair();
        using var _a = a;
        using var _b = b;
        if (fdsEnabled)
        {
            a.EnableUnixFds();
        }
        var pending = a.ReceiveAsync(new byte[16], new Queue<UnixFd>(), CancellationToken.None).AsTask();
        Assert.That(pending.IsCompleted, Is.False);
        a.Shutdown();
        a.Shutdown();
        Assert.That(await pending.WaitAsync(s_timeout), Is.Zero);
        Assert.That(await a.ReceiveAsync(new byte[16], new Queue<UnixFd>(), CancellationToken.None).AsTask().WaitAsync(s_timeout), Is.Zero);
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task The_peer_closing_reads_as_zero(bool fdsEnabled)
    {
        var (a, b) = SocketTransport.CreatePair();
        using var _a = a;
        if (fdsEnabled)
        {
            a.EnableUnixFds();
        }
        var pending = a.ReceiveAsync(new byte[16], new Queue<UnixFd>(), CancellationToken.None).AsTask();
        b.Dispose();
        Assert.That(await pending.WaitAsync(s_timeout), Is.Zero);
    }

    [Test]
    public void A_cancelled_receive_with_fds_enabled_throws_operation_cancelled()
    {
        var (a, b) = SocketTransport.CreatePair();
        using var _a = a;
        using var _b = b;
        a.EnableUnixFds();
        using var cts = new CancellationTokenSource();
        var pending = a.ReceiveAsync(new byte[16], new Queue<UnixFd>(), cts.Token).AsTask();
        cts.Cancel();
        Assert.That(async () => await pending.WaitAsync(s_timeout), Throws.InstanceOf<OperationCanceledException>());
    }

    internal static string Guid() => System.Guid.NewGuid().ToString("N");
}
