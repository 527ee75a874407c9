using System.Runtime.InteropServices;

namespace DBus.Transport;

/// <summary>
/// The one I/O engine of every socket the library owns: a single edge-triggered epoll set, waited on by a few
/// threads, that reports each socket's readiness to its <see cref="ReactorRegistration"/>. No thread per connection
/// and no thread blocked per wait: an idle connection costs a registration and nothing else.
/// </summary>
/// <remarks>
/// <para>A readable event is handled on the thread that received it: a connection reads and dispatches its messages
/// right there (one wake-up per message, as a dedicated thread gave), while async waits (a handshake, a full send
/// buffer) are completed on the thread pool.</para>
/// <para>Dispatch runs user code (handlers, filters) that may block although it should not. So the reactor keeps one
/// thread waiting in epoll whenever it can: a thread about to handle events when none other waits starts another
/// (leader/followers), up to <see cref="MaxThreads"/>. Threads beyond the first leave after
/// <see cref="IdleTimeoutMilliseconds"/> without events. The kernel wakes one waiting thread per event, the most
/// recent waiter first, so a quiet process runs on one or two.</para>
/// </remarks>
internal sealed unsafe class SocketReactor
{
    /// <summary>The most threads the reactor runs, however many handlers block.</summary>
    public const int MaxThreads = 32;

    /// <summary>How long a spare thread waits for events before it leaves.</summary>
    public const int IdleTimeoutMilliseconds = 10_000;

    // One event per wait: an event taken by a thread whose handler then blocks would wait behind it, while a
    // thread waiting in epoll (there is always one, see above) would have run it. Draining each socket until it
    // is empty keeps the waits few under load.
    private const int MaxEventsPerWait = 1;

    private static readonly Lazy<SocketReactor> s_shared = new(() => new SocketReactor());

    private readonly int _epfd;
    private readonly Lock _registrationsLock = new();
    // Slot i holds the registration tagged i (low 32 bits of the epoll data; the high 32 bits are its generation,
    // so an event for a slot that was freed and reused meanwhile is told apart and dropped).
    private ReactorRegistration?[] _registrations = new ReactorRegistration?[64];
    private readonly Stack<int> _freeSlots = new();
    private int _usedSlots;
    private uint _generation;
    private int _threads;
    private int _waiting;

    private SocketReactor()
    {
        _epfd = EpollInterop.Create(EpollInterop.EpollCloExec);
        if (_epfd < 0)
        {
            throw new IOException("epoll_create1 failed: " + SocketInterop.Describe(Marshal.GetLastPInvokeError()));
        }
        StartThread();
    }

    /// <summary>The process's reactor, started on first use.</summary>
    public static SocketReactor Shared => s_shared.Value;

    /// <summary>Threads the reactor runs now (for tests and diagnostics).</summary>
    public int ThreadCount => Volatile.Read(ref _threads);

    /// <summary>Sockets registered now (for tests and diagnostics).</summary>
    public int RegistrationCount
    {
        get
        {
            lock (_registrationsLock)
            {
                return _usedSlots - _freeSlots.Count;
            }
        }
    }

    /// <summary>Watches <paramref name="fd"/> for readiness in both directions until the registration is disposed.</summary>
    public ReactorRegistration Register(int fd, string description)
    {
        ReactorRegistration registration;
        ulong data;
        lock (_registrationsLock)
        {
            int slot;
            if (!_freeSlots.TryPop(out slot))
            {
                slot = _usedSlots++;
                if (slot == _registrations.Length)
                {
                    var bigger = new ReactorRegistration?[slot * 2];
                    _registrations.CopyTo(bigger, 0);
                    Volatile.Write(ref _registrations, bigger);
                }
            }
            uint generation = ++_generation;
            data = ((ulong)generation << 32) | (uint)slot;
            registration = new ReactorRegistration(this, fd, data, description);
            Volatile.Write(ref _registrations[slot], registration);
        }
        int errno = EpollInterop.Add(_epfd, fd,
            EpollInterop.EpollIn | EpollInterop.EpollOut | EpollInterop.EpollRdHup | EpollInterop.EpollEdgeTriggered, data);
        if (errno != 0)
        {
            Release(registration);
            throw new IOException($"epoll_ctl(ADD) for {description} failed: {SocketInterop.Describe(errno)}");
        }
        return registration;
    }

    /// <summary>Stops watching the registration's socket (before it is closed) and frees its slot.</summary>
    internal void Unregister(ReactorRegistration registration)
    {
        // Closing the descriptor would remove it too, but only once every duplicate is closed: remove it explicitly.
        EpollInterop.Remove(_epfd, registration.Fd);
        Release(registration);
    }

    private void Release(ReactorRegistration registration)
    {
        int slot = (int)(uint)registration.Data;
        lock (_registrationsLock)
        {
            if (_registrations[slot] == registration)
            {
                _registrations[slot] = null;
                _freeSlots.Push(slot);
            }
        }
    }

    private void StartThread()
    {
        Interlocked.Increment(ref _threads);
        var thread = new Thread(Run) { IsBackground = true, Name = "D-Bus I/O" };
        thread.UnsafeStart();
    }

    private void Run()
    {
        byte* events = (byte*)NativeMemory.Alloc((nuint)(MaxEventsPerWait * EpollInterop.EventSize));
        try
        {
            while (true)
            {
                Interlocked.Increment(ref _waiting);
                // The first thread waits for ever; spare ones leave when idle.
                int timeout = Volatile.Read(ref _threads) > 1 ? IdleTimeoutMilliseconds : -1;
                int count = EpollInterop.Wait(_epfd, events, MaxEventsPerWait, timeout);
                int errno = count < 0 ? Marshal.GetLastPInvokeError() : 0;
                int stillWaiting = Interlocked.Decrement(ref _waiting);
                if (count == 0)
                {
                    if (TryRetire())
                    {
                        return;
                    }
                    continue;
                }
                if (count < 0)
                {
                    if (errno == SocketInterop.EIntr)
                    {
                        continue;
                    }
                    Environment.FailFast("epoll_wait failed: " + SocketInterop.Describe(errno));
                }
                if (stillWaiting == 0 && Volatile.Read(ref _threads) < MaxThreads)
                {
                    // Nobody else waits while this thread runs handlers that might block: keep one waiting.
                    StartThread();
                }
                var registrations = Volatile.Read(ref _registrations);
                for (int i = 0; i < count; i++)
                {
                    ulong data = EpollInterop.DataAt(events, i);
                    int slot = (int)(uint)data;
                    var registration = slot < registrations.Length ? Volatile.Read(ref registrations[slot]) : null;
                    if (registration is not null && registration.Data == data)
                    {
                        registration.OnEvents(EpollInterop.EventsAt(events, i));
                    }
                }
            }
        }
        finally
        {
            NativeMemory.Free(events);
        }
    }

    /// <summary>A spare thread that waited in vain leaves, unless it is the last one.</summary>
    private bool TryRetire()
    {
        while (true)
        {
            int threads = Volatile.Read(ref _threads);
            if (threads <= 1)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _threads, threads - 1, threads) == threads)
            {
                return true;
            }
        }
    }
}
