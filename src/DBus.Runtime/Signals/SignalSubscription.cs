namespace DBus;

/// <summary>
/// A signal receiver added with <see cref="DBusConnection.AddSignalReceiverAsync"/> (dbus-python's SignalMatch):
/// its rule, handler and sender can be inspected, and a message tested against it. Dispose it to remove it.
/// </summary>
public sealed class SignalSubscription : IDisposable, IAsyncDisposable
{
    private readonly Func<string, string?>? _ownerOf;
    private Action<SignalSubscription>? _remove;

    internal SignalSubscription(MatchRule rule, SignalHandler handler, string? wellKnownSender, Func<string, string?>? ownerOf, Action<SignalSubscription> remove)
    {
        Rule = rule;
        Handler = handler;
        WellKnownSender = wellKnownSender;
        _ownerOf = ownerOf;
        _remove = remove;
    }

    /// <summary>The rule, as added (a frozen copy: changing the rule given to the connection does not change this one).</summary>
    public MatchRule Rule { get; }

    /// <summary>The handler the signals are given to.</summary>
    public SignalHandler Handler { get; }

    /// <summary>The sender the receiver was asked for (<see cref="MatchRule.Sender"/>): a unique or well-known name, or null.</summary>
    public string? SenderName => Rule.Sender;

    /// <summary>
    /// The unique name whose signals match now: the sender itself when it is a unique name, the current owner of a
    /// well-known one (followed through owner changes, as dbus-python's set_sender_name_owner), null when the name has
    /// no owner or no sender was asked for.
    /// </summary>
    public string? SenderOwner => WellKnownSender is { } name ? _ownerOf?.Invoke(name) : SenderName;

    /// <summary>Whether the receiver is still active (not disposed or removed).</summary>
    public bool IsActive => Volatile.Read(ref _remove) is not null;

    internal string? WellKnownSender { get; }

    /// <summary>Whether the receiver would be given <paramref name="message"/> (dbus-python's maybe_handle_message test).</summary>
    public bool Matches(Message message) => Rule.Matches(message, SenderOwner);

    /// <summary>Removes the receiver (and, when nothing else uses it, its match rule on the bus). Idempotent.</summary>
    public void Dispose() => Interlocked.Exchange(ref _remove, null)?.Invoke(this);

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }
}
