namespace DBus;

/// <summary>A transport connected to one entry of an address list.</summary>
/// <param name="Transport">The connected transport; the caller owns it.</param>
/// <param name="Address">The entry that connected (its <see cref="DBusAddress.Guid"/> is what SASL expects).</param>
internal sealed record ConnectedTransport(DBusTransport Transport, DBusAddress Address);
