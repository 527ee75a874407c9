namespace DBus;

/// <summary>
/// A connected byte stream that may carry Unix file descriptors: what SASL and the message layer run over.
/// </summary>
/// <remarks>
/// Thread-safety: one receive and one send may run at the same time; never two receives or two sends at once.
/// </remarks>
internal abstract class DBusTransport : IDisposable
{
    /// <summary>True for Unix sockets only: descriptors can travel beside the bytes.</summary>
    public abstract bool CanPassUnixFds { get; }

    /// <summary>The peer's SO_PEERCRED for Unix sockets; null for other transports.</summary>
    public abstract PeerCredentials? PeerCredentials { get; }

    /// <summary>Whether received descriptors are collected (after NEGOTIATE_UNIX_FD was agreed). Until then receives
    /// take the plain socket path, and descriptors a peer sends anyway are dropped by the kernel.</summary>
    public bool UnixFdsEnabled { get; private set; }

    /// <summary>A short description for error messages, such as the address connected to.</summary>
    public string Description { get; init; } = "transport";

    /// <summary>Receives at least one byte, or 0 when the peer closed. Descriptors that arrive with the bytes are
    /// appended to <paramref name="fds"/> as owned, close-on-exec <see cref="UnixFd"/> objects.</summary>
    public abstract ValueTask<int> ReceiveAsync(Memory<byte> buffer, Queue<UnixFd> fds, CancellationToken cancellationToken);

    /// <summary>Sends all of <paramref name="buffer"/>; <paramref name="fds"/> (may be empty) travel with its first
    /// byte.</summary>
    /// <exception cref="InvalidOperationException">Descriptors were given and the transport cannot carry them.</exception>
    public abstract ValueTask SendAsync(ReadOnlyMemory<byte> buffer, ReadOnlyMemory<int> fds, CancellationToken cancellationToken);

    /// <summary>Aborts the transport: pending and later receives return 0 or throw promptly. Idempotent.</summary>
    public abstract void Shutdown();

    /// <summary>True when the transport is driven by the <see cref="Transport.SocketReactor"/>: the connection then
    /// reads with <see cref="TryReceive"/> when <see cref="SetReadHandler"/>'s handler is woken, instead of an async loop.</summary>
    public virtual bool CanNotifyReady => false;

    /// <summary>Reads what is there without waiting (only when <see cref="CanNotifyReady"/>): the byte count, 0 at the
    /// end of the stream, or -1 when nothing is there yet.</summary>
    public virtual int TryReceive(Span<byte> buffer, Queue<UnixFd> fds) => throw new NotSupportedException();

    /// <summary>Runs <paramref name="handler"/> on a reactor thread whenever bytes (or the end) may be there to read,
    /// and once at once (only when <see cref="CanNotifyReady"/>). Async receives must not be used after this.</summary>
    public virtual void SetReadHandler(Transport.IReadyHandler handler) => throw new NotSupportedException();

    /// <summary>The socket's descriptor, for callers that must poll it themselves (dbus-python's get_unix_fd); null
    /// when the transport is not a socket.</summary>
    public virtual int? SocketDescriptor => null;

    /// <summary>Shuts down and releases the transport.</summary>
    public abstract void Dispose();

    /// <summary>Switches receives to the path that collects descriptors; called once SASL agreed on them.</summary>
    /// <exception cref="InvalidOperationException">The transport cannot carry descriptors.</exception>
    public void EnableUnixFds()
    {
        if (!CanPassUnixFds)
        {
            ThrowHelper.ThrowInvalidOperation($"{Description} cannot carry Unix file descriptors");
        }
        UnixFdsEnabled = true;
    }

    /// <summary>Back to the plain receive path: the SASL server collects descriptors while it reads the handshake (a
    /// client may pipeline a message with descriptors behind BEGIN) and turns that off when none were agreed.</summary>
    public void DisableUnixFds() => UnixFdsEnabled = false;
}
