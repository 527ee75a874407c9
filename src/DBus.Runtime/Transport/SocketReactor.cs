using System.Runtime.InteropServices;

namespace DBus.Transport;

/// <summary>
/// The I/O engine of every Unix socket the library owns: an edge-triggered epoll set and its thread, which reports
/// each socket's readiness to its <see cref="ReactorRegistration"/>. The process runs one per core (up to 8) and
/// spreads sockets over them in turn. No thread per connection and no thread blocked per wait: an idle connection
/// costs a registration and nothing else.
/// </summary>
/// <remarks>
/// <para>A readable event is handled on the thread that received it: a connection reads and dispatches its messages
/// right there (one wake-up per message, as a dedicated thread gave), while async waits (a handshake, a full send
/// buffer) are completed on the thread pool.</para>
/// <para>Dispatch runs user code (handlers, filters) that may block although it should not. So when every reactor
/// thread has been busy for <see cref="StallMilliseconds"/>, a watchdog starts another (up to
/// <see cref="MaxThreads"/>) to go on waiting in epoll, and a thread that comes back from its events while another
/// already waits leaves. A reactor whose handlers do not block so runs on one thread: several threads waiting on one
/// epoll set would take turns, each wake-up on a cold thread (measured: 6 µs more per round trip).</para>
/// </remarks>
internal sealed unsafe class SocketReactor
{
    /// <summary>The most threads all the reactors run together, however many handlers block.</summary>
    public const int MaxThreads = 32;

    /// <summary>How long a reactor thread polls for the next event before it sleeps (see SpinForEvent).</summary>
    public const int SpinMicroseconds = 50;

    private static readonly bool s_singleCore = Environment.ProcessorCount == 1;
    private static readonly long s_spinTicks = System.Diagnostics.Stopwatch.Frequency * SpinMicroseconds / 1_000_000;

    /// <summary>How long every reactor thread may be busy with events before another is started.</summary>
    public const int StallMilliseconds = 50;

    // One event per wait: an event taken by a thread whose handler then blocks would wait behind it, while the
    // thread the watchdog starts would have run it. Draining each socket until it is empty keeps the waits few.
    private const int MaxEventsPerWait = 1;

    // Readable always; writable only while a send waits for room (ReactorRegistration.UpdateWriteInterest): with
    // EPOLLOUT always on, every time the peer read what this side wrote, the kernel's write-space wake-up woke a
    // reactor thread for nothing (measured: three context switches per call instead of one, a third of the CPU).
    private const uint ReadEvents = EpollInterop.EpollIn | EpollInterop.EpollRdHup | EpollInterop.EpollEdgeTriggered;

    // One reactor (an epoll set and its thread) per core, up to 8; sockets are spread over them in turn, so the
    // connections of a busy process are read in parallel. Several threads on one epoll set would take turns instead.
    private static readonly Lazy<SocketReactor[]> s_reactors = new(() =>
        Enumerable.Range(0, Math.Clamp(Environment.ProcessorCount, 1, 8)).Select(_ => new SocketReactor()).ToArray());

    private static int s_nextReactor = -1;
    private static int s_allThreads;

    // What the current event published for after its handling (see RunAfterEvent); null on other threads.
    [ThreadStatic]
    private static AfterEvent? t_afterEvent;

    // Set while handling an event that brought more than one message (see NoteBurst); read and cleared before the next wait.
    [ThreadStatic]
    private static bool t_burst;

    // Set while handling a message of a connection to a bus with at most one call waiting (see NoteBrokered); read and
    // cleared before the next wait.
    [ThreadStatic]
    private static bool t_brokered;

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
    // Whether a wait polls before it sleeps; null with one core, where the peer could only run once a spin is over.
    private readonly SpinPolicy? _spin = s_singleCore ? null : new SpinPolicy(s_spinTicks);
    // When the last waiting thread left epoll_wait (so every thread has been busy since, if none waits now).
    private long _allBusySince;
    private int _watchdogArmed;
    private readonly Timer _watchdog;

    private SocketReactor()
    {
        _epfd = EpollInterop.Create(EpollInterop.EpollCloExec);
        if (_epfd < 0)
        {
            throw new IOException("epoll_create1 failed: " + SocketInterop.Describe(Marshal.GetLastPInvokeError()));
        }
        _watchdog = new Timer(static state => ((SocketReactor)state!).CheckStall(), this, Timeout.Infinite, Timeout.Infinite);
        StartThread();
    }

    /// <summary>The reactor for a new socket: the process's reactors (started on first use) in turn.</summary>
    public static SocketReactor ForNewSocket()
    {
        var reactors = s_reactors.Value;
        return reactors[(int)((uint)Interlocked.Increment(ref s_nextReactor) % (uint)reactors.Length)];
    }

    /// <summary>Threads all reactors run now (for tests and diagnostics).</summary>
    public static int ThreadCount => Volatile.Read(ref s_allThreads);

    /// <summary>Sockets registered with any reactor now (for tests and diagnostics).</summary>
    public static int RegistrationCount => s_reactors.Value.Sum(reactor => reactor.Registrations);

    private int Registrations
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
        int errno = EpollInterop.Add(_epfd, fd, ReadEvents, data);
        if (errno != 0)
        {
            Release(registration);
            throw new IOException($"epoll_ctl(ADD) for {description} failed: {SocketInterop.Describe(errno)}");
        }
        return registration;
    }

    /// <summary>Sets what the registration watches (readable, and writable when <paramref name="writable"/>) and asks
    /// for its current readiness as a new event: edge-triggered epoll raises one at once when the socket is ready, so
    /// what arrived before a read handler was set, or room that came before a send started waiting, is not missed.</summary>
    internal void Rearm(ReactorRegistration registration, bool writable)
    {
        uint events = writable ? ReadEvents | EpollInterop.EpollOut : ReadEvents;
        int errno = EpollInterop.Modify(_epfd, registration.Fd, events, registration.Data);
        if (errno != 0)
        {
            throw new IOException($"epoll_ctl(MOD) for {registration.Description} failed: {SocketInterop.Describe(errno)}");
        }
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
        Interlocked.Increment(ref s_allThreads);
        var thread = new Thread(Run) { IsBackground = true, Name = "D-Bus I/O" };
        thread.UnsafeStart();
    }

    /// <summary>
    /// On a reactor thread, takes <paramref name="item"/> (a call's outcome) to run once the current event is handled
    /// and returns true; elsewhere returns false. The event's only outcome runs on this thread once its connection's
    /// dispatch turn is over, as sd-bus reads a reply on the calling thread: one thread wakes per call instead of the
    /// reactor's and then a pool thread. A continuation that blocks there cannot deadlock: the turn is over, so the
    /// connection is free to be read by the thread the watchdog starts. From a second outcome in the same event on
    /// (replies to calls pipelined together), each goes to the thread pool at once, where the continuations run in
    /// parallel while this thread reads on: held to the end of the turn, they left the pool idle while it read, and
    /// Echo with 64 in flight lost a quarter of its calls per second (docs/performance.md). Only while an event is
    /// handled: a continuation already running here after its event may end another call at once (cancelled before it
    /// was sent, refused), and may block on it; that outcome goes to the pool, or nothing would ever run it.
    /// </summary>
    public static bool RunAfterEvent(IThreadPoolWorkItem item)
    {
        var afterEvent = t_afterEvent;
        if (afterEvent is null || !afterEvent.InEvent)
        {
            return false;
        }
        if (afterEvent.Several)
        {
            ThreadPool.UnsafeQueueUserWorkItem(item, preferLocal: false);
        }
        else if (afterEvent.Held is null)
        {
            afterEvent.Held = item;
        }
        else
        {
            afterEvent.Several = true;
            t_burst = true;
            ThreadPool.UnsafeQueueUserWorkItem(afterEvent.Held, preferLocal: false);
            afterEvent.Held = null;
            ThreadPool.UnsafeQueueUserWorkItem(item, preferLocal: false);
        }
        return true;
    }

    /// <summary>Tells the reactor thread running this (if it is one) that the event brought several messages at once:
    /// a peer that pipelines, not one waiting for each answer, so the thread should not spin before its next wait.</summary>
    public static void NoteBurst() => t_burst = true;

    /// <summary>Tells the reactor thread running this (if it is one) that the event came from a connection to a message
    /// bus with no stream of answers on its way (at most one call of its own waiting): the next message needs the bus
    /// and a third process to run first, so the thread should not spin before its next wait (see <see cref="SpinPolicy"/>).</summary>
    public static void NoteBrokered() => t_brokered = true;

    /// <summary>Whether <see cref="NoteBrokered"/> was called on this thread since its last wait (tests read it from
    /// code a dispatch runs).</summary>
    internal static bool BrokeredNoted => t_brokered;

    private void Run()
    {
        byte* events = (byte*)NativeMemory.Alloc((nuint)(MaxEventsPerWait * EpollInterop.EventSize));
        var afterEvent = t_afterEvent = new AfterEvent();
        // The context this thread starts with (nothing flowing), put back after every event, as a pool thread is after
        // every work item: user code run here (handlers, continuations) must not leave its AsyncLocals or its
        // SynchronizationContext to the next connection's.
        var clean = ExecutionContext.Capture();
        try
        {
            while (true)
            {
                Interlocked.Increment(ref _waiting);
                long waitStart = System.Diagnostics.Stopwatch.GetTimestamp();
                bool burst = t_burst;
                bool brokered = t_brokered;
                t_burst = t_brokered = false;
                int count = _spin is { } spin && spin.ShouldSpin(burst, brokered, ThreadPool.CompletedWorkItemCount) ? SpinForEvent(events) : 0;
                if (count == 0)
                {
                    count = EpollInterop.Wait(_epfd, events, MaxEventsPerWait, -1);
                }
                _spin?.OnWaitEnded(System.Diagnostics.Stopwatch.GetTimestamp() - waitStart);
                int errno = count < 0 ? Marshal.GetLastPInvokeError() : 0;
                if (Interlocked.Decrement(ref _waiting) == 0)
                {
                    Volatile.Write(ref _allBusySince, Environment.TickCount64);
                    ArmWatchdog();
                }
                if (count < 0)
                {
                    if (errno == SocketInterop.EIntr)
                    {
                        continue;
                    }
                    Environment.FailFast("epoll_wait failed: " + SocketInterop.Describe(errno));
                }
                var registrations = Volatile.Read(ref _registrations);
                for (int i = 0; i < count; i++)
                {
                    ulong data = EpollInterop.DataAt(events, i);
                    int slot = (int)(uint)data;
                    var registration = slot < registrations.Length ? Volatile.Read(ref registrations[slot]) : null;
                    if (registration is not null && registration.Data == data)
                    {
                        afterEvent.InEvent = true;
                        registration.OnEvents(EpollInterop.EventsAt(events, i));
                        afterEvent.InEvent = false;
                    }
                    RunAfterEventWork(afterEvent);
                    RestoreContext(clean);
                }
                if (Volatile.Read(ref _waiting) > 0 && TryRetire())
                {
                    return; // another thread waits already: this one was started for a stall that is over
                }
            }
        }
        finally
        {
            NativeMemory.Free(events);
        }
    }

    /// <summary>
    /// Polls for the next event for up to <see cref="SpinMicroseconds"/> before sleeping, when the <see cref="SpinPolicy"/>
    /// says it pays. Between polls the thread yields its core (sched_yield) rather than busy-waiting: the policy's
    /// conditions are guesses, and a spin they let through under pipelined load still held a core that a runnable
    /// thread of this process or its peer wanted (Echo with 64 in flight: 500,000 calls/s busy-waiting, 605,000
    /// yielding, 630,000 for a dedicated thread per connection; sequential Echo 111,000 against 104,000).
    /// </summary>
    /// <returns>The events taken (0: none came, sleep).</returns>
    private int SpinForEvent(byte* events)
    {
        long until = System.Diagnostics.Stopwatch.GetTimestamp() + s_spinTicks;
        while (true)
        {
            int count = EpollInterop.Wait(_epfd, events, MaxEventsPerWait, 0);
            if (count != 0 || System.Diagnostics.Stopwatch.GetTimestamp() >= until)
            {
                return count < 0 ? 0 : count;
            }
            Thread.Yield();
        }
    }

    /// <summary>Runs the continuation the event's dispatch turn left for this thread, if it left one (see <see cref="RunAfterEvent"/>).</summary>
    private static void RunAfterEventWork(AfterEvent afterEvent)
    {
        afterEvent.Several = false;
        var held = afterEvent.Held;
        if (held is not null)
        {
            afterEvent.Held = null;
            held.Execute();
        }
    }

    /// <summary>What one event published to run after it (see <see cref="RunAfterEvent"/>).</summary>
    private sealed class AfterEvent
    {
        // True while the thread handles an event (a connection's dispatch turn): only then are outcomes held.
        public bool InEvent;

        // The event's only outcome so far, to run on this thread once the event is handled.
        public IThreadPoolWorkItem? Held;

        // Set once the event published a second outcome: the rest go to the thread pool as they come.
        public bool Several;
    }

    private static void RestoreContext(ExecutionContext? clean)
    {
        if (SynchronizationContext.Current is not null)
        {
            SynchronizationContext.SetSynchronizationContext(null);
        }
        if (clean is not null && ExecutionContext.Capture() != clean)
        {
            ExecutionContext.Restore(clean);
        }
    }

    private void ArmWatchdog()
    {
        if (Interlocked.CompareExchange(ref _watchdogArmed, 1, 0) == 0)
        {
            _watchdog.Change(StallMilliseconds, Timeout.Infinite);
        }
    }

    /// <summary>On a timer: when no thread has waited in epoll for <see cref="StallMilliseconds"/>, starts one.</summary>
    private void CheckStall()
    {
        Volatile.Write(ref _watchdogArmed, 0);
        if (Volatile.Read(ref _waiting) > 0)
        {
            return;
        }
        long busy = Environment.TickCount64 - Volatile.Read(ref _allBusySince);
        if (busy >= StallMilliseconds && Volatile.Read(ref s_allThreads) < MaxThreads)
        {
            StartThread();
        }
        else if (Volatile.Read(ref _waiting) == 0)
        {
            ArmWatchdog(); // busy, but not for long enough yet: look again
        }
    }

    /// <summary>A thread leaves, unless it is the last one.</summary>
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
                Interlocked.Decrement(ref s_allThreads);
                return true;
            }
        }
    }
}
