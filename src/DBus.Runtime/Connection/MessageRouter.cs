namespace DBus;

/// <summary>
/// The router under <see cref="DBusConnection"/>: numbers outgoing calls and matches replies to pending calls, runs
/// the dispatch loop, and routes each incoming message: replies to their pending call, then the filters, then signals
/// to the <see cref="SignalDispatcher"/> and method calls through <see cref="IMethodCallHandler"/> to the object
/// server. It ends every pending call and runs the disconnection handlers when the stream is lost.
/// </summary>
internal sealed class MessageRouter
{
    // The router whose incoming message this thread is dispatching right now, if any.
    [ThreadStatic]
    private static MessageRouter? t_dispatching;

    private readonly DBusConnection _connection;
    private readonly MessageStream _stream;
    private readonly TimeSpan _defaultCallTimeout;
    private readonly PendingCallTable _pending = new();
    private readonly SignalDispatcher _signals;
    private readonly Lock _disconnectLock = new();
    private List<Action<DBusConnection, Exception>>? _disconnectHandlers = [];
    private IMethodCallHandler _methodCalls;
    private Task _dispatchLoop = Task.CompletedTask;
    private int _disposed;
    // Connected to a message bus (DBusConnectionOptions.IsBus).
    private readonly bool _toBus;

    public MessageRouter(DBusConnection connection, MessageStream stream, TimeSpan defaultCallTimeout, SignalDispatcher signals, IMethodCallHandler methodCalls, bool toBus)
    {
        _toBus = toBus;
        _connection = connection;
        _stream = stream;
        _defaultCallTimeout = defaultCallTimeout;
        _signals = signals;
        _methodCalls = methodCalls;
    }

    public MessageFilterChain Filters { get; } = new();

    public int PendingCallCount => _pending.Count;

    /// <summary>True when the current thread is dispatching this router's incoming messages.</summary>
    public bool IsDispatchThread => t_dispatching == this;

    /// <summary>True once the owner closed the connection (as opposed to losing it).</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// True on a <see cref="DBusServer"/>'s client connection: a client that believes it talks to a bus (gdbus call
    /// --address does) says Hello first, and gets its unique name as a bus would answer.
    /// </summary>
    public bool AnswersHello { get; set; }

    /// <summary>Whether this end connected (a client) or was accepted by a <see cref="DBusServer"/>, for telemetry.</summary>
    private string Role => AnswersHello ? Telemetry.RoleServer : Telemetry.RoleClient;

    /// <summary>Where method calls go: the connection's object server (tests put their own handler at this seam).</summary>
    public IMethodCallHandler MethodCalls
    {
        get => _methodCalls;
        set => _methodCalls = value;
    }

    /// <summary>True on the dispatch thread while more received messages wait: what it sends now is batched.</summary>
    private bool MoreToDispatch => IsDispatchThread && _stream.HasBufferedMessage;

    /// <summary>Starts reading and dispatching incoming messages.</summary>
    public void StartDispatching()
    {
        Telemetry.ConnectionOpened(Role);
        if (!_stream.CanNotifyReady)
        {
            _dispatchLoop = Task.Run(DispatchLoopAsync);
            return;
        }
        // Driven by the reactor: a readable socket runs the pump on the reactor thread that saw it, no thread of its own.
        var pump = new DispatchPump(_stream, Dispatch, reason => OnDisconnected(
            reason as DBusDisconnectedException ?? new DBusDisconnectedException("the connection failed: " + reason.Message, reason)));
        _dispatchLoop = pump.Completion;
        pump.Start();
    }

    /// <summary>Queues a message that expects no reply; returns its serial.</summary>
    public uint Send(Message message) => _stream.Enqueue(message, null, mayWriteInline: !MoreToDispatch);

    /// <summary>Registers <paramref name="pending"/> under the call's serial, then queues the call.</summary>
    public void Start(Message call, PendingReply pending, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (call.Type != MessageType.MethodCall)
        {
            call.Dispose();
            ThrowHelper.ThrowArgument(nameof(call), $"only a method call gets a reply; this is a {call.Type}");
        }
        if ((call.Flags & MessageFlags.NoReplyExpected) != 0)
        {
            call.Dispose();
            ThrowHelper.ThrowArgument(nameof(call), "the call is flagged NO_REPLY_EXPECTED, so no reply will come: use Send");
        }
        if (cancellationToken.IsCancellationRequested)
        {
            call.Dispose();
            pending.Fail(new OperationCanceledException(cancellationToken));
            return;
        }
        uint serial = call.Serial;
        if (serial == 0)
        {
            serial = _stream.NextSerial();
            call.SetSerial(serial);
        }
        pending.Serial = serial;
        pending.Telemetry = CallTelemetry.StartClient(call);
        int inFlight;
        try
        {
            inFlight = _pending.Add(pending, timeout ?? _defaultCallTimeout, cancellationToken);
        }
        catch (Exception e)
        {
            call.Dispose();
            pending.Fail(e);
            return;
        }
        try
        {
            // A lone call is written at once (latency); with others in flight, calls are batched (throughput).
            _stream.Enqueue(call, null, mayWriteInline: inFlight == 1 && !MoreToDispatch);
        }
        catch (Exception e)
        {
            if (_pending.TryRemove(serial, pending))
            {
                pending.Cancellation.Dispose();
                pending.Fail(e);
            }
        }
    }

    /// <summary>Ends a pending call without a reply (its reply, if one comes, is dropped).</summary>
    public bool Cancel(PendingReply pending)
    {
        if (!_pending.TryRemove(pending.Serial, pending))
        {
            return false;
        }
        pending.Cancellation.Dispose();
        pending.Fail(new OperationCanceledException("the call was cancelled"));
        return true;
    }

    /// <summary>Registers a handler that runs once when the connection is lost or closed (at once if it is already).</summary>
    public void CallOnDisconnection(Action<DBusConnection, Exception> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_disconnectLock)
        {
            if (_disconnectHandlers is not null)
            {
                _disconnectHandlers.Add(handler);
                return;
            }
        }
        RunCallback(() => handler(_connection, _stream.CloseReason ?? new DBusDisconnectedException("the connection was closed")));
    }

    /// <summary>Closes the stream, waits a little for the dispatch loop (unless called from it), releases everything.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stream.Close(null);
        // The loop ends as soon as the stream is shut down; it is not awaited from the dispatch thread itself.
        if (!IsDispatchThread)
        {
            _dispatchLoop.Wait(TimeSpan.FromSeconds(5));
        }
        _stream.Dispose();
        _pending.Dispose();
    }

    /// <inheritdoc cref="Dispose"/>
    /// <remarks>Holds no thread while the dispatch and write loops end (a server disposes departed clients this way).</remarks>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stream.Close(null);
        if (!IsDispatchThread)
        {
            await _dispatchLoop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await _stream.DisposeAsync().ConfigureAwait(false);
        _pending.Dispose();
    }

    private async Task DispatchLoopAsync()
    {
        Exception? reason = null;
        try
        {
            while (true)
            {
                var message = await _stream.ReceiveDataAsync().ConfigureAwait(false);
                var pendingWork = Dispatch(message);
                if (!pendingWork.IsCompletedSuccessfully)
                {
                    await pendingWork.ConfigureAwait(false);
                }
            }
        }
        catch (Exception e)
        {
            reason = e;
        }
        OnDisconnected(reason as DBusDisconnectedException ?? new DBusDisconnectedException("the connection failed: " + reason?.Message, reason));
    }

    /// <summary>Routes one incoming message; completes synchronously unless a full signal queue makes it wait.</summary>
    private ValueTask Dispatch(MessageData received)
    {
        t_dispatching = this;
        if (_toBus && _pending.Count <= 1)
        {
            // No stream of answers on its way: the next message needs dbus-daemon and a peer to run first.
            Transport.SocketReactor.NoteBrokered();
        }
        try
        {
            Telemetry.MessageReceived(received.Length);
            ref readonly var header = ref received.Header;
            // Queues watching calls, returns or errors get a copy first; the message goes on as usual.
            var watched = header.Type == MessageType.Signal ? default : _signals.DeliverAddressed(received);
            if (!watched.IsCompletedSuccessfully)
            {
                return CompleteAfter(watched, Route(received));
            }
            return Route(received);
        }
        finally
        {
            t_dispatching = null;
        }
    }

    private static async ValueTask CompleteAfter(ValueTask first, ValueTask second)
    {
        await first.ConfigureAwait(false);
        await second.ConfigureAwait(false);
    }

    /// <summary>Routes one incoming message: a reply to its pending call, the rest through the filters to the signal
    /// dispatcher or the method-call handler.</summary>
    private ValueTask Route(MessageData received)
    {
        ref readonly var header = ref received.Header;
        if (header.Type is MessageType.MethodReturn or MessageType.Error
            && header.ReplySerial != 0
            && _pending.TakeForReply(header.ReplySerial) is { } pending)
        {
            try
            {
                pending.Complete(received);
            }
            catch (Exception e)
            {
                _connection.OnCallbackFailed(e);
            }
            return default;
        }

        // Everything else may reach user code as a Message.
        var message = new Message(received);

        if (Filters.Run(_connection, message))
        {
            message.Dispose();
            return default;
        }

        switch (message.Type)
        {
            case MessageType.Signal:
                return _signals.Dispatch(message);
            case MessageType.MethodCall:
                DispatchMethodCall(message);
                return default;
            default:
                // A late reply (its call timed out or was cancelled) or an unknown type: nobody wants it.
                message.Dispose();
                return default;
        }
    }

    private void DispatchMethodCall(Message call)
    {
        bool handedOff = false;
        try
        {
            if (AnswersHello && BusMessages.IsHello(call))
            {
                CallReplies.Reply(_connection, call, BusMessages.HelloReply(call, _connection.AssignUniqueName()));
            }
            else
            {
                handedOff = _methodCalls.HandleMethodCall(_connection, call);
            }
        }
        catch (DBusDisconnectedException)
        {
            // The caller is gone with the connection; there is nobody to answer.
        }
        finally
        {
            if (!handedOff)
            {
                call.Dispose();
            }
        }
    }

    private void OnDisconnected(DBusDisconnectedException reason)
    {
        Telemetry.ConnectionClosed(Role);
        _stream.Close(reason);
        _pending.FailAll(_stream.CloseReason ?? reason);
        _signals.CompleteQueues(_stream.CloseReason ?? reason);
        List<Action<DBusConnection, Exception>>? handlers;
        lock (_disconnectLock)
        {
            handlers = _disconnectHandlers;
            _disconnectHandlers = null;
        }
        // The handlers run where dispatch ran, and count as dispatch: one that disposes the connection must not wait
        // for the end of the very loop it runs in.
        var outer = t_dispatching;
        t_dispatching = this;
        try
        {
            foreach (var handler in handlers ?? [])
            {
                RunCallback(() => handler(_connection, _stream.CloseReason ?? reason));
            }
        }
        finally
        {
            t_dispatching = outer;
        }
        // Exit only when the connection was lost, not when its owner closed it.
        if (_connection.ExitOnDisconnect && !IsDisposed)
        {
            Environment.Exit(1);
        }
    }

    private void RunCallback(Action callback)
    {
        try
        {
            callback();
        }
        catch (Exception e)
        {
            _connection.OnCallbackFailed(e);
        }
    }
}
