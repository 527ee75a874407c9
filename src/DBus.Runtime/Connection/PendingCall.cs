namespace DBus;

/// <summary>A method call in flight, from <see cref="DBusConnection.StartCall"/> or <see cref="DBusConnection.SendWithReply"/>.</summary>
public sealed class PendingCall
{
    private readonly DBusConnection _connection;
    private readonly PendingReply _pending;

    internal PendingCall(DBusConnection connection, PendingReply pending)
    {
        _connection = connection;
        _pending = pending;
    }

    /// <summary>The serial of the call.</summary>
    public uint Serial => _pending.Serial;

    /// <summary>
    /// The reply (the caller disposes it). Faults with a <see cref="DBusException"/> for an error reply, a timeout or
    /// the connection's loss, and is cancelled by <see cref="Cancel"/>. For <see cref="DBusConnection.StartCall"/> the
    /// handlers get the outcome and this task completes as well: with a reply of its own when read before the reply
    /// arrived, else (the reply went to the handler and was released) with an <see cref="InvalidOperationException"/>
    /// that says so; for a call started without handlers (NO_REPLY_EXPECTED), with an
    /// <see cref="InvalidOperationException"/> at once.
    /// </summary>
    public Task<Message> Reply => _pending switch
    {
        MessagePendingReply message => message.Completion.Task,
        CallbackPendingReply callback => callback.ReplyTask,
        _ => s_noReply,
    };

    /// <summary>Stops waiting: the reply, if one comes, is dropped; the error handler (or <see cref="Reply"/>)
    /// sees an <see cref="OperationCanceledException"/>. Returns false when the call had already ended.</summary>
    public bool Cancel() => _connection.Cancel(_pending);

    private static readonly Task<Message> s_noReply = Task.FromException<Message>(
        new InvalidOperationException("the call was sent with NO_REPLY_EXPECTED: no reply comes"));

    /// <summary>A call sent without expecting a reply: nothing to wait for or cancel.</summary>
    internal static PendingCall NoReply(DBusConnection connection, uint serial) => new(connection, new SentPendingReply { Serial = serial });

    /// <summary>Stands for a call sent with NO_REPLY_EXPECTED: never registered, so never completed or failed.</summary>
    private sealed class SentPendingReply : PendingReply
    {
        protected override void OnComplete(Message reply) => reply.Dispose();

        protected override void OnFail(Exception exception)
        {
        }
    }
}
