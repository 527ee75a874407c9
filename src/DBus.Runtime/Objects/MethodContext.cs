namespace DBus;

/// <summary>
/// One incoming method call being handled by an <see cref="IDBusInterfaceHandler"/>: the request, the connection
/// it came on, and the ways to answer it. Exactly one reply is sent per call; later ones are ignored.
/// </summary>
/// <remarks>
/// The request stays readable until the handler's task completes; read the arguments before the first await
/// (a <see cref="MessageReader"/> cannot cross one).
/// </remarks>
public sealed class MethodContext
{
    private int _replied;

    internal MethodContext(DBusConnection connection, Message request, CancellationToken cancellationToken)
    {
        Connection = connection;
        Request = request;
        CancellationToken = cancellationToken;
    }

    /// <summary>The connection the call arrived on (to emit signals or call back).</summary>
    public DBusConnection Connection { get; }

    /// <summary>The method call; read its arguments with <see cref="Message.GetBodyReader"/>.</summary>
    public Message Request { get; }

    /// <summary>The object path called (for a fallback handler, the path below its own).</summary>
    public ObjectPath Path => Request.Path ?? ObjectPath.Root;

    /// <summary>The method name.</summary>
    public string Member => Request.Member!;

    /// <summary>The caller's unique name (null on a peer-to-peer connection).</summary>
    public string? Sender => Request.Sender;

    /// <summary>True when the caller asked for no reply (NO_REPLY_EXPECTED): replies are then dropped.</summary>
    public bool NoReplyExpected => (Request.Flags & MessageFlags.NoReplyExpected) != 0;

    /// <summary>Fires when the connection is lost or closed: nobody can receive the reply any more.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>True once a reply (or error) was sent or dropped for this call.</summary>
    public bool ReplySent => Volatile.Read(ref _replied) != 0;

    /// <summary>Starts the method return; write the out arguments in order, then pass <c>writer.ToMessage()</c> to
    /// <see cref="Reply(Message)"/>.</summary>
    public MessageWriter CreateReply(Signature signature = default) => MessageWriter.CreateMethodReturn(Request, signature);

    /// <summary>Sends <paramref name="reply"/>, a method return or error built for <see cref="Request"/>
    /// (dropped when no reply is expected or one was sent already).</summary>
    public void Reply(Message reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (Interlocked.Exchange(ref _replied, 1) != 0)
        {
            reply.Dispose();
            return;
        }
        Connection.Reply(Request, reply);
    }

    /// <summary>Sends an empty method return (for a method without out arguments).</summary>
    public void Reply() => Reply(MessageWriter.CreateMethodReturn(Request).ToMessage());

    /// <summary>Sends an error reply.</summary>
    public void ReplyError(string errorName, string? message) => Reply(MessageWriter.CreateError(Request, errorName, message).ToMessage());

    /// <summary>Marks the call answered; true when this is the first answer.</summary>
    internal bool TryMarkReplied() => Interlocked.Exchange(ref _replied, 1) == 0;
}
