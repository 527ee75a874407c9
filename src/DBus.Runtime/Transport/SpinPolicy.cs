namespace DBus.Transport;

/// <summary>
/// Decides, once per wait of a reactor thread, whether the thread polls for its next event for up to
/// <see cref="SocketReactor.SpinMicroseconds"/> before sleeping (<c>SocketReactor.SpinForEvent</c>). Only while it
/// pays: the last event came within a spin's time of starting to wait (a peer that answers that fast), the thread pool
/// did no work since the last wait, and the last event brought one message, not several. Work the pool did, or a
/// burst, means the process or its peer has more to do than this event loop (continuations of pipelined calls, the
/// writer loop), and a spin would take a core from it: Echo with 64 in flight ran at 270,000-405,000 calls/s with the
/// spin and at 577,000-594,000 without it. Measured on the 2-core VM, side by side: sleeping at once, every round trip
/// paid two wake-ups from an idle virtual CPU (sequential Echo 26,711 calls/s at 20.4 µs client CPU per call);
/// spinning always wasted CPU through dbus-daemon, whose replies take longer than the spin (74 µs per call), and slowed
/// pipelined calls (176,226 calls/s); spinning only while it pays gave 94,263 calls/s at 10.0 µs, and no row worse than
/// sleeping at once (docs/performance.md). A process with one core never spins (the reactor makes no policy): the
/// peer could only run once the spin is over. Nor does a thread after an event of a connection to a message bus with
/// at most one call of its own waiting: the next message there needs dbus-daemon and the peer to run first, and the
/// spin's yields handed them this core at a cost (sequential Echo through dbus-daemon, side by side: 10,000-11,200
/// calls/s at 24-26 µs client and 23-24 µs server CPU per call with the spin, 12,700-13,000 at 9-15 and 15-22 µs with
/// this rule). With many calls waiting, answers stream in and the spin pays as peer-to-peer (Echo with 64 in flight
/// through dbus-daemon: 80,000-83,000 calls/s with every spin, 64,000-68,000 with none, 71,000-76,000 with this rule,
/// under which the server, with no calls of its own waiting, no longer spins).
/// </summary>
/// <remarks>Used by the reactor's threads one at a time (a second thread runs only while the first is stalled in a
/// handler), so its fields are plain hints, not synchronised.</remarks>
internal sealed class SpinPolicy(long spinTicks)
{
    private bool _lastEventCameFast;
    private long _poolWorkAtLastWait;

    /// <summary>Whether the wait about to start should spin first.</summary>
    /// <param name="burst">The last event brought several messages (see <see cref="SocketReactor.NoteBurst"/>).</param>
    /// <param name="brokered">The last event brought a message of a connection to a message bus with at most one call
    /// of its own waiting (see <see cref="SocketReactor.NoteBrokered"/>).</param>
    /// <param name="poolWorkItems"><see cref="ThreadPool.CompletedWorkItemCount"/> now: noted, and compared with the
    /// count at the last wait.</param>
    public bool ShouldSpin(bool burst, bool brokered, long poolWorkItems)
    {
        bool poolIdle = poolWorkItems == _poolWorkAtLastWait;
        _poolWorkAtLastWait = poolWorkItems;
        return _lastEventCameFast && poolIdle && !burst && !brokered;
    }

    /// <summary>Notes how long the wait that just ended lasted, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    public void OnWaitEnded(long waitedTicks) => _lastEventCameFast = waitedTicks < spinTicks;
}
