using System.Runtime.CompilerServices;

namespace DBus;

/// <summary>
/// A pending call whose reply is read into a <typeparamref name="T"/> on the dispatch path, before its buffer is
/// released; subclasses publish the outcome to whoever waits. <see cref="ReplyReader{T}"/> calls come here as
/// <see cref="ReplyReader{TState, T}"/> calls whose state is the reader (see <see cref="ReaderOfReader{T}"/>).
/// </summary>
internal abstract class TypedPendingReply<TState, T> : PendingReply
{
    private ReplyReader<TState, T>? _reader;
    private TState? _state;

    protected T? Value { get; private set; }

    protected Exception? Error { get; private set; }

    protected void Arm(ReplyReader<TState, T> reader, TState state)
    {
        _reader = reader;
        _state = state;
    }

    /// <summary>Forgets the last call, before the object serves another.</summary>
    protected void Reset()
    {
        _reader = null;
        _state = default;
        Value = default;
        Error = null;
        Serial = 0;
        Deadline = 0;
        Cancellation = default;
    }

    /// <summary>Hands the outcome (<see cref="Value"/> or <see cref="Error"/>) to the waiting caller.</summary>
    protected abstract void Publish();

    protected override void OnComplete(Message reply)
    {
        using (reply)
        {
            Read(reply);
        }
        Publish();
    }

    /// <summary>Reads the reply through a view and releases it: no <see cref="Message"/> is made for it.</summary>
    protected override void OnComplete(MessageData reply)
    {
        try
        {
            Read(new MessageView(reply));
        }
        finally
        {
            reply.Release();
        }
        Publish();
    }

    protected override void OnFail(Exception exception)
    {
        Error = exception;
        Publish();
    }

    private void Read(MessageView reply)
    {
        if (reply.Type == MessageType.Error)
        {
            Error = ToException(reply);
            return;
        }
        try
        {
            Value = _reader!(reply, _state!);
        }
        catch (Exception e)
        {
            Error = e;
        }
    }
}

/// <summary>Runs a <see cref="ReplyReader{T}"/> given as the state of a <see cref="ReplyReader{TState, T}"/>.</summary>
internal static class ReaderOfReader<T>
{
    public static readonly ReplyReader<ReplyReader<T>, T> Instance = static (reply, reader) => reader(reply);
}

/// <summary>
/// A typed pending call whose caller awaits a task (the generated proxies' calls). Pooled, so the task is all a call
/// allocates here. The outcome is published from this object run as a work item once the dispatch turn that read the
/// reply is over: on that reactor thread when there is one (the continuation then runs where the reply was read, with
/// no hop), else on the thread pool (preferring the dispatching thread's local queue). Never during dispatch, so a
/// blocking call in the continuation cannot deadlock.
/// </summary>
internal sealed class ReaderPendingReply<TState, T> : TypedPendingReply<TState, T>, IThreadPoolWorkItem
{
    // The thread that publishes an outcome usually runs the continuation that makes the next call, which then
    // takes this object back; the shared part covers many calls in flight.
    private static readonly ObjectPool<ReaderPendingReply<TState, T>> s_pool = new(256);

    private AsyncTaskMethodBuilder<T> _builder;

    private ReaderPendingReply()
    {
    }

    /// <summary>A pending call for <paramref name="reader"/>, and the task its outcome completes.</summary>
    public static ReaderPendingReply<TState, T> Rent(ReplyReader<TState, T> reader, TState state, out Task<T> task)
    {
        var pending = s_pool.TryRent() ?? new ReaderPendingReply<TState, T>();
        pending.Arm(reader, state);
        pending._builder = AsyncTaskMethodBuilder<T>.Create();
        task = pending._builder.Task;
        return pending;
    }

    protected override void Publish()
    {
        if (!Transport.SocketReactor.RunAfterEvent(this))
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
        }
    }

    /// <summary>Publishes the outcome, after handing this object back: the continuation may call again at once.</summary>
    void IThreadPoolWorkItem.Execute()
    {
        var builder = _builder;
        var value = Value;
        var exception = Error;
        _builder = default;
        Reset();
        s_pool.Return(this);
        if (exception is null)
        {
            builder.SetResult(value!);
        }
        else
        {
            builder.SetException(exception);
        }
    }
}

/// <summary>
/// A typed pending call whose caller blocks until it ends (<see cref="DBusConnection.Call{T}(Message, ReplyReader{T}, TimeSpan?)"/>):
/// the dispatch thread reads the reply and wakes that thread directly, with no thread-pool hop. A thread waits for
/// one call at a time, so each thread keeps one of these for itself.
/// </summary>
internal sealed class BlockingPendingReply<TState, T> : TypedPendingReply<TState, T>
{
    [ThreadStatic]
    private static BlockingPendingReply<TState, T>? t_cached;

    // No spinning: a blocked caller sleeps until the reply's thread wakes it, and costs no CPU meanwhile.
    private readonly ManualResetEventSlim _ended = new(false, spinCount: 0);

    private BlockingPendingReply()
    {
    }

    public static BlockingPendingReply<TState, T> Rent(ReplyReader<TState, T> reader, TState state)
    {
        var pending = t_cached ?? new BlockingPendingReply<TState, T>();
        t_cached = null;
        pending.Arm(reader, state);
        return pending;
    }

    protected override void Publish() => _ended.Set();

    /// <summary>Waits for the end the pending-call table guarantees (reply, error, timeout, disconnection), returns
    /// the value or throws, and keeps this object for the thread's next call.</summary>
    public T Wait()
    {
        _ended.Wait();
        var value = Value;
        var exception = Error;
        _ended.Reset();
        Reset();
        t_cached = this;
        if (exception is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(exception);
        }
        return value!;
    }
}
