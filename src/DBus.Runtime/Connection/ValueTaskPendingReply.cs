using System.Threading.Tasks.Sources;

namespace DBus;

/// <summary>
/// A typed pending call whose caller awaits a <see cref="ValueTask{T}"/> (<see cref="DBusConnection.CallValueTaskAsync{T}(Message, ReplyReader{T}, TimeSpan?, CancellationToken)"/>
/// and the proxies generated with <c>org.dbusgen.ValueTasks</c>): the object is the task's source and is pooled, so a
/// call allocates nothing here at all. The outcome is published the way <see cref="ReaderPendingReply{TState, T}"/>
/// publishes it (after the dispatch turn, never during it), and the object goes back to the pool when the awaiter
/// takes the outcome. The task's token changes with each use, so a stale task (awaited twice) fails instead of
/// reading another call's outcome.
/// </summary>
internal sealed class ValueTaskPendingReply<TState, T> : TypedPendingReply<TState, T>, IThreadPoolWorkItem, IValueTaskSource<T>, IValueTaskSource
{
    private static readonly ObjectPool<ValueTaskPendingReply<TState, T>> s_pool = new(256);

    // Continuations run where the outcome is set: that is already after the dispatch turn (see Publish).
    private ManualResetValueTaskSourceCore<T> _core;

    // The token whose outcome may still be taken, or -1 once it was: of two awaiters of one task (a misuse), or a stale
    // one racing the object's next call, only one can claim it, so the object is never handed back twice.
    private int _claimable = -1;

    private ValueTaskPendingReply()
    {
    }

    /// <summary>A pending call for <paramref name="reader"/>; <see cref="Token"/> is its task's token.</summary>
    public static ValueTaskPendingReply<TState, T> Rent(ReplyReader<TState, T> reader, TState state)
    {
        var pending = s_pool.TryRent() ?? new ValueTaskPendingReply<TState, T>();
        pending.Arm(reader, state);
        pending._claimable = pending._core.Version;
        return pending;
    }

    public short Token => _core.Version;

    protected override void Publish()
    {
        if (!Transport.SocketReactor.RunAfterEvent(this))
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        // The continuation may run inside these calls, take the outcome and hand this object to another call: nothing
        // here touches the object after them.
        if (Error is { } exception)
        {
            _core.SetException(exception);
        }
        else
        {
            _core.SetResult(Value!);
        }
    }

    public T GetResult(short token)
    {
        // A stale token (the task awaited again after its outcome was taken) throws here, before anything is reset.
        if (_core.GetStatus(token) == ValueTaskSourceStatus.Pending)
        {
            throw new InvalidOperationException(
                "the call has not ended: a ValueTask from a D-Bus call can be awaited once, not waited on (use AsTask() to block or await it twice)");
        }
        if (Interlocked.CompareExchange(ref _claimable, -1, token) != token)
        {
            throw new InvalidOperationException("the outcome of this call was already taken: a ValueTask can be awaited once");
        }
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            Reset();
            s_pool.Return(this);
        }
    }

    void IValueTaskSource.GetResult(short token) => GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
