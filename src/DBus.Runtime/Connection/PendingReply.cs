using System.Runtime.CompilerServices;

namespace DBus;

/// <summary>
/// A call waiting for its reply. Exactly one of <see cref="Complete(MessageData)"/> and <see cref="Fail"/> runs, once,
/// on the connection's dispatch path (replies) or wherever the call ended otherwise (timeout, cancellation,
/// disconnection); <see cref="PendingCallTable"/> guarantees the "once". Both report the call's end to its
/// <see cref="Telemetry"/> first, when someone observes calls.
/// </summary>
internal abstract class PendingReply
{
    public uint Serial { get; set; }

    /// <summary>The call's duration and span, while a listener observes calls; null otherwise.</summary>
    public CallTelemetry? Telemetry { get; set; }

    /// <summary>When the call times out (<see cref="Environment.TickCount64"/> milliseconds).</summary>
    public long Deadline { get; set; }

    public CancellationTokenRegistration Cancellation { get; set; }

    /// <summary>Takes the reply (method return or error), received without a <see cref="Message"/> handle.</summary>
    public void Complete(MessageData reply)
    {
        ReportEnd(reply.Header.Type == MessageType.Error ? reply.Header.ErrorName ?? DBusErrorNames.Failed : null);
        OnComplete(reply);
    }

    /// <summary>Ends the call without a reply (timeout, cancellation, disconnection, a failed send).</summary>
    public void Fail(Exception exception)
    {
        ReportEnd(CallTelemetry.ErrorName(exception));
        OnFail(exception);
    }

    /// <summary>Takes the reply; by default it gets a <see cref="Message"/> handle for <see cref="OnComplete(Message)"/>.</summary>
    protected virtual void OnComplete(MessageData reply) => OnComplete(new Message(reply));

    /// <summary>Takes the reply (method return or error); the implementation disposes it.</summary>
    protected abstract void OnComplete(Message reply);

    protected abstract void OnFail(Exception exception);

    private void ReportEnd(string? errorName)
    {
        if (Telemetry is { } telemetry)
        {
            Telemetry = null;
            telemetry.Stop(errorName);
        }
    }

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

    protected override void OnComplete(Message reply)
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

    protected override void OnFail(Exception exception) => Completion.TrySetException(exception);
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

    protected override void OnComplete(Message reply)
    {
        using (reply)
        {
            Read(reply);
        }
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
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

    protected override void OnFail(Exception exception)
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
    protected override void OnComplete(Message reply)
    {
        using (reply)
        {
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

    protected override void OnFail(Exception exception)
    {
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
