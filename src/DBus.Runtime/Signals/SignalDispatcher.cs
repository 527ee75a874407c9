namespace DBus;

/// <summary>
/// The signal side of a connection: signal receivers and message queues with their match rules, the rules' life on
/// the bus (<see cref="MatchRegistry"/>), and the trackers that follow name owners (<see cref="NameOwnerTracker"/>
/// for well-known senders, <see cref="CallerTracker"/> for callers of method calls in flight). The router hands it
/// every incoming signal through <see cref="Dispatch"/>.
/// </summary>
internal sealed class SignalDispatcher
{
    private readonly DBusConnection _connection;
    private readonly bool _isBus;
    private readonly CancellationToken _closing;
    private readonly Lock _lock = new();
    // Copy-on-write snapshots read by the dispatch loop.
    private SignalSubscription[] _receivers = [];
    private MessageQueue[] _queues = [];
    private CallerTracker? _callers;

    public SignalDispatcher(DBusConnection connection, bool isBus, CancellationToken closing)
    {
        _connection = connection;
        _isBus = isBus;
        _closing = closing;
        Matches = new MatchRegistry(connection);
        Owners = new NameOwnerTracker(connection, Matches);
    }

    /// <summary>The rules added on the bus, counted by users.</summary>
    public MatchRegistry Matches { get; }

    /// <summary>The well-known senders followed for receivers and queues.</summary>
    public NameOwnerTracker Owners { get; }

    /// <summary>Follows bus callers with calls in flight (created on first need: a client-only connection has none).</summary>
    public CallerTracker Callers =>
        Volatile.Read(ref _callers) ?? Interlocked.CompareExchange(ref _callers, new CallerTracker(_connection, Matches, _closing), null) ?? _callers!;

    /// <summary>Adds a receiver: the rule goes on the bus (and its well-known sender is followed) before it is active.</summary>
    public async Task<SignalSubscription> AddReceiverAsync(MatchRule rule, SignalHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(handler);
        rule = AsSignalRule(rule);
        string? wellKnown = await SubscribeAsync(rule, cancellationToken).ConfigureAwait(false);
        var receiver = new SignalSubscription(rule, handler, wellKnown, _isBus ? Owners.GetOwner : null, Remove);
        lock (_lock)
        {
            _receivers = [.. _receivers, receiver];
        }
        return receiver;
    }

    /// <summary>The active receivers, in the order added.</summary>
    public IReadOnlyList<SignalSubscription> Receivers => Volatile.Read(ref _receivers);

    /// <summary>
    /// Removes every receiver whose handler is <paramref name="handler"/> (when given) and whose rule has every key
    /// of <paramref name="criteria"/> (when given): dbus-python's remove_signal_receiver. Returns how many went.
    /// </summary>
    public int RemoveReceivers(SignalHandler? handler, MatchRule? criteria)
    {
        var matching = Array.FindAll(Volatile.Read(ref _receivers),
            r => (handler is null || r.Handler.Equals(handler)) && (criteria is null || r.Rule.HasKeysOf(criteria)));
        foreach (var receiver in matching)
        {
            receiver.Dispose();
        }
        return matching.Length;
    }

    private void Remove(SignalSubscription receiver)
    {
        lock (_lock)
        {
            _receivers = Array.FindAll(_receivers, r => r != receiver);
        }
        Unsubscribe(receiver.Rule, receiver.WellKnownSender);
    }

    /// <summary>Adds a queue for the messages matching <paramref name="rule"/> (see <see cref="DBusConnection.WatchAsync"/>).</summary>
    public async Task<MessageQueue> WatchAsync(MatchRule rule, MessageQueueOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        options ??= MessageQueueOptions.Default;
        // The queue keeps a frozen copy: a change to the caller's rule cannot leave another rule on the bus.
        rule = rule.Freeze();
        string? wellKnown = rule.Type is null or MessageType.Signal
            ? await SubscribeAsync(AsSignalRule(rule), cancellationToken).ConfigureAwait(false)
            : null;
        var queue = new MessageQueue(rule, options, wellKnown);
        lock (_lock)
        {
            if (!_connection.IsConnected)
            {
                queue.Complete(_connection.DisconnectReason);
            }
            _queues = [.. _queues, queue];
        }
        queue.SetDisposeAction(() =>
        {
            lock (_lock)
            {
                _queues = Array.FindAll(_queues, q => q != queue);
            }
            if (rule.Type is null or MessageType.Signal)
            {
                Unsubscribe(AsSignalRule(rule), wellKnown);
            }
        });
        return queue;
    }

    /// <summary><paramref name="rule"/> as a signal rule: its type is taken as signal when not set.</summary>
    /// <exception cref="ArgumentException">The rule is of another type.</exception>
    public static MatchRule AsSignalRule(MatchRule rule) => rule.Type switch
    {
        MessageType.Signal or null => rule.Freeze(MessageType.Signal),
        _ => throw new ArgumentException($"a signal receiver needs a rule of type signal, not {rule.Type}", nameof(rule)),
    };

    /// <summary>Delivers one signal to the receivers and queues that match, and releases it; completes synchronously
    /// unless a full queue with the Wait policy makes it wait.</summary>
    public ValueTask Dispatch(Message message)
    {
        if (_isBus)
        {
            Owners.Observe(message);
            Volatile.Read(ref _callers)?.Observe(message);
        }
        var receivers = Volatile.Read(ref _receivers);
        foreach (var receiver in receivers)
        {
            if (receiver.IsActive && receiver.Rule.Matches(message, receiver.WellKnownSender is { } name ? Owners.GetOwner(name) : null))
            {
                try
                {
                    receiver.Handler(new SignalContext(_connection, message));
                }
                catch (Exception e)
                {
                    _connection.OnCallbackFailed(e);
                }
            }
        }
        var waiting = DeliverToQueues(message);
        message.Dispose();
        return waiting;
    }

    /// <summary>
    /// Gives a copy of a message that is not a signal (a method call, return or error addressed to this connection)
    /// to the queues whose rule is of its type or of none (<see cref="DBusConnection.WatchAsync"/>); the message
    /// itself goes on to its pending call or handler. Costs nothing while no such queue exists.
    /// </summary>
    public ValueTask DeliverAddressed(MessageData received)
    {
        // On the path of every reply: no allocation unless a queue may want the message.
        var queues = Volatile.Read(ref _queues);
        var type = received.Header.Type;
        bool wanted = false;
        foreach (var queue in queues)
        {
            wanted |= Takes(queue, type);
        }
        return wanted ? DeliverCopy(received, type) : default;
    }

    // Apart, so the closure over 'type' is allocated only when a copy is delivered.
    private ValueTask DeliverCopy(MessageData received, MessageType type)
    {
        var copy = Copy(received);
        try
        {
            return DeliverToQueues(copy, q => Takes(q, type));
        }
        finally
        {
            copy.Dispose();
        }
    }

    private static bool Takes(MessageQueue queue, MessageType type) => queue.Rule.Type is null || queue.Rule.Type == type;

    // A copy with its own buffer and duplicated descriptors: the original is read (and released) by its consumer.
    private static Message Copy(MessageData data)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(data.Length);
        data.Buffer.AsSpan(0, data.Length).CopyTo(buffer);
        var fds = data.UnixFds.Length == 0 ? [] : new UnixFd?[data.UnixFds.Length];
        for (int i = 0; i < fds.Length; i++)
        {
            fds[i] = data.UnixFds[i] is { } fd ? UnixFd.Duplicate(fd.DangerousGetDescriptor()) : null;
        }
        return new Message(buffer, data.Length, data.Header, fds);
    }

    /// <summary>Ends every queue with the connection's loss: readers see the queued messages, then the reason.</summary>
    public void CompleteQueues(Exception reason)
    {
        MessageQueue[] queues;
        lock (_lock)
        {
            queues = _queues;
        }
        foreach (var queue in queues)
        {
            queue.Complete(reason);
        }
    }

    /// <summary>Adds the rule on the bus and starts following the sender's owner; returns the well-known sender name, if any.</summary>
    private async Task<string?> SubscribeAsync(MatchRule rule, CancellationToken cancellationToken)
    {
        if (!_isBus)
        {
            return null;
        }
        string? wellKnown = rule.Sender is { } sender && !sender.StartsWith(':') && sender != BusMessages.BusName ? sender : null;
        await Matches.AddAsync(rule, cancellationToken).ConfigureAwait(false);
        if (wellKnown is not null)
        {
            try
            {
                await Owners.TrackAsync(wellKnown, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                Matches.Release(rule);
                throw;
            }
        }
        return wellKnown;
    }

    private void Unsubscribe(MatchRule rule, string? wellKnown)
    {
        if (!_isBus)
        {
            return;
        }
        Matches.Release(rule);
        if (wellKnown is not null)
        {
            Owners.Untrack(wellKnown);
        }
    }

    /// <summary>Gives each matching queue a reference to the message; waits only for full queues with the Wait policy.</summary>
    private ValueTask DeliverToQueues(Message message, Predicate<MessageQueue>? takes = null)
    {
        var queues = Volatile.Read(ref _queues);
        if (queues.Length == 0)
        {
            return default;
        }
        List<Task>? waits = null;
        foreach (var queue in queues)
        {
            if ((takes is null || takes(queue)) && queue.Rule.Matches(message, queue.WellKnownSender is { } name ? Owners.GetOwner(name) : null))
            {
                var delivered = queue.EnqueueAsync(message);
                if (!delivered.IsCompletedSuccessfully)
                {
                    (waits ??= []).Add(delivered.AsTask());
                }
            }
        }
        return waits is null ? default : new ValueTask(Task.WhenAll(waits));
    }
}
