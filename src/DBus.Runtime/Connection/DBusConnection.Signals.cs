using DBus.CodeAnalysis;

namespace DBus;

// Signals and match rules: everything here is done by the SignalDispatcher.
public sealed partial class DBusConnection
{
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
    public Task<SignalSubscription> AddSignalReceiverAsync(MatchRule rule, [DBusDispatchThread] SignalHandler handler, CancellationToken cancellationToken = default) =>
        _signals.AddReceiverAsync(rule, handler, cancellationToken);

    /// <summary>The active signal receivers, in the order added (each with its rule, handler and sender's owner).</summary>
    public IReadOnlyList<SignalSubscription> SignalReceivers => _signals.Receivers;

    /// <summary>
    /// Removes every signal receiver whose handler is <paramref name="handler"/> (when given; delegates compare as
    /// <see cref="Delegate.Equals(object?)"/> does) and whose rule has each key set on <paramref name="criteria"/>
    /// with the same value (when given): dbus-python's remove_signal_receiver(handler_or_match, signal_name,
    /// dbus_interface, bus_name, path, **keywords). A bus match rule goes with its last receiver.
    /// </summary>
    /// <returns>How many receivers were removed.</returns>
    public int RemoveSignalReceivers(SignalHandler? handler, MatchRule? criteria = null) => _signals.RemoveReceivers(handler, criteria);

    /// <summary>
    /// Queues every incoming message that matches <paramref name="rule"/> (Jeepney's filter with a queue):
    /// signals (on a bus the rule is added with AddMatch, and a well-known sender is followed as by
    /// <see cref="AddSignalReceiverAsync"/>), and, for rules of another type, matching messages addressed to
    /// this connection. The queue is bounded; <paramref name="options"/> says what happens when it is full.
    /// </summary>
    public Task<MessageQueue> WatchAsync(MatchRule rule, MessageQueueOptions? options = null, CancellationToken cancellationToken = default) =>
        _signals.WatchAsync(rule, options, cancellationToken);

    /// <summary>
    /// Starts reading the signals that match <paramref name="rule"/> into typed values with <paramref name="read"/>
    /// (generated proxies' <c>Read{Signal}Async</c> use their message generator's readers). On a bus the rule is
    /// added with AddMatch before the returned task completes, so no matching signal sent after that is missed,
    /// however late the consumer starts reading; a well-known sender is followed as by
    /// <see cref="AddSignalReceiverAsync"/>.
    /// </summary>
    /// <param name="rule">What to match; its type is taken as signal when not set.</param>
    /// <param name="read">Turns one signal into a value; runs on the consumer's thread, and an exception it throws
    /// skips that signal (see <see cref="SignalStream{T}.SkippedCount"/>).</param>
    /// <param name="options">The queue's capacity and what happens when it is full; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels adding the rule.</param>
    /// <returns>The stream: enumerate it, and dispose it to remove the match.</returns>
    /// <exception cref="ArgumentException"><paramref name="rule"/> is of another type than signal.</exception>
    public async Task<SignalStream<T>> ReadSignalsAsync<T>(MatchRule rule, Func<Message, T> read, MessageQueueOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(read);
        var queue = await WatchAsync(SignalDispatcher.AsSignalRule(rule), options, cancellationToken).ConfigureAwait(false);
        return new SignalStream<T>(this, queue, read);
    }

    /// <summary>
    /// Asks the bus to route messages that match <paramref name="rule"/> to this connection (AddMatch). A rule
    /// already added by this connection is counted, not added twice; each call needs its own
    /// <see cref="RemoveMatchAsync"/>.
    /// </summary>
    public Task AddMatchAsync(MatchRule rule, CancellationToken cancellationToken = default) =>
        _signals.Matches.AddAsync(rule, cancellationToken);

    /// <summary>Drops one use of <paramref name="rule"/>; the last one removes it from the bus (RemoveMatch).</summary>
    public Task RemoveMatchAsync(MatchRule rule, CancellationToken cancellationToken = default) =>
        _signals.Matches.RemoveAsync(rule, cancellationToken);

    /// <summary>True while <paramref name="rule"/> has users on this connection (for tests).</summary>
    internal bool HasMatch(MatchRule rule) => _signals.Matches.Contains(rule);
}
