namespace DBus.Transport;

/// <summary>
/// A socket watched by the <see cref="SocketReactor"/>: what its readiness events wake. Writable events wake
/// <see cref="Writable"/>; readable ones wake the read handler (a connection's dispatch, run on the reactor thread)
/// once one is set, and <see cref="Readable"/> until then.
/// </summary>
internal sealed class ReactorRegistration : IDisposable
{
    private const uint ReadEvents = EpollInterop.EpollIn | EpollInterop.EpollRdHup | EpollInterop.EpollHup | EpollInterop.EpollErr;
    private const uint WriteEvents = EpollInterop.EpollOut | EpollInterop.EpollHup | EpollInterop.EpollErr;

    private readonly SocketReactor _reactor;
    // Guards what epoll watches (EPOLLOUT or not) against a send arming it while the reactor disarms it.
    private readonly Lock _interestLock = new();
    private IReadyHandler? _readHandler;
    private bool _watchingWritable;
    private int _disposed;

    internal ReactorRegistration(SocketReactor reactor, int fd, ulong data, string description)
    {
        _reactor = reactor;
        Fd = fd;
        Data = data;
        Description = description;
    }

    public int Fd { get; }

    /// <summary>The epoll data this registration is tagged with (slot and generation).</summary>
    public ulong Data { get; }

    public string Description { get; }

    /// <summary>Async reads (a handshake, a MessageStream read directly) continue on the thread pool: what follows
    /// may be user code.</summary>
    public ReadinessWaiter Readable { get; } = new(continueOnReactor: false);

    /// <summary>A send waiting for room continues on the reactor thread: the rest of the send and the writer loop are
    /// library code that does not block.</summary>
    public ReadinessWaiter Writable { get; } = new(continueOnReactor: true);

    /// <summary>From now on readable events run <paramref name="handler"/> on the reactor thread that got them; what
    /// arrived before raises an event of its own.</summary>
    public void SetReadHandler(IReadyHandler handler)
    {
        if (Interlocked.CompareExchange(ref _readHandler, handler, null) is not null)
        {
            ThrowHelper.ThrowInvalidOperation("the socket already has a read handler");
        }
        lock (_interestLock)
        {
            _reactor.Rearm(this, _watchingWritable);
        }
    }

    /// <summary>Called by the reactor with the events epoll reported.</summary>
    internal void OnEvents(uint events)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        if ((events & WriteEvents) != 0)
        {
            Writable.Signal();
            UpdateWriteInterest();
        }
        if ((events & ReadEvents) != 0)
        {
            if (Volatile.Read(ref _readHandler) is { } handler)
            {
                handler.OnReady();
            }
            else
            {
                Readable.Signal();
            }
        }
    }

    /// <summary>Waits until the socket has room to write after <paramref name="observed"/> (see
    /// <see cref="ReadinessWaiter"/>), watching for it only while waiting.</summary>
    public ValueTask WaitWritableAsync(long observed, CancellationToken cancellationToken)
    {
        var wait = Writable.WaitAsync(observed, cancellationToken);
        if (!wait.IsCompleted)
        {
            UpdateWriteInterest();
        }
        return wait;
    }

    /// <summary>Watches for room to write exactly while a send waits for it.</summary>
    private void UpdateWriteInterest()
    {
        lock (_interestLock)
        {
            bool wanted = Writable.IsWaiting;
            if (wanted == _watchingWritable || Volatile.Read(ref _disposed) != 0)
            {
                return;
            }
            try
            {
                _reactor.Rearm(this, wanted);
                _watchingWritable = wanted;
            }
            catch (IOException) when (Volatile.Read(ref _disposed) != 0)
            {
                // Out of the epoll set already; Dispose completed the waiter.
            }
        }
    }

    /// <summary>The socket is shut down: waits end at once, the read handler runs to see the end.</summary>
    public void Close()
    {
        Writable.Close();
        Readable.Close();
        if (Volatile.Read(ref _readHandler) is not null && Volatile.Read(ref _disposed) == 0)
        {
            // The shut-down socket reads as ended: an event makes the read handler see it on a reactor thread.
            try
            {
                lock (_interestLock)
                {
                    _reactor.Rearm(this, _watchingWritable);
                }
            }
            catch (IOException)
            {
                // Already out of the epoll set: being disposed, and its handler has nothing left to see.
            }
        }
    }

    /// <summary>Stops watching; call before the descriptor is closed.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _reactor.Unregister(this);
            Writable.Close();
            Readable.Close();
        }
    }
}

/// <summary>What a readable socket wakes on a reactor thread.</summary>
internal interface IReadyHandler
{
    /// <summary>The socket may have bytes (or its end) to read. Runs on a reactor thread: must not block; it may be
    /// called again while it runs (it must then run once more when done).</summary>
    void OnReady();
}
