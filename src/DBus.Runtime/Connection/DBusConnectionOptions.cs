namespace DBus;

/// <summary>How <see cref="DBusConnection"/> and <see cref="MessageStream"/> connect and behave.</summary>
public sealed class DBusConnectionOptions
{
    /// <summary>
    /// True (the default) when the address is a message bus: the connection says Hello and gets a unique name.
    /// Set false for a peer-to-peer connection (to a <c>DBusServer</c> or any other peer).
    /// </summary>
    public bool IsBus { get; init; } = true;

    /// <summary>
    /// Ask the peer to pass Unix file descriptors (NEGOTIATE_UNIX_FD). When it refuses, or the transport is not a
    /// Unix socket, connecting fails with <see cref="DBusFdNegotiationException"/>. Off by default.
    /// </summary>
    public bool EnableFds { get; init; }

    /// <summary>How long a call waits for its reply when the caller gives no timeout: 25 seconds, as libdbus.</summary>
    public TimeSpan DefaultCallTimeout { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>How long connecting and authenticating may take before it fails.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// The authentication mechanisms to try, in order, among those the server offers. Default: EXTERNAL,
    /// DBUS_COOKIE_SHA1, ANONYMOUS.
    /// </summary>
    public IReadOnlyList<string>? AuthenticationMechanisms { get; init; }

    /// <summary>
    /// The most bytes that may wait to be written to a peer that does not read them (beyond what the socket
    /// itself buffers). When a send would pass it, the peer is taken to be stuck or hostile and the connection
    /// is closed with a <see cref="DBusDisconnectedException"/> that says so; a server's other clients are not
    /// affected. A single message is always accepted when nothing waits before it. Default 128 MiB
    /// (dbus-daemon's limit for its clients is 127 MB).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public long MaxOutgoingBytes
    {
        get => _maxOutgoingBytes;
        init => _maxOutgoingBytes = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(MaxOutgoingBytes), value, "the limit must be positive");
    }

    private readonly long _maxOutgoingBytes = 128L * 1024 * 1024;

    /// <summary>
    /// Where DBUS_COOKIE_SHA1 reads the server's cookies: the server's keyring directory when it uses another than
    /// <c>$HOME/.dbus-keyrings</c> (a <c>DBusServer</c> with its own <c>KeyringDirectory</c>, a GDBus server with
    /// <c>G_DBUS_COOKIE_SHA1_KEYRING_DIR</c>). Null (the default): <c>$HOME/.dbus-keyrings</c>. A directory group or
    /// others can enter is refused, as libdbus does.
    /// </summary>
    public string? KeyringDirectory { get; init; }

    /// <summary>
    /// The most Unix file descriptors one incoming message may carry. A peer that sends a message declaring more, or
    /// more descriptors at once than that, or descriptors its messages do not declare (UNIX_FDS), breaks the
    /// protocol: the descriptors are closed at once and the connection is closed with a
    /// <see cref="DBusDisconnectedException"/> whose inner <see cref="DBusProtocolException"/> says what was sent.
    /// Default 16, dbus-daemon's and libdbus's <c>max_message_unix_fds</c>; Linux itself passes at most 253 at once.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or above 253.</exception>
    public int MaxMessageUnixFds
    {
        get => _maxMessageUnixFds;
        init => _maxMessageUnixFds = value is >= 0 and <= Transport.SocketInterop.MaxFdsPerMessage
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxMessageUnixFds), value, $"the limit must be between 0 and {Transport.SocketInterop.MaxFdsPerMessage}");
    }

    private readonly int _maxMessageUnixFds = DefaultMaxMessageUnixFds;

    internal const int DefaultMaxMessageUnixFds = 16;

    /// <summary>
    /// The most Unix file descriptors received on this connection that may be open at once: those in messages not yet
    /// released, those taken out of messages (a <see cref="UnixFd"/>, a <see cref="Variant"/> holding one) that their
    /// owner has not yet disposed or handed on (<see cref="UnixFd.Release"/>, <see cref="UnixFd.ToSafeHandle"/>,
    /// <see cref="UnixFd.ToStream"/>, <see cref="UnixFd.ToSocket"/>), and those received that no message has taken yet.
    /// When descriptors arrive that would pass it, the peer is dropped: the descriptors no message has taken are closed
    /// at once and the connection is closed with a <see cref="DBusDisconnectedException"/> naming the count and this
    /// option. Descriptors already handed to your code stay yours. Default 64, dbus-daemon's built-in
    /// <c>max_incoming_unix_fds</c> (four times <c>max_message_unix_fds</c>; its session configuration sets
    /// 250,000,000, more than a process may open). A <c>DBusServer</c> applies it to each client (its
    /// <c>ConnectionOptions</c>).
    /// </summary>
    /// <remarks>A descriptor left to the garbage collector instead of disposed is closed by its finalizer but stays
    /// counted: dispose what you take out of messages.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MaxUnixFdsPerConnection
    {
        get => _maxUnixFdsPerConnection;
        init => _maxUnixFdsPerConnection = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxUnixFdsPerConnection), value, "the limit must not be negative");
    }

    private readonly int _maxUnixFdsPerConnection = DefaultMaxUnixFdsPerConnection;

    internal const int DefaultMaxUnixFdsPerConnection = 4 * DefaultMaxMessageUnixFds;

    /// <summary>
    /// The largest message the peer may send, in bytes. A peer whose message header announces more is dropped as soon
    /// as the header's first 16 bytes are in, before anything is buffered for it: the connection closes with a
    /// <see cref="DBusDisconnectedException"/> whose inner <see cref="DBusProtocolException"/> names the size, the
    /// limit and this option. Default and highest value 128 MiB (<see cref="Message.MaxLength"/>), the specification's
    /// bound: dbus-daemon's session configuration sets <c>max_message_size</c> to 1,000,000,000, but no conforming
    /// peer may send a message that large. Lowest value 1 KiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1,024 or above <see cref="Message.MaxLength"/>.</exception>
    public int MaxMessageSize
    {
        get => _maxMessageSize;
        init => _maxMessageSize = value is >= MinMaxMessageSize and <= Message.MaxLength
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxMessageSize), value, $"the limit must be between {MinMaxMessageSize} and {Message.MaxLength} bytes");
    }

    private readonly int _maxMessageSize = Message.MaxLength;

    private const int MinMaxMessageSize = 1024;

    /// <summary>Exit the process (exit code 1) when the connection is lost, as dbus-python's set_exit_on_disconnect.</summary>
    public bool ExitOnDisconnect { get; init; }

    internal static readonly DBusConnectionOptions Default = new();
}
