using System.Threading.Channels;
using DBus.Transport;

namespace DBus;

/// <summary>
/// The raw connection (Jeepney's "connection"): an authenticated stream of messages. <see cref="SendAsync"/>
/// writes a message, <see cref="ReceiveAsync"/> returns the next incoming one, whatever it is. Nothing is
/// routed, matched or dropped: that is <see cref="DBusConnection"/>'s job, built on this.
/// </summary>
/// <remarks>
/// Sends may come from any thread at once: each gets a serial as it is sent. A send is written on the sender's
/// thread when nothing waits before it; otherwise it is queued, and one writer batches whatever is queued into a
/// single socket write. Only one receive may run at a time.
/// </remarks>
public sealed partial class MessageStream : IAsyncDisposable, IDisposable
{
    private readonly DBusTransport _transport;
    private readonly ReceivedFds _receivedFds;
    private readonly CancellationTokenSource _closing = new();
    private Exception? _closeReason;
    private int _disposed;

    internal MessageStream(DBusTransport transport, string serverGuid, bool unixFdsEnabled, ReadOnlyMemory<byte> readAhead, Queue<UnixFd>? readAheadFds,
        int maxMessageUnixFds = DBusConnectionOptions.DefaultMaxMessageUnixFds, int maxUnixFdsPerConnection = DBusConnectionOptions.DefaultMaxUnixFdsPerConnection)
    {
        _receivedFds = new ReceivedFds(maxMessageUnixFds, maxUnixFdsPerConnection);
        _transport = transport;
        ServerGuid = serverGuid;
        UnixFdsEnabled = unixFdsEnabled;
        if (unixFdsEnabled)
        {
            // Normally done by SASL already; without it the transport would read past descriptors and the kernel
            // would close them, so the stream's word and the transport's cannot disagree.
            transport.EnableUnixFds();
        }
        _receiveBuffer = ArrayPool<byte>.Shared.Rent(Math.Max(InitialReceiveBufferSize, readAhead.Length));
        readAhead.CopyTo(_receiveBuffer);
        _receiveEnd = readAhead.Length;
        if (readAheadFds is not null)
        {
            while (readAheadFds.TryDequeue(out var fd))
            {
                _receivedFds.Queue.Enqueue(fd);
            }
        }
        _sendQueue = Channel.CreateUnbounded<OutgoingMessage>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
        _writerLoop = Task.Run(WriteLoopAsync);
        if (_receivedFds.OnRead(readAhead.Length) is { } error)
        {
            // Descriptors sent during the handshake: the first receive reports the closed stream.
            DescriptorViolation(error);
        }
    }

    /// <summary>The largest message the peer may send (see <see cref="DBusConnectionOptions.MaxMessageSize"/>): checked
    /// as each message's fixed header is framed, before its bytes are buffered.</summary>
    internal int MaxMessageSize { get; set; } = Message.MaxLength;

    /// <summary>The GUID the server identified itself with during authentication.</summary>
    public string ServerGuid { get; }

    /// <summary>True when the peer agreed to pass Unix file descriptors (NEGOTIATE_UNIX_FD).</summary>
    public bool UnixFdsEnabled { get; }

    /// <summary>The credentials of the peer process when the transport is a Unix socket; otherwise null.</summary>
    public PeerCredentials? PeerCredentials => _transport.PeerCredentials;

    /// <summary>The socket's file descriptor (dbus-python's get_unix_fd), or null when the transport is not a
    /// socket. Reading or writing it directly corrupts the stream; it is for polling and diagnostics.</summary>
    public int? SocketDescriptor => _transport.SocketDescriptor;

    /// <summary>False once the stream was closed, by either side or by a fault.</summary>
    public bool IsConnected => _closeReason is null;

    /// <summary>Why the stream closed (a <see cref="DBusDisconnectedException"/> whose inner exception is the
    /// fault, if any), or null while it is open.</summary>
    public Exception? CloseReason => _closeReason;

    /// <summary>Cancelled when the stream closes.</summary>
    internal CancellationToken ClosingToken => _closing.Token;

    /// <summary>
    /// Closes the stream with <paramref name="reason"/>: the transport is shut down, queued sends fail and
    /// the pending receive ends. Idempotent; the first reason wins.
    /// </summary>
    internal void Close(Exception? reason)
    {
        var disconnected = reason as DBusDisconnectedException
            ?? new DBusDisconnectedException(reason is null ? "the connection was closed" : "the connection was closed: " + reason.Message, reason);
        if (Interlocked.CompareExchange(ref _closeReason, disconnected, null) is not null)
        {
            return;
        }
        _sendQueue.Writer.TryComplete(disconnected);
        _closing.Cancel();
        _transport.Shutdown();
    }

    /// <summary>Closes the stream and releases the socket, buffers and descriptors.</summary>
    public void Dispose()
    {
        Close(null);
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        // The writer loop ends promptly once the queue is completed and the transport is shut down. The queue has a
        // single reader: only once the loop is done may this thread drain it (if it is stuck in a write, disposing
        // the transport below fails that write, and the loop drains the queue itself).
        if (_writerLoop.Wait(TimeSpan.FromSeconds(5)))
        {
            FailQueuedSends();
        }
        _transport.Dispose();
        ReleaseReceiveState();
        ReleaseSetAside();
        _closing.Dispose();
        ReleaseBacklogMemory();
    }

    /// <inheritdoc cref="Dispose"/>
    public async ValueTask DisposeAsync()
    {
        Close(null);
        // The writer loop never faults (it turns faults into Close); only the bounded wait can give up.
        await _writerLoop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Dispose();
    }
}
