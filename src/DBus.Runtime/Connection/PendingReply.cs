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

    protected override void OnComplete(Message reply)
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

    protected override void OnFail(Exception exception)
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
