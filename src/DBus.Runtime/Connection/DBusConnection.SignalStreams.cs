namespace DBus;

public sealed partial class DBusConnection
{
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
        var queue = await WatchAsync(AsSignalRule(rule), options, cancellationToken).ConfigureAwait(false);
        return new SignalStream<T>(this, queue, read);
    }
}
