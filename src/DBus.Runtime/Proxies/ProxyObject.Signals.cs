using DBus.CodeAnalysis;

namespace DBus;

// connect_to_signal: a signal of the object, by name, as a callback or a stream.
public partial class ProxyObject
{
    /// <summary>
    /// Calls <paramref name="handler"/> for each <paramref name="member"/> signal the object emits (dbus-python's
    /// connect_to_signal). A well-known <see cref="Destination"/> is followed to its current owner, so the signals
    /// of whoever owns the name arrive.
    /// </summary>
    /// <param name="interfaceName">The signal's interface, or null: the introspected interface that declares it
    /// (any interface when none does).</param>
    /// <param name="member">The signal name.</param>
    /// <param name="handler">Runs on the connection's dispatch thread.</param>
    /// <param name="cancellationToken">Abandons adding the match rule.</param>
    /// <returns>Dispose it to stop receiving.</returns>
    public Task<SignalSubscription> ConnectToSignalAsync([DBusName(DBusNameKind.InterfaceName)] string? interfaceName, [DBusName(DBusNameKind.MemberName)] string member,
        [DBusDispatchThread] Action<ProxySignal> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Connection.AddSignalReceiverAsync(SignalRule(interfaceName, member), signal => handler(new ProxySignal(signal.Message)), cancellationToken);
    }

    /// <summary>The <paramref name="member"/> signals of the object as a stream (see <see cref="ConnectToSignalAsync"/>).</summary>
    /// <param name="interfaceName">The signal's interface, or null (see <see cref="ConnectToSignalAsync"/>).</param>
    /// <param name="member">The signal name.</param>
    /// <param name="options">The queue's bound and overflow policy.</param>
    /// <param name="cancellationToken">Abandons adding the match rule.</param>
    public Task<SignalStream<ProxySignal>> WatchSignalAsync([DBusName(DBusNameKind.InterfaceName)] string? interfaceName, [DBusName(DBusNameKind.MemberName)] string member,
        MessageQueueOptions? options = null, CancellationToken cancellationToken = default) =>
        Connection.ReadSignalsAsync(SignalRule(interfaceName, member), static message => new ProxySignal(message), options, cancellationToken);

    private MatchRule SignalRule(string? interfaceName, string member)
    {
        ArgumentNullException.ThrowIfNull(member);
        if (interfaceName is null)
        {
            var declaring = Interfaces.Where(i => i.Signals.Any(s => s.Name == member)).Select(i => i.Name).ToList();
            interfaceName = declaring.Count == 1 ? declaring[0] : null;
        }
        return new MatchRule { Type = MessageType.Signal, Sender = Destination, Path = Path, Interface = interfaceName, Member = member };
    }
}
