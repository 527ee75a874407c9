using System.Collections.Concurrent;
using System.IO.Pipelines;
using DBus.Transport;

namespace DBus.Runtime.Tests.Connection;

/// <summary>
/// Two transports joined in memory: what one sends the other receives, descriptors included (duplicated as
/// the kernel would). Lets the message and connection layers be tested without sockets.
/// </summary>
internal sealed class PairedTransport : DBusTransport
{
    private readonly Pipe _incoming = new(new PipeOptions(useSynchronizationContext: false));
    private readonly ConcurrentQueue<UnixFd> _incomingFds = new();
    private PairedTransport _peer = null!;
    private int _shutdown;

    private PairedTransport(bool canPassFds) => CanPassUnixFds = canPassFds;

    public static (PairedTransport A, PairedTransport B) CreatePair(bool canPassFds = true)
    {
        var a = new PairedTransport(canPassFds);
        var b = new PairedTransport(canPassFds);
        a._peer = b;
        b._peer = a;
        return (a, b);
    }

    public override bool CanPassUnixFds { get; }

    public override PeerCredentials? PeerCredentials => new PeerCredentials(Environment.ProcessId, 0, 0);

    /// <summary>Every read that returned bytes: how many the receiver asked for and how many it got.</summary>
    public ConcurrentQueue<(int Asked, int Got)> Reads { get; } = new();

    /// <summary>Writes raw bytes as if the peer had sent them (for malformed-input tests).</summary>
    public async Task InjectAsync(byte[] bytes)
    {
        await _incoming.Writer.WriteAsync(bytes);
    }

    public override async ValueTask<int> ReceiveAsync(Memory<byte> buffer, Queue<UnixFd> fds, CancellationToken cancellationToken)
    {
        ReadResult result;
        try
        {
            result = await _incoming.Reader.ReadAsync(cancellationToken);
        }
        catch (InvalidOperationException)
        {
            return 0; // the reader was completed by Shutdown
        }
        if (result.IsCanceled)
        {
            return 0;
        }
        var data = result.Buffer;
        int count = (int)Math.Min(buffer.Length, data.Length);
        Reads.Enqueue((buffer.Length, count));
        System.Buffers.BuffersExtensions.CopyTo(data.Slice(0, count), buffer.Span);
        _incoming.Reader.AdvanceTo(data.GetPosition(count));
        while (_incomingFds.TryDequeue(out var fd))
        {
            fds.Enqueue(fd);
        }
        return count;
    }

    public override async ValueTask SendAsync(ReadOnlyMemory<byte> buffer, ReadOnlyMemory<int> fds, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _shutdown) != 0)
        {
            throw new IOException("the transport was shut down");
        }
        foreach (int fd in fds.Span)
        {
            _peer._incomingFds.Enqueue(UnixFd.Duplicate(fd));
        }
        var flush = await _peer._incoming.Writer.WriteAsync(buffer, cancellationToken);
        if (flush.IsCompleted)
        {
            throw new IOException("the peer closed the connection");
        }
    }

    public override void Shutdown()
    {
        if (Interlocked.Exchange(ref _shutdown, 1) != 0)
        {
            return;
        }
        _incoming.Reader.CancelPendingRead();
        _peer._incoming.Writer.Complete();
    }

    public override void Dispose()
    {
        Shutdown();
        while (_incomingFds.TryDequeue(out var fd))
        {
            fd.Dispose();
        }
    }
}
