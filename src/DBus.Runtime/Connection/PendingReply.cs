namespace DBus;

/// <summary>
/// A call waiting for its reply. Exactly one of <see cref="Complete"/> and <see cref="Fail"/> runs, once, on
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

    public abstract void Fail(Exception exception);

    /// <summary>The exception an error reply stands for: its name, and its first argument when that is a string.</summary>
    public static DBusException ToException(Message error)
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

/// <summary>A pending call whose reply is read into a typed value on the dispatch path, before its buffer is released.</summary>
internal sealed class ReaderPendingReply<T>(Func<Message, T> reader) : PendingReply
{
    public readonly TaskCompletionSource<T> Completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Complete(Message reply)
    {
        using (reply)
        {
            if (reply.Type == MessageType.Error)
            {
                Completion.TrySetException(ToException(reply));
                return;
            }
            T value;
            try
            {
                value = reader(reply);
            }
            catch (Exception e)
            {
                Completion.TrySetException(e);
                return;
            }
            Completion.TrySetResult(value);
        }
    }

    public override void Fail(Exception exception) => Completion.TrySetException(exception);
}

/// <summary>A pending call answered through callbacks (dbus-python's call_async reply and error handlers).</summary>
internal sealed class CallbackPendingReply(Action<Message> onReply, Action<DBusException> onError, Action<Exception>? onFailure) : PendingReply
{
    public override void Complete(Message reply)
    {
        using (reply)
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
    }

    public override void Fail(Exception exception)
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
}
