namespace DBus;

public sealed partial class DBusConnection
{
    // The connection whose incoming message this thread is dispatching right now, if any.
    [ThreadStatic]
    private static DBusConnection? t_dispatching;

    private readonly Lock _disconnectLock = new();
    private List<Action<DBusConnection, Exception>>? _disconnectHandlers = [];

    /// <summary>
    /// Raised when a filter, signal handler, reply callback or exported object throws, or when a
    /// <see cref="SignalStream{T}"/> skips a signal it cannot read; the exception is caught so the connection
    /// (or the stream) lives on. Without a subscriber such exceptions are ignored.
    /// </summary>
    public event Action<DBusConnection, Exception>? CallbackFailed;

    /// <summary>True when the current thread is dispatching this connection's incoming messages.</summary>
    internal bool IsDispatchThread => t_dispatching == this;

    /// <summary>
    /// Registers <paramref name="handler"/> to run once when the connection is lost or closed, with the reason
    /// (a <see cref="DBusDisconnectedException"/>). If it is already lost the handler runs at once.
    /// </summary>
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
        RunCallback(() => handler(this, DisconnectReason ?? new DBusDisconnectedException("the connection was closed")));
    }

    internal void ThrowIfDispatchThread(string operation)
    {
        if (IsDispatchThread)
        {
            ThrowHelper.ThrowInvalidOperation(
                $"{operation} blocks until the connection answers, but it was called on this connection's dispatch thread " +
                "(from a filter, a signal or method handler, or a reply callback), which is the thread that would deliver the " +
                "answer: it would deadlock. Use the async method and await it, or call it from another thread.");
        }
    }

    /// <summary>The dispatch loop on a thread of its own, for transports that can wait on the calling thread.</summary>
    private void DispatchLoop()
    {
        Exception? reason = null;
        try
        {
            while (true)
            {
                var message = _stream.ReceiveData();
                var pendingWork = Dispatch(message);
                if (!pendingWork.IsCompletedSuccessfully)
                {
                    // A full signal queue in Wait mode: this thread is ours to block until a reader makes room.
                    pendingWork.AsTask().GetAwaiter().GetResult();
                }
            }
        }
        catch (Exception e)
        {
            reason = e;
        }
        OnDisconnected(reason as DBusDisconnectedException ?? new DBusDisconnectedException("the connection failed: " + reason?.Message, reason));
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
        try
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
                    OnCallbackFailed(e);
                }
                return default;
            }

            // Everything else may reach user code as a Message.
            var message = new Message(received);

            if (RunFilters(message))
            {
                message.Dispose();
                return default;
            }

            switch (message.Type)
            {
                case MessageType.Signal:
                    return DispatchSignal(message);
                case MessageType.MethodCall:
                    DispatchMethodCall(message);
                    return default;
                default:
                    // A late reply (its call timed out or was cancelled) or an unknown type: nobody wants it.
                    message.Dispose();
                    return default;
            }
        }
        finally
        {
            t_dispatching = null;
        }
    }

    private void OnDisconnected(DBusDisconnectedException reason)
    {
        _stream.Close(reason);
        _pending.FailAll(_stream.CloseReason ?? reason);
        CompleteQueues(_stream.CloseReason ?? reason);
        List<Action<DBusConnection, Exception>>? handlers;
        lock (_disconnectLock)
        {
            handlers = _disconnectHandlers;
            _disconnectHandlers = null;
        }
        foreach (var handler in handlers ?? [])
        {
            RunCallback(() => handler(this, _stream.CloseReason ?? reason));
        }
        // Exit only when the connection was lost, not when its owner closed it.
        if (ExitOnDisconnect && Volatile.Read(ref _disposed) == 0)
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
            OnCallbackFailed(e);
        }
    }

    internal void OnCallbackFailed(Exception exception)
    {
        try
        {
            CallbackFailed?.Invoke(this, exception);
        }
        catch (Exception)
        {
            // A failing failure handler has nowhere left to report to.
        }
    }
}
