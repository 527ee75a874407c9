using System.Threading.Tasks.Sources;

namespace DBus.Transport;

/// <summary>
/// One direction (readable or writable) of a socket registered with the <see cref="SocketReactor"/>: counts the
/// readiness events, and lets one async operation at a time wait for the next one without holding a thread.
/// </summary>
/// <remarks>
/// The reactor is edge-triggered, so an event that comes between a system call's EAGAIN and the wait would be lost.
/// The count closes that gap: read <see cref="Sequence"/> before the system call, and <see cref="WaitAsync"/> returns
/// at once when an event came since.
/// </remarks>
internal sealed class ReadinessWaiter : IValueTaskSource
{
    private readonly Lock _lock = new();
    private readonly bool _continueOnReactor;
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private long _sequence;
    private bool _waiting;
    private bool _closed;
    private CancellationTokenRegistration _cancellation;

    /// <param name="continueOnReactor">Whether the waiter's continuation runs on the reactor thread that saw the event
    /// (only for library code that does not block, such as the rest of a send), instead of the thread pool.</param>
    public ReadinessWaiter(bool continueOnReactor) => _continueOnReactor = continueOnReactor;

    /// <summary>True while an operation waits.</summary>
    public bool IsWaiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting;
            }
        }
    }

    /// <summary>How many readiness events came so far.</summary>
    public long Sequence => Volatile.Read(ref _sequence);

    /// <summary>Completes when an event comes after <paramref name="observed"/> (at once if one already has), when the
    /// socket is closed, or faults with <see cref="OperationCanceledException"/> when the token fires.</summary>
    public ValueTask WaitAsync(long observed, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_sequence != observed || _closed)
            {
                return default;
            }
            if (_waiting)
            {
                ThrowHelper.ThrowInvalidOperation("another operation is already waiting on this socket in the same direction");
            }
            cancellationToken.ThrowIfCancellationRequested();
            _core.Reset();
            _waiting = true;
        }
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((ReadinessWaiter)state!).Cancel(token), this);
        }
        return new ValueTask(this, _core.Version);
    }

    /// <summary>An event came (on a reactor thread): wakes the waiter, if any.</summary>
    public void Signal() => Signal(onReactor: true);

    private void Signal(bool onReactor)
    {
        lock (_lock)
        {
            _sequence++;
            if (!_waiting)
            {
                return;
            }
            _waiting = false;
        }
        // Saves a hop per wake-up for a large message sent to a slow reader (several per message).
        _core.RunContinuationsAsynchronously = !(onReactor && _continueOnReactor);
        _core.SetResult(true);
    }

    /// <summary>The socket is shut down: this and every later wait completes at once (the system call that follows
    /// reports what happened).</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }
        Signal(onReactor: false);
    }

    private void Cancel(CancellationToken token)
    {
        lock (_lock)
        {
            if (!_waiting)
            {
                return;
            }
            _waiting = false;
        }
        _core.RunContinuationsAsynchronously = true;
        _core.SetException(new OperationCanceledException(token));
    }

    void IValueTaskSource.GetResult(short token)
    {
        _cancellation.Dispose();
        _cancellation = default;
        _core.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
