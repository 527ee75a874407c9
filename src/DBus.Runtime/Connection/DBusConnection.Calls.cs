using DBus.CodeAnalysis;
namespace DBus;

public sealed partial class DBusConnection
{
    /// <summary>
    /// Sends a message that expects no reply (a signal, a reply, or a call flagged NO_REPLY_EXPECTED) and returns
    /// its serial at once (dbus-python's send_message). The connection owns the message from now on.
    /// </summary>
    /// <exception cref="DBusDisconnectedException">The connection is closed.</exception>
    /// <exception cref="InvalidOperationException">The message carries descriptors this connection cannot pass, or one
    /// a reader already took.</exception>
    public uint Send(Message message) => _router.Send(message);

    /// <summary>
    /// Calls a method and returns the reply, which the caller disposes. An error reply throws
    /// <see cref="DBusException"/> (a typed subclass for the standard error names). The connection owns
    /// <paramref name="call"/> from now on.
    /// </summary>
    /// <param name="call">A method call message, usually from <see cref="MessageWriter.CreateMethodCall"/>.</param>
    /// <param name="timeout">How long to wait; null for the connection's default (25 s);
    /// <see cref="Timeout.InfiniteTimeSpan"/> to wait for ever.</param>
    /// <param name="cancellationToken">Abandons the wait (the call may still run on the other side).</param>
    /// <exception cref="DBusNoReplyException">No reply arrived in time.</exception>
    /// <exception cref="DBusDisconnectedException">The connection was lost before the reply arrived.</exception>
    public Task<Message> CallAsync(Message call, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var pending = new MessagePendingReply();
        Start(call, pending, timeout, cancellationToken);
        return pending.Completion.Task;
    }

    /// <inheritdoc cref="CallAsync(Message, TimeSpan?, CancellationToken)"/>
    public Task<Message> CallAsync(Message call, CancellationToken cancellationToken) => CallAsync(call, null, cancellationToken);

    /// <summary>
    /// Calls a method and turns the reply into a value with <paramref name="readReply"/>, which runs on the dispatch
    /// thread as soon as the reply arrives, with the reply lent to it as a <see cref="MessageView"/> (generated
    /// proxies use this with their message generator's readers). Besides the task, a call allocates only the
    /// call's <see cref="Message"/>: the reply's state is pooled and needs no object of its own.
    /// </summary>
    /// <inheritdoc cref="CallAsync(Message, TimeSpan?, CancellationToken)"/>
    public Task<T> CallAsync<T>(Message call, [DBusDispatchThread] ReplyReader<T> readReply, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(readReply);
        var pending = ReaderPendingReply<ReplyReader<T>, T>.Rent(ReaderOfReader<T>.Instance, readReply, out var task);
        Start(call, pending, timeout, cancellationToken);
        return task;
    }

    /// <summary>
    /// Calls a method and turns the reply into a value with <paramref name="readReply"/>, which is given
    /// <paramref name="state"/> as well: a reader that needs context can be a static lambda, with no closure per call.
    /// </summary>
    /// <inheritdoc cref="CallAsync{T}(Message, ReplyReader{T}, TimeSpan?, CancellationToken)"/>
    public Task<T> CallAsync<TState, T>(Message call, [DBusDispatchThread] ReplyReader<TState, T> readReply, TState state, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(readReply);
        var pending = ReaderPendingReply<TState, T>.Rent(readReply, state, out var task);
        Start(call, pending, timeout, cancellationToken);
        return task;
    }

    /// <inheritdoc cref="CallAsync{T}(Message, ReplyReader{T}, TimeSpan?, CancellationToken)"/>
    public Task<T> CallAsync<T>(Message call, ReplyReader<T> readReply, CancellationToken cancellationToken) =>
        CallAsync(call, readReply, null, cancellationToken);

    /// <summary>
    /// The form of <see cref="CallAsync{T}(Message, ReplyReader{T}, TimeSpan?, CancellationToken)"/> that allocates
    /// nothing besides the call's <see cref="Message"/> (a <see cref="Task{T}"/> alone is 72 bytes): the task's source is
    /// pooled and goes back to the pool when the outcome is taken. As any <see cref="ValueTask{T}"/>, await it once;
    /// call <see cref="ValueTask{T}.AsTask"/> to await it twice, combine it or block on it. Proxies generated with
    /// <c>org.dbusgen.ValueTasks</c> use this.
    /// </summary>
    /// <exception cref="InvalidOperationException">The task was awaited twice, or its result read before it ended.</exception>
    /// <inheritdoc cref="CallAsync{T}(Message, ReplyReader{T}, TimeSpan?, CancellationToken)"/>
    public ValueTask<T> CallValueTaskAsync<T>(Message call, [DBusDispatchThread] ReplyReader<T> readReply, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        CallValueTaskAsync(call, ReaderOfReader<T>.Instance, readReply, timeout, cancellationToken);

    /// <summary>The form of <see cref="CallAsync{TState, T}(Message, ReplyReader{TState, T}, TState, TimeSpan?, CancellationToken)"/>
    /// that allocates nothing besides the call's <see cref="Message"/> (see <see cref="CallValueTaskAsync{T}(Message, ReplyReader{T}, TimeSpan?, CancellationToken)"/>).</summary>
    /// <exception cref="InvalidOperationException">The task was awaited twice, or its result read before it ended.</exception>
    /// <inheritdoc cref="CallAsync{TState, T}(Message, ReplyReader{TState, T}, TState, TimeSpan?, CancellationToken)"/>
    public ValueTask<T> CallValueTaskAsync<TState, T>(Message call, [DBusDispatchThread] ReplyReader<TState, T> readReply, TState state, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(readReply);
        var pending = ValueTaskPendingReply<TState, T>.Rent(readReply, state);
        var token = pending.Token;
        Start(call, pending, timeout, cancellationToken);
        return new ValueTask<T>(pending, token);
    }

    /// <summary>
    /// Calls a method whose reply carries nothing the caller needs, and completes when it arrives (an error reply
    /// throws): the form of <see cref="CallValueTaskAsync{T}(Message, ReplyReader{T}, TimeSpan?, CancellationToken)"/>
    /// for methods without out arguments, allocating nothing besides the call's <see cref="Message"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The task was awaited twice, or its result read before it ended.</exception>
    /// <inheritdoc cref="CallAsync(Message, TimeSpan?, CancellationToken)"/>
    public ValueTask CallValueTaskAsync(Message call, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var pending = ValueTaskPendingReply<object?, bool>.Rent(s_replyArrived, null);
        var token = pending.Token;
        Start(call, pending, timeout, cancellationToken);
        return new ValueTask(pending, token);
    }

    private static readonly ReplyReader<object?, bool> s_replyArrived = static (_, _) => true;

    /// <summary>Calls a method and waits for the reply, which the caller disposes (dbus-python's
    /// send_message_with_reply_and_block / call_blocking).</summary>
    /// <exception cref="InvalidOperationException">Called on the connection's dispatch thread, where it would deadlock.</exception>
    /// <inheritdoc cref="CallAsync(Message, TimeSpan?, CancellationToken)"/>
    [DBusBlocking]
    public Message Call(Message call, TimeSpan? timeout = null)
    {
        if (IsDispatchThread)
        {
            call?.Dispose();
            ThrowIfDispatchThread(nameof(Call));
        }
        return CallAsync(call!, timeout).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Calls a method, waits for the reply and turns it into a value with <paramref name="readReply"/> (on the
    /// dispatch thread, as for <see cref="CallAsync{T}(Message, ReplyReader{T}, TimeSpan?, CancellationToken)"/>).
    /// The dispatch thread wakes the waiting thread directly: no thread-pool thread takes part, and besides the
    /// call's <see cref="Message"/> nothing is allocated.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called on the connection's dispatch thread, where it would deadlock.</exception>
    /// <inheritdoc cref="CallAsync(Message, TimeSpan?, CancellationToken)"/>
    [DBusBlocking]
    public T Call<T>(Message call, [DBusDispatchThread] ReplyReader<T> readReply, TimeSpan? timeout = null) =>
        Call(call, ReaderOfReader<T>.Instance, readReply, timeout);

    /// <summary>The blocking form of <see cref="CallAsync{TState, T}(Message, ReplyReader{TState, T}, TState, TimeSpan?, CancellationToken)"/>.</summary>
    /// <inheritdoc cref="Call{T}(Message, ReplyReader{T}, TimeSpan?)"/>
    [DBusBlocking]
    public T Call<TState, T>(Message call, [DBusDispatchThread] ReplyReader<TState, T> readReply, TState state, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(readReply);
        if (IsDispatchThread)
        {
            call?.Dispose();
            ThrowIfDispatchThread(nameof(Call));
        }
        var pending = BlockingPendingReply<TState, T>.Rent(readReply, state);
        Start(call!, pending, timeout, default);
        return pending.Wait();
    }

    /// <summary>
    /// Sends a call and returns at once; <paramref name="replyHandler"/> or <paramref name="errorHandler"/>
    /// runs once when it ends (dbus-python's call_async with reply_handler and error_handler): on the dispatch
    /// thread for a reply or an error reply. A timeout, a cancellation or the connection's loss reaches
    /// <paramref name="errorHandler"/> as a <see cref="DBusException"/> too, on the thread that noticed it (a timer
    /// thread, the one that cancelled, the one closing the connection). The reply given to
    /// <paramref name="replyHandler"/> is valid only while it runs. An exception either handler throws is reported
    /// through <see cref="CallbackFailed"/>. With neither handler (dbus-python's call_async without handlers) the
    /// call is sent flagged NO_REPLY_EXPECTED and nothing waits for it.
    /// </summary>
    /// <returns>The pending call, which can be cancelled; its <see cref="PendingCall.Reply"/> completes too.</returns>
    /// <exception cref="ArgumentNullException">Only one of the handlers is null.</exception>
    public PendingCall StartCall(Message call, [DBusDispatchThread] Action<Message>? replyHandler, [DBusDispatchThread] Action<DBusException>? errorHandler, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (replyHandler is null && errorHandler is null)
        {
            if (call.Type != MessageType.MethodCall)
            {
                call.Dispose();
                ThrowHelper.ThrowArgument(nameof(call), $"only a method call can be started; this is a {call.Type}");
            }
            call.AddFlags(MessageFlags.NoReplyExpected);
            return PendingCall.NoReply(this, Send(call));
        }
        if (replyHandler is null || errorHandler is null)
        {
            call.Dispose();
            throw new ArgumentNullException(replyHandler is null ? nameof(replyHandler) : nameof(errorHandler),
                "give both handlers, or neither to send the call without expecting a reply");
        }
        var pending = new CallbackPendingReply(this, replyHandler, errorHandler, null);
        Start(call, pending, timeout, default);
        return new PendingCall(this, pending);
    }

    /// <summary>Sends a call and returns a handle on its reply (dbus-python's send_message_with_reply).</summary>
    public PendingCall SendWithReply(Message call, TimeSpan? timeout = null)
    {
        var pending = new MessagePendingReply();
        Start(call, pending, timeout, default);
        return new PendingCall(this, pending);
    }

    /// <summary>
    /// Calls a method in one line, untyped (dbus-python's call_blocking, async): each of <paramref name="args"/>
    /// (a plain .NET value or a <see cref="Variant"/>) is converted to its type in <paramref name="signature"/>,
    /// and the reply's values come back as variants (<see cref="Variant.ToObject"/> gives plain values).
    /// </summary>
    /// <param name="destination">The bus name to call; null on a peer-to-peer connection.</param>
    /// <param name="path">The object.</param>
    /// <param name="interface">The interface, or null.</param>
    /// <param name="member">The method.</param>
    /// <param name="signature">The signature of the arguments.</param>
    /// <param name="args">The arguments, one per complete type of <paramref name="signature"/>.</param>
    /// <exception cref="ArgumentException">A name is invalid, or the arguments do not fit the signature (nothing is sent).</exception>
    /// <exception cref="DBusException">The peer answered with an error, none came in time, or the connection was lost.</exception>
    public Task<Variant[]> CallMethodAsync([DBusName(DBusNameKind.BusName)] string? destination, ObjectPath path,
        [DBusName(DBusNameKind.InterfaceName)] string? @interface, [DBusName(DBusNameKind.MemberName)] string member,
        [DBusSignature] Signature signature, [DBusArguments("signature")] params object?[] args) =>
        CallMethodAsync(destination, path, @interface, member, signature, args, null, default);

    /// <inheritdoc cref="CallMethodAsync(string?, ObjectPath, string?, string, Signature, object?[])"/>
    /// <param name="destination">The bus name to call; null on a peer-to-peer connection.</param>
    /// <param name="path">The object.</param>
    /// <param name="interface">The interface, or null.</param>
    /// <param name="member">The method.</param>
    /// <param name="signature">The signature of the arguments.</param>
    /// <param name="args">The arguments, one per complete type of <paramref name="signature"/>.</param>
    /// <param name="timeout">How long to wait; null for the connection's default.</param>
    /// <param name="cancellationToken">Abandons the wait.</param>
    public Task<Variant[]> CallMethodAsync([DBusName(DBusNameKind.BusName)] string? destination, ObjectPath path,
        [DBusName(DBusNameKind.InterfaceName)] string? @interface, [DBusName(DBusNameKind.MemberName)] string member,
        [DBusSignature] Signature signature, object?[] args, TimeSpan? timeout, CancellationToken cancellationToken) =>
        CallValuesAsync(destination, path, @interface, member, signature, VariantConverter.FromObjects(args, signature, member), timeout, cancellationToken);

    /// <summary>Calls a method with <paramref name="values"/> (of <paramref name="signature"/> together) as its arguments
    /// and returns the reply's values: the untyped call under <see cref="CallMethodAsync(string?, ObjectPath, string?, string, Signature, object?[])"/>
    /// and <see cref="ProxyObject"/>.</summary>
    internal Task<Variant[]> CallValuesAsync(string? destination, ObjectPath path, string? @interface, string member,
        Signature signature, Variant[] values, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var writer = MessageWriter.CreateMethodCall(destination, path, @interface, member, signature);
        try
        {
            foreach (var value in values)
            {
                writer.WriteValue(value);
            }
        }
        catch
        {
            writer.Dispose();
            throw;
        }
        return CallAsync(writer.ToMessage(), static reply => VariantConverter.ReadValues(reply.GetBodyReader(), reply.Signature), timeout, cancellationToken);
    }

    /// <summary>The blocking form of <see cref="CallMethodAsync(string?, ObjectPath, string?, string, Signature, object?[])"/>
    /// (dbus-python's call_blocking).</summary>
    /// <exception cref="InvalidOperationException">Called on the connection's dispatch thread, where it would deadlock.</exception>
    /// <inheritdoc cref="CallMethodAsync(string?, ObjectPath, string?, string, Signature, object?[])"/>
    [DBusBlocking]
    public Variant[] CallMethod([DBusName(DBusNameKind.BusName)] string? destination, ObjectPath path,
        [DBusName(DBusNameKind.InterfaceName)] string? @interface, [DBusName(DBusNameKind.MemberName)] string member,
        [DBusSignature] Signature signature, [DBusArguments("signature")] params object?[] args)
    {
        ThrowIfDispatchThread(nameof(CallMethod));
        return CallMethodAsync(destination, path, @interface, member, signature, args, null, default).GetAwaiter().GetResult();
    }

    /// <summary>Registers <paramref name="pending"/> under the call's serial, then queues the call.</summary>
    internal void Start(Message call, PendingReply pending, TimeSpan? timeout, CancellationToken cancellationToken) =>
        _router.Start(call, pending, timeout, cancellationToken);

    /// <summary>Ends a pending call without a reply (its reply, if one comes, is dropped).</summary>
    internal bool Cancel(PendingReply pending) => _router.Cancel(pending);
}
