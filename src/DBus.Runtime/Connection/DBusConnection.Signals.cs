using DBus.CodeAnalysis;
namespace DBus;

public sealed partial class DBusConnection
{
    private readonly Lock _receiversLock = new();
    // Copy-on-write snapshots read by the dispatch loop.
    private SignalReceiver[] _receivers = [];
    private MessageQueue[] _queues = [];

    /// <summary>
    /// Calls <paramref name="handler"/> for every signal matching <paramref name="rule"/> (dbus-python's
    /// add_signal_receiver). On a bus the rule is added with AddMatch first, so no matching signal sent after
    /// this returns is missed; a well-known name as the rule's sender is resolved to its unique owner and
    /// followed through owner changes.
    /// </summary>
    /// <param name="rule">What to match; its type is taken as signal when not set.</param>
    /// <param name="handler">Runs on the dispatch thread for each match.</param>
    /// <param name="cancellationToken">Cancels adding the rule.</param>
    /// <returns>The subscription: dispose it to remove the receiver (dbus-python's remove_signal_receiver).</returns>
    public async Task<SignalSubscription> AddSignalReceiverAsync(MatchRule rule, [DBusDispatchThread] SignalHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(handler);
        rule = AsSignalRule(rule);
        string? wellKnown = await SubscribeAsync(rule, cancellationToken).ConfigureAwait(false);
        var receiver = new SignalReceiver(rule, handler, wellKnown);
        lock (_receiversLock)
        {
            _receivers = [.. _receivers, receiver];
        }
        return new SignalSubscription(() =>
        {
            lock (_receiversLock)
            {
                _receivers = Array.FindAll(_receivers, r => r != receiver);
            }
            Unsubscribe(rule, wellKnown);
        });
    }

    /// <summary>
    /// Queues every incoming message that matches <paramref name="rule"/> (Jeepney's filter with a queue):
    /// signals (on a bus the rule is added with AddMatch, and a well-known sender is followed as by
    /// <see cref="AddSignalReceiverAsync"/>), and, for rules of another type, matching messages addressed to
    /// this connection. The queue is bounded; <paramref name="options"/> says what happens when it is full.
    /// </summary>
    public async Task<MessageQueue> WatchAsync(MatchRule rule, MessageQueueOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        options ??= MessageQueueOptions.Default;
        string? wellKnown = rule.Type is null or MessageType.Signal
            ? await SubscribeAsync(AsSignalRule(rule), cancellationToken).ConfigureAwait(false)
            : null;
        var queue = new MessageQueue(rule, options, wellKnown);
        lock (_receiversLock)
        {
            if (!IsConnected)
            {
                queue.Complete(DisconnectReason);
            }
            _queues = [.. _queues, queue];
        }
        queue.SetDisposeAction(() =>
        {
            lock (_receiversLock)
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

    private static MatchRule AsSignalRule(MatchRule rule) => rule.Type switch
    {
        MessageType.Signal => rule,
        null => MatchRule.Parse("type='signal'," + rule),
        _ => throw new ArgumentException($"a signal receiver needs a rule of type signal, not {rule.Type}", nameof(rule)),
    };

    /// <summary>Adds the rule on the bus and starts following the sender's owner; returns the well-known sender name, if any.</summary>
    private async Task<string?> SubscribeAsync(MatchRule rule, CancellationToken cancellationToken)
    {
        if (!_options.IsBus)
        {
            return null;
        }
        string? wellKnown = rule.Sender is { } sender && !sender.StartsWith(':') && sender != BusName ? sender : null;
        await AddMatchAsync(rule, cancellationToken).ConfigureAwait(false);
        if (wellKnown is not null)
        {
            try
            {
                await _owners.TrackAsync(wellKnown, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                RemoveMatchInBackground(rule);
                throw;
            }
        }
        return wellKnown;
    }

    private void Unsubscribe(MatchRule rule, string? wellKnown)
    {
        if (!_options.IsBus)
        {
            return;
        }
        RemoveMatchInBackground(rule);
        if (wellKnown is not null)
        {
            _owners.Untrack(wellKnown);
        }
    }

    private ValueTask DispatchSignal(Message message)
    {
        if (_options.IsBus)
        {
            _owners.Observe(message);
            Volatile.Read(ref _callers)?.Observe(message);
        }
        var receivers = Volatile.Read(ref _receivers);
        foreach (var receiver in receivers)
        {
            if (receiver.Rule.Matches(message, receiver.WellKnownSender is { } name ? _owners.GetOwner(name) : null))
            {
                try
                {
                    receiver.Handler(new SignalContext(this, message));
                }
                catch (Exception e)
                {
                    OnCallbackFailed(e);
                }
            }
        }
        var waiting = DeliverToQueues(message);
        message.Dispose();
        return waiting;
    }

    /// <summary>Gives each matching queue a reference to the message; waits only for full queues with the Wait policy.</summary>
    private ValueTask DeliverToQueues(Message message)
    {
        var queues = Volatile.Read(ref _queues);
        if (queues.Length == 0)
        {
            return default;
        }
        List<Task>? waits = null;
        foreach (var queue in queues)
        {
            if (queue.Rule.Matches(message, queue.WellKnownSender is { } name ? _owners.GetOwner(name) : null))
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

    private void CompleteQueues(Exception reason)
    {
        MessageQueue[] queues;
        lock (_receiversLock)
        {
            queues = _queues;
        }
        foreach (var queue in queues)
        {
            queue.Complete(reason);
        }
    }

    private sealed record SignalReceiver(MatchRule Rule, SignalHandler Handler, string? WellKnownSender);
}
