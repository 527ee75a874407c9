namespace DBus;

/// <summary>How a <see cref="DBusServer"/> authenticates and sets up its clients.</summary>
public sealed class DBusServerOptions
{
    /// <summary>Accept clients that authenticate with ANONYMOUS (offered only then); off by default. Can be changed
    /// later with <see cref="DBusServer.AllowAnonymous"/>.</summary>
    public bool AllowAnonymous { get; init; }

    /// <summary>Which uids may connect with EXTERNAL or DBUS_COOKIE_SHA1; null (the default) allows only the uid the
    /// server runs as.</summary>
    public Func<uint, bool>? IsUserAllowed { get; init; }

    /// <summary>Agree to NEGOTIATE_UNIX_FD on Unix sockets, so clients may pass descriptors (default true).</summary>
    public bool EnableFds { get; init; } = true;

    /// <summary>Where DBUS_COOKIE_SHA1 cookies are kept; null for <c>$HOME/.dbus-keyrings</c>.</summary>
    public string? KeyringDirectory { get; init; }

    /// <summary>How long a client may take to authenticate before it is dropped.</summary>
    public TimeSpan AuthenticationTimeout { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>The default call timeout, exit-on-disconnect, outgoing backlog limit (<c>MaxOutgoingBytes</c>) and
    /// descriptors per message (<c>MaxMessageUnixFds</c>) of client
    /// connections (<c>IsBus</c> is ignored: client
    /// connections are always peer-to-peer).</summary>
    public DBusConnectionOptions? ConnectionOptions { get; init; }

    /// <summary>
    /// Called for each authenticated client before its first message is dispatched, so objects exported here are
    /// there for its first call (dbus-python's connection_added). Runs on a thread-pool thread; an exception closes
    /// that client and is reported through <see cref="DBusServer.CallbackFailed"/>.
    /// </summary>
    public Action<DBusServer, DBusConnection>? ConnectionAdded { get; init; }
}
