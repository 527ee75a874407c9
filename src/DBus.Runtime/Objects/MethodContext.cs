using DBus.CodeAnalysis;

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
    // Stands in _caller once the call ended, so a late token request cannot take a hold nobody would release.
    private static readonly object s_ended = new();

    private readonly CancellationToken _closing;
    private readonly CallerTracker? _callers;
    // The caller's unique name when _callers is set, read up front: the token may be asked for on another thread just
    // as the call ends and its request is disposed.
    private readonly string? _sender;
    // Null, the CallerTracker.Caller this call holds, or s_ended.
    private object? _caller;
    // The caller this call held, kept after the hold is dropped: its token and whether it left.
    private CallerTracker.Caller? _heldCaller;
    private int _replied;

    // closing fires when the connection closes; callers follows the bus caller (Sender), which may leave before this
    // connection does: null on a peer-to-peer connection, where the connection closing is that signal.
    internal MethodContext(DBusConnection connection, Message request, CancellationToken closing, CallerTracker? callers, int methodIndex)
    {
        MethodIndex = methodIndex;
        Connection = connection;
        Request = request;
        _closing = closing;
        _callers = callers;
        _sender = callers is null ? null : request.Sender;
    }

    /// <summary>The connection the call arrived on (to emit signals or call back).</summary>
    public DBusConnection Connection { get; }

    /// <summary>The method call; read its arguments with <see cref="Message.GetBodyReader"/>.</summary>
    public Message Request { get; }

    /// <summary>The object path called (for a fallback handler, the path below its own).</summary>
    public ObjectPath Path => Request.Path ?? ObjectPath.Root;

    /// <summary>
    /// Which method was called: its position (from 0) among the <c>&lt;method&gt;</c> elements of the handler's
    /// <see cref="IDBusInterfaceHandler.IntrospectionXml"/>, as the connection matched the call's name and signature.
    /// Generated handlers dispatch on it instead of comparing names again; a hand-written handler may too.
    /// </summary>
    public int MethodIndex { get; }

    /// <summary>The method name.</summary>
    public string Member => Request.Member!;

    /// <summary>The caller's unique name (null on a peer-to-peer connection).</summary>
    public string? Sender => Request.Sender;

    /// <summary>True when the caller asked for no reply (NO_REPLY_EXPECTED): replies are then dropped.</summary>
    public bool NoReplyExpected => (Request.Flags & MessageFlags.NoReplyExpected) != 0;

    /// <summary>
    /// Fires when nobody can receive the reply any more: the connection is lost or closed, or, on a bus, the caller
    /// (<see cref="Sender"/>) left the bus while this call was in progress. A reply sent after that is dropped.
    /// </summary>
    public CancellationToken CancellationToken => _callers is null ? _closing : (HoldCaller() ?? Volatile.Read(ref _heldCaller))?.Token ?? _closing;

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
        bool drop = Interlocked.Exchange(ref _replied, 1) != 0 || IsCallerGone;
        if (!drop && reply.Type == MessageType.Error)
        {
            CallTelemetry.ErrorReplied(this, reply.ErrorName);
        }
        // Answered: the caller need not be watched any more. Dropped before sending, so the bus has the watch's
        // rule removed before the caller sees the reply.
        ReleaseCaller();
        if (drop)
        {
            reply.Dispose();
            return;
        }
        CallReplies.Reply(Connection, Request, reply);
    }

    /// <summary>Sends an empty method return (for a method without out arguments).</summary>
    public void Reply() => Reply(MessageWriter.CreateMethodReturn(Request).ToMessage());

    /// <summary>Sends an error reply.</summary>
    /// <param name="errorName">The D-Bus error name (checked by the analyzers when constant).</param>
    /// <param name="message">The human-readable message, or null for none.</param>
    /// <exception cref="ArgumentException"><paramref name="errorName"/> is not a valid error name.</exception>
    public void ReplyError([DBusName(DBusNameKind.ErrorName)] string errorName, string? message) => Reply(MessageWriter.CreateError(Request, errorName, message).ToMessage());

    /// <summary>Marks the call answered; true when this is the first answer.</summary>
    internal bool TryMarkReplied() => Interlocked.Exchange(ref _replied, 1) == 0;

    /// <summary>True when the caller left the bus (or the connection closed) during the call.</summary>
    internal bool IsCallerGone => Volatile.Read(ref _heldCaller)?.IsGone == true;

    /// <summary><see cref="CancellationToken"/>'s state, without taking a hold on the caller.</summary>
    internal bool IsCancellationRequested => _closing.IsCancellationRequested || IsCallerGone;

    /// <summary>The handler is still running after it yielded: watch the caller leave the bus from now on.</summary>
    internal void WatchCaller()
    {
        if (_callers is not null && HoldCaller() is { } caller)
        {
            _callers.Watch(caller);
        }
    }

    /// <summary>The call was answered or ended: drop the hold on its caller, if it took one.</summary>
    internal void ReleaseCaller()
    {
        if (_callers is not null && Interlocked.Exchange(ref _caller, s_ended) is CallerTracker.Caller caller)
        {
            _callers.Release(caller);
        }
    }

    /// <summary>The caller this call holds, taking the hold on first use; null once the call ended.</summary>
    private CallerTracker.Caller? HoldCaller()
    {
        var current = Volatile.Read(ref _caller);
        if (current is null)
        {
            var acquired = _callers!.Acquire(_sender!);
            current = Interlocked.CompareExchange(ref _caller, acquired, null);
            if (current is null)
            {
                Volatile.Write(ref _heldCaller, acquired);
                return acquired;
            }
            // Another thread took the hold first, or the call ended meanwhile.
            _callers.Release(acquired);
        }
        return current as CallerTracker.Caller;
    }
}
