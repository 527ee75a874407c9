using System.Runtime.CompilerServices;

namespace DBus;

/// <summary>
/// A call waiting for its reply. Exactly one of <see cref="Complete(Message)"/> and <see cref="Fail"/> runs, once, on
/// the connection's dispatch path (replies) or wherever the call ended otherwise (timeout, cancellation,
/// disconnection); <see cref="PendingCallTable"/> guarantees the "once".
/// </summary>
internal abstract class PendingReply
{
    public uint Serial { get; set; }

    /// <summary>When the call times out (<see cref="Environment.TickCount64"/> milliseconds).</summary>
    public long Deadline { get; set; }

    public CancellationTokenRegistration Cancellation { get; set; }

    /// <summary>Takes the reply (method return or error); the implementation disposes it.</summary>
    public abstract void Complete(Message reply);

    /// <summary>Takes a reply received without a <see cref="Message"/> handle; by default it gets one.</summary>
    public virtual void Complete(MessageData reply) => Complete(new Message(reply));

    public abstract void Fail(Exception exception);

    /// <summary>The exception an error reply stands for: its name, and its first argument when that is a string.</summary>
    public static DBusException ToException(MessageView error)
    {
        string? text = null;
        if (error.Signature.Count > 0 && error.Signature[0].FirstType == DBusType.String)
        {
            try
            {
                text = error.GetBodyReader().ReadString();
            }
            catch (DBusProtocolException)
            {
                // The bus validated the message; a peer-to-peer peer may not have. The name says enough.
            }
        }
        return DBusException.Create(error.ErrorName ?? DBusErrorNames.Failed, text);
    }
}

/// <summary>A pending call whose caller awaits the reply message itself.</summary>
internal sealed class MessagePendingReply : PendingReply
{
    public readonly TaskCompletionSource<Message> Completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Complete(Message reply)
    {
        if (reply.Type == MessageType.Error)
        {
            using (reply)
            {
                Completion.TrySetException(ToException(reply));
            }
        }
        else if (!Completion.TrySetResult(reply))
        {
            reply.Dispose();
        }
    }

    public override void Fail(Exception exception) => Completion.TrySetException(exception);
}

/// <summary>
/// A pending call whose reply is read into a typed value on the dispatch path, before its buffer is released
/// (the generated proxies' calls). Pooled, so the task the caller awaits is all a call allocates here. The
/// outcome is published from a thread-pool work item (this object), so the caller's continuation never runs on
/// the dispatch thread; the item prefers the dispatching thread's local queue, where it runs as soon as the
/// dispatch loop waits for the socket again.
/// </summary>
internal sealed class ReaderPendingReply<T> : PendingReply, IThreadPoolWorkItem
{
    // The thread that publishes an outcome usually runs the continuation that makes the next call, which then
    // takes this object back; the shared part covers many calls in flight.
    private static readonly ObjectPool<ReaderPendingReply<T>> s_pool = new(256);

    private ReplyReader<T>? _reader;
    private AsyncTaskMethodBuilder<T> _builder;
    private T? _value;
    private Exception? _exception;

    private ReaderPendingReply()
    {
    }

    /// <summary>A pending call for <paramref name="reader"/>, and the task its outcome completes.</summary>
    public static ReaderPendingReply<T> Rent(ReplyReader<T> reader, out Task<T> task)
    {
        var pending = s_pool.TryRent() ?? new ReaderPendingReply<T>();
        pending._reader = reader;
        pending._builder = AsyncTaskMethodBuilder<T>.Create();
        task = pending._builder.Task;
        return pending;
    }

    public override void Complete(Message reply)
    {
        using (reply)
        {
            Read(reply);
        }
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
    }

    /// <summary>Reads the reply through a view and releases it: no <see cref="Message"/> is made for it.</summary>
    public override void Complete(MessageData reply)
    {
        try
        {
            Read(new MessageView(reply));
        }
        finally
        {
            reply.Release();
        }
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
    }

    private void Read(MessageView reply)
    {
        if (reply.Type == MessageType.Error)
        {
            _exception = ToException(reply);
            return;
        }
        try
        {
            _value = _reader!(reply);
        }
        catch (Exception e)
        {
            _exception = e;
        }
    }

    public override void Fail(Exception exception)
    {
        _exception = exception;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
    }

    /// <summary>Publishes the outcome, after handing this object back: the continuation may call again at once.</summary>
    void IThreadPoolWorkItem.Execute()
    {
        var builder = _builder;
        var value = _value;
        var exception = _exception;
        _builder = default;
        _value = default;
        _exception = null;
        _reader = null;
        Serial = 0;
        Deadline = 0;
        Cancellation = default;
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
/// A pending call answered through callbacks (dbus-python's call_async reply and error handlers). A handler's
/// exception is reported through <see cref="DBusConnection.CallbackFailed"/> and goes no further: an error handler
/// runs on the timer's thread for a timeout, inside the connection's shutdown for a disconnection and inside
/// <see cref="CancellationTokenSource.Cancel()"/> for a cancellation, where a throw would end the process or
/// leave the other pending calls unfailed.
/// </summary>
internal sealed class CallbackPendingReply(DBusConnection connection, Action<Message> onReply, Action<DBusException> onError, Action<Exception>? onFailure) : PendingReply
{
    private readonly Lock _lock = new();
    // PendingCall.Reply, made on first read: a reply gets a reference of its own only when someone asked for it.
    private TaskCompletionSource<Message>? _replyTask;
    private bool _ended;
    private Exception? _failure;

    /// <summary>The outcome as a task (see <see cref="PendingCall.Reply"/>).</summary>
    public Task<Message> ReplyTask
    {
        get
        {
            lock (_lock)
            {
                if (_replyTask is null)
                {
                    _replyTask = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
                    if (_ended)
                    {
                        _replyTask.SetException(_failure ?? new InvalidOperationException(
                            "the reply went to the reply handler and was released: read PendingCall.Reply before the reply arrives to get it too"));
                    }
                }
                return _replyTask.Task;
            }
        }
    }

    private TaskCompletionSource<Message>? End(Exception? failure)
    {
        lock (_lock)
        {
            _ended = true;
            _failure = failure;
            return _replyTask;
        }
    }

    public override void Complete(Message reply)
    {
        using (reply)
        {
            var waiter = End(reply.Type == MessageType.Error ? ToException(reply) : null);
            if (waiter is not null)
            {
                if (_failure is { } error)
                {
                    waiter.TrySetException(error);
                }
                else if (!waiter.TrySetResult(reply.AddReference()))
                {
                    reply.Dispose();
                }
            }
            try
            {
                if (reply.Type == MessageType.Error)
                {
                    onError(ToException(reply));
                }
                else
                {
                    onReply(reply);
                }
            }
            catch (Exception e)
            {
                connection.OnCallbackFailed(e);
            }
        }
    }

    public override void Fail(Exception exception)
    {
        End(exception)?.TrySetException(exception);
        try
        {
            if (onFailure is not null)
            {
                onFailure(exception);
            }
            else
            {
                onError(exception as DBusException ?? new DBusException(DBusErrorNames.Failed, exception.Message, exception));
            }
        }
        catch (Exception e)
        {
            connection.OnCallbackFailed(e);
        }
    }
}
