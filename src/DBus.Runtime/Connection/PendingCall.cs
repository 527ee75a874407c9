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
    /// The reply (for <see cref="DBusConnection.SendWithReply"/>; the caller disposes it). Faults with a
    /// <see cref="DBusException"/> for an error reply, a timeout or the connection's loss, and is cancelled by
    /// <see cref="Cancel"/>. For <see cref="DBusConnection.StartCall"/> the handlers get the outcome and this
    /// task never completes.
    /// </summary>
    public Task<Message> Reply => _pending is MessagePendingReply message ? message.Completion.Task : s_never;

    /// <summary>Stops waiting: the reply, if one comes, is dropped; the error handler (or <see cref="Reply"/>)
    /// sees an <see cref="OperationCanceledException"/>. Returns false when the call had already ended.</summary>
    public bool Cancel() => _connection.Cancel(_pending);

    private static readonly Task<Message> s_never = new TaskCompletionSource<Message>().Task;
}
