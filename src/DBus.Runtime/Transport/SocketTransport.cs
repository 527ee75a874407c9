using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace DBus.Transport;

/// <summary>
/// A stream socket: Unix (path or abstract; descriptors via SCM_RIGHTS, SO_PEERCRED) or TCP.
/// </summary>
/// <remarks>
/// A Unix socket does its own system calls: recvmsg/sendmsg with MSG_DONTWAIT (descriptors ride along with
/// SCM_RIGHTS once negotiated), and waits through the <see cref="SocketReactor"/>: a connection reads on the reactor
/// thread that saw the socket readable (<see cref="TryReceive"/>), and async waits (authentication, a full send
/// buffer, a MessageStream read directly) hold no thread. TCP goes through the runtime's <see cref="Socket"/> async
/// operations (the runtime's own epoll engine).
/// </remarks>
internal sealed class SocketTransport : DBusTransport
{
    // Room for the most descriptors one recvmsg can carry, so the kernel never truncates (MSG_CTRUNC).
    private static readonly int s_receiveControlLength = SocketInterop.CMsgSpace(SocketInterop.MaxFdsPerMessage * sizeof(int));

    private readonly Socket _socket;

    public override int? SocketDescriptor => (int)_socket.Handle;
    private readonly bool _isUnix;
    private PeerCredentials? _peerCredentials;
    private bool _peerCredentialsRead;
    private int _shutdown;
    private ReactorRegistration? _registration;

    public SocketTransport(Socket socket)
    {
        _socket = socket;
        _isUnix = socket.AddressFamily == AddressFamily.Unix;
        if (!_isUnix)
        {
            socket.NoDelay = true;
        }
    }

    /// <summary>A connected pair of Unix sockets (socketpair), for tests and in-process peers.</summary>
    public static unsafe (SocketTransport, SocketTransport) CreatePair()
    {
        int* fds = stackalloc int[2];
        if (SocketInterop.SocketPair(SocketInterop.AfUnix, SocketInterop.SockStream | SocketInterop.SockCloExec, 0, fds) != 0)
        {
            throw new IOException("socketpair failed: " + SocketInterop.Describe(Marshal.GetLastPInvokeError()));
        }
        var a = new Socket(new SafeSocketHandle(fds[0], ownsHandle: true));
        var b = new Socket(new SafeSocketHandle(fds[1], ownsHandle: true));
        return (new SocketTransport(a) { Description = "socketpair" }, new SocketTransport(b) { Description = "socketpair" });
    }

    public override bool CanPassUnixFds => _isUnix;

    public override PeerCredentials? PeerCredentials
    {
        get
        {
            if (!_peerCredentialsRead)
            {
                _peerCredentials = ReadPeerCredentials();
                _peerCredentialsRead = true;
            }
            return _peerCredentials;
        }
    }

    internal Socket Socket => _socket;

    public override bool CanNotifyReady => _isUnix;

    /// <summary>The socket's registration with the reactor, made on first use (Unix sockets only).</summary>
    private ReactorRegistration Registration
    {
        get
        {
            if (Volatile.Read(ref _registration) is { } registration)
            {
                return registration;
            }
            var made = SocketReactor.ForNewSocket().Register((int)_socket.Handle, Description);
            if (Interlocked.CompareExchange(ref _registration, made, null) is { } raced)
            {
                made.Dispose();
                return raced;
            }
            if (Volatile.Read(ref _shutdown) != 0)
            {
                made.Close();
            }
            return made;
        }
    }

    public override int TryReceive(Span<byte> buffer, Queue<UnixFd> fds)
    {
        if (!_isUnix)
        {
            throw new NotSupportedException($"{Description} is not driven by the reactor");
        }
        while (true)
        {
            int received = TryReceiveMessage(buffer, fds, out int errno);
            if (received >= 0)
            {
                return received;
            }
            if (errno == SocketInterop.EAgain)
            {
                return -1;
            }
            if (errno != SocketInterop.EIntr)
            {
                throw new IOException($"recvmsg on {Description} failed: {SocketInterop.Describe(errno)}");
            }
        }
    }

    public override void SetReadHandler(IReadyHandler handler)
    {
        if (!_isUnix)
        {
            throw new NotSupportedException($"{Description} is not driven by the reactor");
        }
        Registration.SetReadHandler(handler);
    }

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, Queue<UnixFd> fds, CancellationToken cancellationToken)
    {
        // TCP carries no descriptors: the runtime's socket engine serves it.
        return _isUnix
            ? ReceiveDirectAsync(buffer, fds, cancellationToken)
            : _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
    }

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, ReadOnlyMemory<int> fds, CancellationToken cancellationToken)
    {
        if (_isUnix)
        {
            if (fds.Length > SocketInterop.MaxFdsPerMessage)
            {
                ThrowHelper.ThrowArgument(nameof(fds), $"at most {SocketInterop.MaxFdsPerMessage} descriptors can be sent at once, not {fds.Length}");
            }
            return SendDirect(buffer, fds, cancellationToken);
        }
        if (fds.Length > 0)
        {
            ThrowHelper.ThrowInvalidOperation($"{Description} cannot carry Unix file descriptors");
        }
        if (buffer.IsEmpty)
        {
            return default;
        }
        ValueTask<int> send = _socket.SendAsync(buffer, SocketFlags.None, cancellationToken);
        if (send.IsCompletedSuccessfully && send.Result == buffer.Length)
        {
            return default;
        }
        return CompleteSendAsync(send, buffer, cancellationToken);
    }

    public override void Shutdown()
    {
        if (Interlocked.Exchange(ref _shutdown, 1) != 0)
        {
            return;
        }
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Not connected any more: nothing is left to abort.
        }
        catch (ObjectDisposedException)
        {
        }
        // The reactor reports the shutdown too; this makes the waits end even if it has not yet.
        Volatile.Read(ref _registration)?.Close();
    }

    public override void Dispose()
    {
        Shutdown();
        // Out of the epoll set before the descriptor closes (and its number is reused).
        Volatile.Read(ref _registration)?.Dispose();
        _socket.Dispose();
    }

    private async ValueTask CompleteSendAsync(ValueTask<int> pending, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        int sent = await pending.ConfigureAwait(false);
        buffer = buffer[sent..];
        while (!buffer.IsEmpty)
        {
            sent = await _socket.SendAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            buffer = buffer[sent..];
        }
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveDirectAsync(Memory<byte> buffer, Queue<UnixFd> fds, CancellationToken cancellationToken)
    {
        var readable = Registration.Readable;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long sequence = readable.Sequence;
            int received = TryReceiveMessage(buffer.Span, fds, out int errno);
            if (received >= 0)
            {
                return received;
            }
            if (errno == SocketInterop.EAgain)
            {
                await readable.WaitAsync(sequence, cancellationToken).ConfigureAwait(false);
            }
            else if (errno != SocketInterop.EIntr)
            {
                throw new IOException($"recvmsg on {Description} failed: {SocketInterop.Describe(errno)}");
            }
        }
    }

    /// <summary>Sends everything at once when the socket takes it (the common case), else finishes in the background.</summary>
    private ValueTask SendDirect(ReadOnlyMemory<byte> buffer, ReadOnlyMemory<int> fds, CancellationToken cancellationToken)
    {
        if (buffer.IsEmpty)
        {
            if (fds.Length > 0)
            {
                ThrowHelper.ThrowArgument(nameof(buffer), "descriptors must travel with at least one byte");
            }
            return default;
        }
        while (true)
        {
            int sent = TrySendMessage(buffer.Span, fds.Span, out int errno);
            if (sent > 0)
            {
                // The descriptors went with the first byte; the rest is plain data.
                buffer = buffer[sent..];
                fds = default;
                if (buffer.IsEmpty)
                {
                    return default;
                }
            }
            else if (errno == SocketInterop.EAgain)
            {
                return SendDirectSlowAsync(buffer, fds, cancellationToken);
            }
            else if (errno != SocketInterop.EIntr)
            {
                throw new IOException($"sendmsg on {Description} failed: {SocketInterop.Describe(errno)}");
            }
        }
    }

    private async ValueTask SendDirectSlowAsync(ReadOnlyMemory<byte> buffer, ReadOnlyMemory<int> fds, CancellationToken cancellationToken)
    {
        var registration = Registration;
        var writable = registration.Writable;
        while (!buffer.IsEmpty)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Volatile.Read(ref _shutdown) != 0)
            {
                throw new IOException($"{Description} was shut down");
            }
            long sequence = writable.Sequence;
            int sent = TrySendMessage(buffer.Span, fds.Span, out int errno);
            if (sent > 0)
            {
                buffer = buffer[sent..];
                fds = default;
            }
            else if (errno == SocketInterop.EAgain)
            {
                await registration.WaitWritableAsync(sequence, cancellationToken).ConfigureAwait(false);
            }
            else if (errno != SocketInterop.EIntr)
            {
                throw new IOException($"sendmsg on {Description} failed: {SocketInterop.Describe(errno)}");
            }
        }
    }

    private unsafe int TryReceiveMessage(Span<byte> buffer, Queue<UnixFd> fds, out int errno)
    {
        // Without NEGOTIATE_UNIX_FD no control buffer is offered, so the kernel closes any descriptor sent anyway.
        bool acceptFds = UnixFdsEnabled;
        int controlLength = acceptFds ? s_receiveControlLength : 0;
        byte* control = stackalloc byte[controlLength];
        new Span<byte>(control, controlLength).Clear();
        nint result;
        int flags;
        fixed (byte* data = buffer)
        {
            var iov = new SocketInterop.IoVec { Base = data, Length = (nuint)buffer.Length };
            var header = new SocketInterop.MsgHdr
            {
                Iov = &iov,
                IovLength = 1,
                Control = controlLength > 0 ? control : null,
                ControlLength = (nuint)controlLength,
            };
            using (var lease = new DescriptorLease(_socket.SafeHandle))
            {
                result = SocketInterop.RecvMsg(lease.Fd, &header, SocketInterop.MsgDontWait | SocketInterop.MsgCMsgCloExec);
                errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;
            }
            flags = header.Flags;
            if (result >= 0 && acceptFds)
            {
                CollectDescriptors(control, (int)header.ControlLength, fds);
            }
        }
        if (result >= 0 && acceptFds && (flags & SocketInterop.MsgCTrunc) != 0)
        {
            // Descriptors were lost: what arrives next would point at the wrong ones.
            throw new IOException($"descriptors received on {Description} were truncated (MSG_CTRUNC)");
        }
        return (int)result;
    }

    private static unsafe void CollectDescriptors(byte* control, int length, Queue<UnixFd> fds)
    {
        int headerSize = SocketInterop.CMsgAlign(sizeof(SocketInterop.CMsgHdr));
        int offset = 0;
        while (offset + sizeof(SocketInterop.CMsgHdr) <= length)
        {
            var cmsg = (SocketInterop.CMsgHdr*)(control + offset);
            int cmsgLength = (int)cmsg->Length;
            if (cmsgLength < sizeof(SocketInterop.CMsgHdr) || offset + cmsgLength > length)
            {
                break;
            }
            if (cmsg->Level == SocketInterop.SolSocket && cmsg->Type == SocketInterop.ScmRights)
            {
                int count = (cmsgLength - headerSize) / sizeof(int);
                int* data = (int*)(control + offset + headerSize);
                for (int i = 0; i < count; i++)
                {
                    fds.Enqueue(UnixFd.FromOwnedDescriptor(data[i]));
                }
            }
            offset += SocketInterop.CMsgAlign(cmsgLength);
        }
    }

    private unsafe int TrySendMessage(ReadOnlySpan<byte> buffer, ReadOnlySpan<int> fds, out int errno)
    {
        int dataLength = fds.Length * sizeof(int);
        int controlLength = fds.IsEmpty ? 0 : SocketInterop.CMsgSpace(dataLength);
        byte* control = stackalloc byte[controlLength];
        if (controlLength > 0)
        {
            new Span<byte>(control, controlLength).Clear();
            var cmsg = (SocketInterop.CMsgHdr*)control;
            cmsg->Length = (nuint)SocketInterop.CMsgLength(dataLength);
            cmsg->Level = SocketInterop.SolSocket;
            cmsg->Type = SocketInterop.ScmRights;
            fds.CopyTo(new Span<int>(control + SocketInterop.CMsgAlign(sizeof(SocketInterop.CMsgHdr)), fds.Length));
        }

        fixed (byte* data = buffer)
        {
            var iov = new SocketInterop.IoVec { Base = data, Length = (nuint)buffer.Length };
            var header = new SocketInterop.MsgHdr
            {
                Iov = &iov,
                IovLength = 1,
                Control = controlLength > 0 ? control : null,
                ControlLength = (nuint)controlLength,
            };
            using var lease = new DescriptorLease(_socket.SafeHandle);
            nint result = SocketInterop.SendMsg(lease.Fd, &header, SocketInterop.MsgDontWait | SocketInterop.MsgNoSignal);
            errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;
            return (int)result;
        }
    }

    private PeerCredentials? ReadPeerCredentials()
    {
        if (!_isUnix)
        {
            return null;
        }
        Span<byte> ucred = stackalloc byte[12];
        try
        {
            int length = _socket.GetRawSocketOption(SocketInterop.SolSocket, SocketInterop.SoPeerCred, ucred);
            if (length < 12)
            {
                return null;
            }
        }
        catch (SocketException)
        {
            return null;
        }
        return new PeerCredentials(
            MemoryMarshal.Read<int>(ucred),
            MemoryMarshal.Read<uint>(ucred[4..]),
            MemoryMarshal.Read<uint>(ucred[8..]));
    }

    // Keeps the descriptor from being closed and reused by another open while a raw call runs on it.
    private ref struct DescriptorLease
    {
        private readonly SafeSocketHandle _handle;
        private bool _added;

        public DescriptorLease(SafeSocketHandle handle)
        {
            _handle = handle;
            _added = false;
            handle.DangerousAddRef(ref _added);
            Fd = (int)handle.DangerousGetHandle();
        }

        public int Fd { get; }

        public void Dispose()
        {
            if (_added)
            {
                _handle.DangerousRelease();
                _added = false;
            }
        }
    }
}
