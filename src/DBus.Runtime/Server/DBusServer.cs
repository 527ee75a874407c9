using System.Security.Cryptography;
using DBus.Transport;

namespace DBus;

/// <summary>
/// Listens for peer-to-peer clients (dbus-python's <c>dbus.server.Server</c>): each client is authenticated (EXTERNAL
/// with the socket's uid checked, DBUS_COOKIE_SHA1, ANONYMOUS only when allowed; NEGOTIATE_UNIX_FD) and handed over as
/// a <see cref="DBusConnection"/> without a bus, on which the server exports objects, calls methods or emits signals.
/// </summary>
/// <remarks>
/// <para>A client that fails to authenticate, sends garbage or goes away affects only its own connection.</para>
/// <para>The server bounds what clients can hold (see <see cref="DBusServerOptions"/>): the time to authenticate
/// (<see cref="DBusServerOptions.AuthenticationTimeout"/>), the clients still authenticating
/// (<see cref="DBusServerOptions.MaxIncompleteConnections"/>), the connections in total
/// (<see cref="DBusServerOptions.MaxConnections"/>) and per uid (<see cref="DBusServerOptions.MaxConnectionsPerUser"/>).
/// A client past a limit is closed and reported through <see cref="CallbackFailed"/>.</para>
/// <para>Objects are served per client (<see cref="DBusConnection.Export(ObjectPath, IDBusInterfaceHandler)"/> on a
/// connection, typically in <see cref="DBusServerOptions.ConnectionAdded"/>) or once for every client, present and
/// future (<see cref="Export(ObjectPath, IDBusInterfaceHandler)"/> here): one handler then serves all clients, and
/// <see cref="MethodContext.Connection"/> tells it which client called. A path a client's connection exports itself
/// takes precedence over the server-wide objects.</para>
/// </remarks>
public sealed partial class DBusServer : IAsyncDisposable, IDisposable
{
    private readonly TransportListener _listener;
    private readonly DBusServerOptions _options;
    private readonly DBusConnectionOptions _connectionOptions;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private readonly HashSet<DBusConnection> _connections = [];
    private readonly ObjectServer _objects;
    private readonly Task _acceptLoop;
    private int _disposed;

    private DBusServer(TransportListener listener, string guid, DBusServerOptions options)
    {
        _listener = listener;
        _options = options;
        Guid = guid;
        AllowAnonymous = options.AllowAnonymous;
        var connection = options.ConnectionOptions ?? DBusConnectionOptions.Default;
        _connectionOptions = new DBusConnectionOptions
        {
            IsBus = false,
            DefaultCallTimeout = connection.DefaultCallTimeout,
            ExitOnDisconnect = connection.ExitOnDisconnect,
            MaxOutgoingBytes = connection.MaxOutgoingBytes,
            MaxMessageUnixFds = connection.MaxMessageUnixFds,
            MaxMessageSize = connection.MaxMessageSize,
            MaxUnixFdsPerConnection = connection.MaxUnixFdsPerConnection,
        };
        _objects = new ObjectServer(() => Connections);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>
    /// Starts listening on <paramref name="address"/>: <c>unix:path=…</c>, <c>unix:abstract=…</c>, <c>unix:dir=…</c>,
    /// <c>unix:tmpdir=…</c>, <c>unix:runtime=yes</c>, <c>tcp:host=…,port=0</c> or <c>nonce-tcp:</c>.
    /// </summary>
    /// <exception cref="FormatException">The address is malformed or the transport cannot listen on it.</exception>
    public static DBusServer Listen(string address, DBusServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        string guid = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var listener = TransportListener.Create(address, guid);
        return new DBusServer(listener, guid, options ?? new DBusServerOptions());
    }

    /// <summary>The address clients connect to (the real path or port, with <c>guid=</c>).</summary>
    public string Address => _listener.ConnectableAddress;

    /// <summary>The server's GUID (32 hex digits), sent to every client when it authenticates.</summary>
    public string Guid { get; }

    /// <summary>Whether clients arriving from now on may authenticate with ANONYMOUS (dbus-python's set_allow_anonymous).</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>True until the server is disposed.</summary>
    public bool IsListening => Volatile.Read(ref _disposed) == 0;

    /// <summary>The connected clients, a snapshot.</summary>
    public IReadOnlyList<DBusConnection> Connections
    {
        get
        {
            lock (_lock)
            {
                return [.. _connections];
            }
        }
    }

    /// <summary>
    /// Serves <paramref name="handler"/>'s interface on the object at <paramref name="path"/> to every client, those
    /// connected now and those to come (as <see cref="DBusConnection.Export(ObjectPath, IDBusInterfaceHandler)"/> does for
    /// one connection). The handler is shared: <see cref="MethodContext.Connection"/> is the caller's connection.
    /// </summary>
    /// <returns>Dispose it to unexport the interface from every client.</returns>
    /// <exception cref="ArgumentException">The handler's name or XML is invalid, or it names a standard interface.</exception>
    /// <exception cref="InvalidOperationException">The interface is already exported server-wide at <paramref name="path"/>.</exception>
    public IDisposable Export(ObjectPath path, IDBusInterfaceHandler handler) => Export(path, [handler], fallback: false);

    /// <summary>Serves several interfaces on the object at <paramref name="path"/> to every client (see
    /// <see cref="DBusConnection.Export(ObjectPath, IEnumerable{IDBusInterfaceHandler}, bool)"/> for
    /// <paramref name="fallback"/>).</summary>
    /// <inheritdoc cref="Export(ObjectPath, IDBusInterfaceHandler)"/>
    public IDisposable Export(ObjectPath path, IEnumerable<IDBusInterfaceHandler> handlers, bool fallback = false) =>
        _objects.Export(path, handlers, fallback);

    /// <summary>Unexports every server-wide interface at <paramref name="path"/>.</summary>
    /// <returns>False when nothing was exported there server-wide.</returns>
    public bool Unexport(ObjectPath path) => _objects.Unexport(path);

    /// <summary>Serves <c>org.freedesktop.DBus.ObjectManager</c> at <paramref name="path"/> to every client, over the
    /// server-wide objects below it (see <see cref="DBusConnection.AddObjectManager"/>): server-wide exports below it
    /// emit InterfacesAdded and InterfacesRemoved to every client.</summary>
    /// <returns>Dispose it to stop serving the manager.</returns>
    /// <exception cref="InvalidOperationException">A server-wide manager is already served at <paramref name="path"/>.</exception>
    public IDisposable AddObjectManager(ObjectPath path) => _objects.AddObjectManager(path);

    /// <summary>Raised when a client fails to authenticate (or to do so in time), is refused because a limit of
    /// <see cref="DBusServerOptions"/> is reached (a <see cref="DBusConnectionException"/> naming the option), or
    /// <see cref="DBusServerOptions.ConnectionAdded"/> throws.</summary>
    public event Action<DBusServer, Exception>? CallbackFailed;

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            DBusTransport transport;
            try
            {
                transport = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A failed accept (descriptor exhaustion, say) must not end the server; back off a little.
                Report(e);
                await Task.Delay(50).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }
            if (TryAdmit(transport) is not { } admission)
            {
                continue;
            }
            // Each client authenticates on its own, so a slow or silent one does not hold up the others.
            _ = Task.Run(() => AddClientAsync(transport, admission));
        }
    }

    /// <summary>Raised once a client that went away is disposed, its socket closed (for tests).</summary>
    internal event Action<DBusConnection>? ConnectionDisposed;

    private async Task AddClientAsync(DBusTransport transport, Admission admission)
    {
        DBusConnection? connection = null;
        try
        {
            var auth = await SaslServer.AuthenticateAsync(transport, new SaslServerOptions
            {
                Guid = Guid,
                AllowAnonymous = AllowAnonymous,
                IsUserAllowed = _options.IsUserAllowed,
                UnixFdsSupported = _options.EnableFds,
                KeyringDirectory = _options.KeyringDirectory,
                // The server's deadline thread enforces AuthenticationTimeout (from accept, and reported as such).
                Timeout = Timeout.InfiniteTimeSpan,
            }, _stopping.Token).ConfigureAwait(false);
            if (TryComplete(admission, auth.PeerUserId) is { } refused)
            {
                while (auth.ReadAheadFds.TryDequeue(out var fd))
                {
                    fd.Dispose();
                }
                throw refused;
            }
            var stream = new MessageStream(transport, Guid, auth.UnixFdsEnabled, auth.ReadAhead, auth.ReadAheadFds, _connectionOptions.MaxMessageUnixFds,
                _connectionOptions.MaxUnixFdsPerConnection);
            connection = new DBusConnection(stream, _connectionOptions, startDispatching: false, _objects) { AnswersHello = true };
            lock (_lock)
            {
                if (_stopping.IsCancellationRequested)
                {
                    connection.Dispose();
                    return;
                }
                _connections.Add(connection);
            }
            connection.CallOnDisconnection((c, reason) =>
            {
                lock (_lock)
                {
                    _connections.Remove(c);
                }
                Release(admission);
                // The server owns its clients' connections: release the socket once the client is gone, without
                // holding a thread while its loops end (this runs at the end of the connection's own dispatch).
                _ = DisposeDepartedAsync(c);
            });
            _options.ConnectionAdded?.Invoke(this, connection);
            connection.StartDispatching();
        }
        catch (Exception e)
        {
            if (admission.TimedOut)
            {
                e = TimedOut(e);
            }
            if (e is DBusAuthenticationException)
            {
                Telemetry.AuthenticationFailed(Telemetry.RoleServer);
            }
            if (connection is null)
            {
                transport.Dispose();
            }
            else
            {
                connection.Dispose();
            }
            Release(admission);
            if (!_stopping.IsCancellationRequested)
            {
                Report(e);
            }
        }
    }

    private async Task DisposeDepartedAsync(DBusConnection connection)
    {
        await Task.Yield();
        await connection.DisposeAsync().ConfigureAwait(false);
        ConnectionDisposed?.Invoke(connection);
    }

    private void Report(Exception e)
    {
        try
        {
            CallbackFailed?.Invoke(this, e);
        }
        catch (Exception)
        {
            // A failing failure handler has nowhere left to report to.
        }
    }

    /// <summary>Stops listening (removing the socket file) and closes every client connection.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stopping.Cancel();
        _listener.Dispose();
        _acceptLoop.Wait(TimeSpan.FromSeconds(5));
        StopHandshakes();
        foreach (var connection in Connections)
        {
            connection.Dispose();
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }
}
