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

    /// <summary>
    /// How long a client may take from its connection being accepted to the end of its SASL handshake (BEGIN). One
    /// that has not finished by then is dropped: its socket is shut down within a second of the deadline, however
    /// many are waiting. Default 240 s, dbus-daemon's <c>auth_timeout</c> in its session configuration.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive, or longer than a day.</exception>
    public TimeSpan AuthenticationTimeout
    {
        get => _authenticationTimeout;
        init => _authenticationTimeout = value > TimeSpan.Zero && value <= TimeSpan.FromDays(1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(AuthenticationTimeout), value, "the timeout must be positive and at most a day");
    }

    private readonly TimeSpan _authenticationTimeout = TimeSpan.FromSeconds(240);

    /// <summary>
    /// The most clients that may be authenticating at once (accepted, SASL not finished). A client accepted beyond
    /// it is closed at once, counted (<c>dbus.connections.refused</c>) and reported through
    /// <see cref="DBusServer.CallbackFailed"/>; those already authenticating are not affected. Default 10,000,
    /// dbus-daemon's <c>max_incomplete_connections</c> in its session configuration.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int MaxIncompleteConnections
    {
        get => _maxIncompleteConnections;
        init => _maxIncompleteConnections = Positive(value, nameof(MaxIncompleteConnections));
    }

    private readonly int _maxIncompleteConnections = 10_000;

    /// <summary>
    /// The most authenticated clients the server keeps at once. A client accepted while that many are connected is
    /// closed at once; one that finishes authenticating while another took the last place is closed then (counted
    /// and reported as <see cref="MaxIncompleteConnections"/> says). Default 100,000, dbus-daemon's
    /// <c>max_completed_connections</c> in its session configuration.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int MaxConnections
    {
        get => _maxConnections;
        init => _maxConnections = Positive(value, nameof(MaxConnections));
    }

    private readonly int _maxConnections = 100_000;

    /// <summary>
    /// The most connections, authenticated or still authenticating, one uid may hold. On a Unix socket the uid is the
    /// one the kernel reports for the peer (SO_PEERCRED), known as the connection is accepted, so an extra connection
    /// is closed before it says anything, whatever mechanism it would use. On TCP the uid is the one the client
    /// authenticated as (DBUS_COOKIE_SHA1), checked when the handshake ends; an ANONYMOUS client on TCP has no uid
    /// and is bound only by <see cref="MaxConnections"/>. Default 100,000, dbus-daemon's
    /// <c>max_connections_per_user</c> in its session configuration.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int MaxConnectionsPerUser
    {
        get => _maxConnectionsPerUser;
        init => _maxConnectionsPerUser = Positive(value, nameof(MaxConnectionsPerUser));
    }

    private readonly int _maxConnectionsPerUser = 100_000;

    private static int Positive(int value, string name) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, "the limit must be positive");

    /// <summary>The default call timeout, exit-on-disconnect, outgoing backlog limit (<c>MaxOutgoingBytes</c>),
    /// largest incoming message (<c>MaxMessageSize</c>), descriptors per message (<c>MaxMessageUnixFds</c>) and
    /// descriptors open at once per connection (<c>MaxUnixFdsPerConnection</c>) of client connections (<c>IsBus</c> is
    /// ignored: client connections are always peer-to-peer).</summary>
    public DBusConnectionOptions? ConnectionOptions { get; init; }

    /// <summary>
    /// Called for each authenticated client before its first message is dispatched, so objects exported here are
    /// there for its first call (dbus-python's connection_added). Runs on a thread-pool thread; an exception closes
    /// that client and is reported through <see cref="DBusServer.CallbackFailed"/>.
    /// </summary>
    public Action<DBusServer, DBusConnection>? ConnectionAdded { get; init; }
}
