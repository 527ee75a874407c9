using DBus.CodeAnalysis;
namespace DBus;

/// <summary>
/// A connection to a message bus or a peer: the router. It numbers outgoing messages, matches replies to
/// pending calls, runs message filters, delivers signals to receivers and method calls to exported objects.
/// Thread-safe; callbacks never run under an internal lock.
/// </summary>
/// <remarks>
/// Incoming messages are dispatched one at a time, in order, by the connection's dispatch loop: filters,
/// signal handlers and reply callbacks run there and should return quickly. A blocking call made from there
/// would wait for a reply that only the dispatch loop can deliver, so it fails at once instead of deadlocking.
/// </remarks>
public sealed partial class DBusConnection : IAsyncDisposable, IDisposable
{
    // The parts by concern (docs/architecture.md): this class only holds them together and forwards to them.
    private readonly MessageStream _stream;
    private readonly DBusConnectionOptions _options;
    private readonly MessageRouter _router;
    private readonly SignalDispatcher _signals;
    private readonly ObjectServer _objects;
    private string? _uniqueName;

    internal DBusConnection(MessageStream stream, DBusConnectionOptions options, bool startDispatching = true, ObjectServer? sharedObjects = null)
    {
        _stream = stream;
        _stream.MaxOutgoingBytes = options.MaxOutgoingBytes;
        _stream.MaxMessageSize = options.MaxMessageSize;
        _options = options;
        ExitOnDisconnect = options.ExitOnDisconnect;
        _signals = new SignalDispatcher(this, options.IsBus, stream.ClosingToken);
        _objects = new ObjectServer(() => [this], sharedObjects);
        _router = new MessageRouter(this, stream, options.DefaultCallTimeout, _signals, _objects, toBus: options.IsBus);
        if (startDispatching)
        {
            StartDispatching();
        }
    }

    /// <summary>Starts reading and dispatching incoming messages; a server calls it once the new client's objects
    /// are exported, so its first call cannot miss them.</summary>
    internal void StartDispatching() => _router.StartDispatching();

    /// <summary>Connects to the bus or peer at <paramref name="address"/> and, for a bus, says Hello.</summary>
    /// <param name="address">A D-Bus address list such as <c>unix:path=/run/user/1000/bus</c>; entries are tried in order.</param>
    /// <param name="options">How to connect; null for the defaults (a bus, no fd passing, 25 s call timeout).</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <exception cref="DBusConnectionException">No entry of the address could be connected or authenticated;
    /// the message says what was tried and why each failed.</exception>
    public static async Task<DBusConnection> ConnectAsync(string address, DBusConnectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= DBusConnectionOptions.Default;
        var stream = await MessageStream.ConnectAsync(address, options, cancellationToken).ConfigureAwait(false);
        var connection = new DBusConnection(stream, options);
        if (options.IsBus)
        {
            try
            {
                await connection.HelloAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        return connection;
    }

    /// <summary>Connects to the session bus: <c>DBUS_SESSION_BUS_ADDRESS</c>, else <c>$XDG_RUNTIME_DIR/bus</c>.</summary>
    /// <exception cref="DBusConnectionException">There is no session bus, or it cannot be reached.</exception>
    public static Task<DBusConnection> ConnectSessionBusAsync(DBusConnectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (DBusAddress.GetSessionBusAddress() is { } address)
        {
            return ConnectAsync(address, options, cancellationToken);
        }
        string? runtimeDirectory = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return Task.FromException<DBusConnection>(new DBusConnectionException(
            "there is no session bus: DBUS_SESSION_BUS_ADDRESS is not set, and " + (string.IsNullOrEmpty(runtimeDirectory)
                ? "XDG_RUNTIME_DIR is not set either"
                : $"{Path.Combine(runtimeDirectory, "bus")} (from XDG_RUNTIME_DIR) does not exist")));
    }

    /// <summary>Connects to the system bus: <c>DBUS_SYSTEM_BUS_ADDRESS</c>, else <c>/var/run/dbus/system_bus_socket</c>.</summary>
    /// <exception cref="DBusConnectionException">The system bus cannot be reached.</exception>
    public static Task<DBusConnection> ConnectSystemBusAsync(DBusConnectionOptions? options = null, CancellationToken cancellationToken = default) =>
        ConnectAsync(DBusAddress.GetSystemBusAddress(), options, cancellationToken);

    /// <summary>Blocking twin of <see cref="ConnectAsync"/>.</summary>
    [DBusBlocking]
    public static DBusConnection Connect(string address, DBusConnectionOptions? options = null) =>
        ConnectAsync(address, options).GetAwaiter().GetResult();

    /// <summary>Blocking twin of <see cref="ConnectSessionBusAsync"/>.</summary>
    [DBusBlocking]
    public static DBusConnection ConnectSessionBus(DBusConnectionOptions? options = null) =>
        ConnectSessionBusAsync(options).GetAwaiter().GetResult();

    /// <summary>Blocking twin of <see cref="ConnectSystemBusAsync"/>.</summary>
    [DBusBlocking]
    public static DBusConnection ConnectSystemBus(DBusConnectionOptions? options = null) =>
        ConnectSystemBusAsync(options).GetAwaiter().GetResult();

    /// <summary>The unique name the bus gave this connection (<c>:1.42</c>), or null on a peer-to-peer connection
    /// (unless a server set one).</summary>
    public string? UniqueName => _uniqueName;

    /// <summary>True until the connection is closed or lost.</summary>
    public bool IsConnected => _stream.IsConnected;

    /// <summary>True once authentication succeeded, which it always has for a connection you hold.</summary>
    public bool IsAuthenticated => true;

    /// <summary>True when Unix file descriptors can be sent and received.</summary>
    public bool UnixFdsEnabled => _stream.UnixFdsEnabled;

    /// <summary>The GUID of the server (the bus or peer) this connection authenticated with.</summary>
    public string ServerGuid => _stream.ServerGuid;

    /// <summary>The process, user and group of the peer (for a bus: the daemon) on a Unix socket; otherwise null.</summary>
    public PeerCredentials? PeerCredentials => _stream.PeerCredentials;

    /// <summary>The socket's file descriptor (dbus-python's get_unix_fd), or null when the transport is not a socket.</summary>
    public int? SocketDescriptor => _stream.SocketDescriptor;

    /// <summary>When true, losing the connection exits the process with code 1 (dbus-python's set_exit_on_disconnect).</summary>
    public bool ExitOnDisconnect { get; set; }

    /// <summary>Why the connection was lost (a <see cref="DBusDisconnectedException"/>), or null while it is up.</summary>
    public Exception? DisconnectReason => _stream.CloseReason;

    internal MessageStream Stream => _stream;

    internal int PendingCallCount => _router.PendingCallCount;

    internal DBusConnectionOptions Options => _options;

    /// <summary>The parts this façade forwards to (for tests of each part).</summary>
    internal MessageRouter Router => _router;

    internal SignalDispatcher Signals => _signals;

    internal ObjectServer Objects => _objects;

    /// <summary>Fires when the connection closes (for handlers of calls in flight).</summary>
    internal CancellationToken ClosingToken => _stream.ClosingToken;

    /// <summary>True on a <see cref="DBusServer"/>'s client connection, which answers Hello as a bus would.</summary>
    internal bool AnswersHello
    {
        get => _router.AnswersHello;
        set => _router.AnswersHello = value;
    }

    /// <summary>Follows bus callers with calls in flight.</summary>
    internal CallerTracker Callers => _signals.Callers;

    /// <summary>The tracker that follows <paramref name="call"/>'s caller leaving the bus, or null where there is none to
    /// follow: a peer-to-peer connection (its closing is the caller leaving), or a call from ourselves.</summary>
    internal CallerTracker? CallersFor(Message call) =>
        _options.IsBus && call.Sender is { } sender && sender.StartsWith(':') && sender != _uniqueName ? _signals.Callers : null;

    /// <summary>The unique name a Hello on a server's client connection is answered with, made up on first need.</summary>
    internal string AssignUniqueName()
    {
        if (_uniqueName is null)
        {
            Interlocked.CompareExchange(ref _uniqueName, ":1." + Interlocked.Increment(ref s_helloNames).ToString(System.Globalization.CultureInfo.InvariantCulture), null);
        }
        return _uniqueName!;
    }

    private static long s_helloNames;

    /// <summary>Sets the unique name of a peer-to-peer connection (dbus-python's set_unique_name: a server names its
    /// clients this way). A bus connection's name comes from Hello and cannot be changed.</summary>
    /// <exception cref="InvalidOperationException">This is a bus connection, or the name was set already.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid unique name.</exception>
    public void SetUniqueName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!name.StartsWith(':') || DBus.Shared.DBusNameValidator.ValidateBusName(name) is not null)
        {
            ThrowHelper.ThrowArgument(nameof(name), $"'{name}' is not a valid unique name (':' and dot-separated elements)");
        }
        if (_options.IsBus || Interlocked.CompareExchange(ref _uniqueName, name, null) is not null)
        {
            ThrowHelper.ThrowInvalidOperation("the unique name is set already (by the bus, or by an earlier SetUniqueName)");
        }
    }

    /// <summary>Closes the connection: pending calls fail with <see cref="DBusDisconnectedException"/>,
    /// disconnection handlers run once. Never blocks for long.</summary>
    public void Dispose() => _router.Dispose();

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync() => _router.DisposeAsync();

    /// <summary>Closes the connection (dbus-python's close); the same as <see cref="Dispose"/>.</summary>
    public void Close() => Dispose();

    /// <summary>Completes once every message sent before the call was written to the socket.</summary>
    public Task FlushAsync() => _stream.FlushAsync();

    /// <summary>Blocking twin of <see cref="FlushAsync"/>.</summary>
    [DBusBlocking]
    public void Flush()
    {
        ThrowIfDispatchThread(nameof(Flush));
        FlushAsync().GetAwaiter().GetResult();
    }
}
