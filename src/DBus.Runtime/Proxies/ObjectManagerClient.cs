using DBus.CodeAnalysis;

namespace DBus;

/// <summary>
/// A client of a remote <c>org.freedesktop.DBus.ObjectManager</c> (GDBus's GDBusObjectManagerClient): the managed
/// objects, their interfaces and properties read with <c>GetManagedObjects</c>, then kept current from
/// <c>InterfacesAdded</c>/<c>InterfacesRemoved</c> (and, when asked, <c>PropertiesChanged</c>), with an event for each.
/// </summary>
/// <remarks>
/// Events are raised on the connection's dispatch thread after the snapshot was updated. Dispose the client to stop
/// following the manager (its match rules are removed from the bus).
/// </remarks>
public sealed class ObjectManagerClient : IAsyncDisposable, IDisposable
{
    private const string ObjectManagerInterface = "org.freedesktop.DBus.ObjectManager";
    private const string PropertiesInterface = "org.freedesktop.DBus.Properties";

    private readonly object _gate = new();
    // Replaced, never changed, so a reader holds a consistent snapshot without the lock.
    private IReadOnlyDictionary<ObjectPath, ManagedObject> _objects = new Dictionary<ObjectPath, ManagedObject>();
    // Signals that arrive before the GetManagedObjects reply are already in it: applied only once it was read.
    private bool _loaded;
    private readonly List<SignalSubscription> _subscriptions = [];

    private ObjectManagerClient(DBusConnection connection, string? destination, ObjectPath path)
    {
        Connection = connection;
        Destination = destination;
        Path = path;
    }

    /// <summary>The connection the manager is reached through.</summary>
    public DBusConnection Connection { get; }

    /// <summary>The bus name of the manager's owner (null on a peer-to-peer connection).</summary>
    public string? Destination { get; }

    /// <summary>The path of the object that implements ObjectManager.</summary>
    public ObjectPath Path { get; }

    /// <summary>The managed objects by path: a snapshot, not changed by later signals.</summary>
    public IReadOnlyDictionary<ObjectPath, ManagedObject> Objects => Volatile.Read(ref _objects);

    /// <summary>Raised after an object gained interfaces (a new object included).</summary>
    public event EventHandler<ManagedInterfacesEventArgs>? InterfacesAdded;

    /// <summary>Raised after an object lost interfaces (with its last one, it is gone from <see cref="Objects"/>).</summary>
    public event EventHandler<ManagedInterfacesEventArgs>? InterfacesRemoved;

    /// <summary>Raised after properties of a managed object changed (only when created with trackProperties).</summary>
    public event EventHandler<ManagedPropertiesChangedEventArgs>? PropertiesChanged;

    /// <summary>Reads the objects of the manager at <paramref name="path"/> and starts following its signals.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="destination">The bus name of the manager's owner (a well-known name is followed to its owner),
    /// or null on a peer-to-peer connection.</param>
    /// <param name="path">The path of the object that implements ObjectManager.</param>
    /// <param name="trackProperties">Also follow PropertiesChanged of the managed objects (under <paramref name="path"/>).</param>
    /// <param name="cancellationToken">Abandons the start.</param>
    /// <exception cref="DBusException">The object does not answer GetManagedObjects.</exception>
    public static async Task<ObjectManagerClient> CreateAsync(DBusConnection connection, [DBusName(DBusNameKind.BusName)] string? destination,
        ObjectPath path, bool trackProperties = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var client = new ObjectManagerClient(connection, destination, path);
        try
        {
            // Subscribed before the call, so nothing sent after the reply is missed.
            client._subscriptions.Add(await connection.AddSignalReceiverAsync(
                new MatchRule { Type = MessageType.Signal, Sender = destination, Path = path, Interface = ObjectManagerInterface },
                client.OnManagerSignal, cancellationToken).ConfigureAwait(false));
            if (trackProperties)
            {
                client._subscriptions.Add(await connection.AddSignalReceiverAsync(
                    new MatchRule { Type = MessageType.Signal, Sender = destination, PathNamespace = path, Interface = PropertiesInterface, Member = "PropertiesChanged" },
                    client.OnPropertiesChanged, cancellationToken).ConfigureAwait(false));
            }
            var call = MessageWriter.CreateMethodCall(destination, path, ObjectManagerInterface, "GetManagedObjects").ToMessage();
            // The reader runs on the dispatch thread, in order with the signal handlers: the snapshot is in place
            // before the first signal that follows the reply.
            await connection.CallAsync(call, client.Load, cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>The object at <paramref name="path"/>, or null when the manager does not report it.</summary>
    public ManagedObject? GetObject(ObjectPath path) => Objects.TryGetValue(path, out var found) ? found : null;

    /// <summary>
    /// A typed proxy (usually a generated <c>{Name}Proxy</c>) for <paramref name="interfaceName"/> on a managed
    /// object, e.g. <c>client.GetProxy(path, CalculatorInterface.Name, (c, d, p) =&gt; new CalculatorProxy(c, d, p))</c>.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The object is not managed, or does not implement the interface.</exception>
    public T GetProxy<T>(ObjectPath path, [DBusName(DBusNameKind.InterfaceName)] string interfaceName, Func<DBusConnection, string?, ObjectPath, T> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        var found = GetObject(path) ?? throw new KeyNotFoundException($"the object manager at {Path} does not report an object {path}");
        if (!found.Implements(interfaceName))
        {
            throw new KeyNotFoundException($"{path} does not implement {interfaceName} (it has {string.Join(", ", found.Interfaces.Keys)})");
        }
        return create(Connection, Destination, path);
    }

    private int Load(MessageView reply)
    {
        var reader = reply.GetBodyReader();
        var objects = new Dictionary<ObjectPath, ManagedObject>();
        var end = reader.ReadArrayStart(DBusType.DictEntry);
        while (reader.HasNext(end))
        {
            var path = reader.ReadObjectPath();
            objects[path] = new ManagedObject(path, ReadInterfaces(ref reader));
        }
        lock (_gate)
        {
            Volatile.Write(ref _objects, objects);
            _loaded = true;
        }
        return objects.Count;
    }

    // a{sa{sv}}: interface → properties.
    private static Dictionary<string, IReadOnlyDictionary<string, Variant>> ReadInterfaces(ref MessageReader reader)
    {
        var interfaces = new Dictionary<string, IReadOnlyDictionary<string, Variant>>(StringComparer.Ordinal);
        var end = reader.ReadArrayStart(DBusType.DictEntry);
        while (reader.HasNext(end))
        {
            string name = reader.ReadString();
            interfaces[name] = ReadProperties(ref reader);
        }
        return interfaces;
    }

    private static Dictionary<string, Variant> ReadProperties(ref MessageReader reader)
    {
        var properties = new Dictionary<string, Variant>(StringComparer.Ordinal);
        var end = reader.ReadArrayStart(DBusType.DictEntry);
        while (reader.HasNext(end))
        {
            string name = reader.ReadString();
            properties[name] = reader.ReadVariant();
        }
        return properties;
    }

    private void OnManagerSignal(SignalContext signal)
    {
        var message = signal.Message;
        var reader = message.GetBodyReader();
        ManagedInterfacesEventArgs args;
        if (message.Member == "InterfacesAdded" && message.Signature.Value == "oa{sa{sv}}")
        {
            var path = reader.ReadObjectPath();
            var added = ReadInterfaces(ref reader);
            lock (_gate)
            {
                if (!_loaded)
                {
                    return;
                }
                var current = GetObject(path) ?? new ManagedObject(path, new Dictionary<string, IReadOnlyDictionary<string, Variant>>());
                foreach (var (name, properties) in added)
                {
                    current = current.With(name, properties);
                }
                Replace(path, current);
                args = new ManagedInterfacesEventArgs(path, [.. added.Keys], current);
            }
            InterfacesAdded?.Invoke(this, args);
        }
        else if (message.Member == "InterfacesRemoved" && message.Signature.Value == "oas")
        {
            var path = reader.ReadObjectPath();
            var removed = reader.ReadArrayOfString();
            lock (_gate)
            {
                if (!_loaded || GetObject(path) is not { } current)
                {
                    return;
                }
                foreach (var name in removed)
                {
                    current = current.With(name, null);
                }
                Replace(path, current.Interfaces.Count == 0 ? null : current);
                args = new ManagedInterfacesEventArgs(path, removed, current.Interfaces.Count == 0 ? null : current);
            }
            InterfacesRemoved?.Invoke(this, args);
        }
    }

    private void OnPropertiesChanged(SignalContext signal)
    {
        var message = signal.Message;
        if (message.Signature.Value != "sa{sv}as" || message.Path is not { } path)
        {
            return;
        }
        var reader = message.GetBodyReader();
        string interfaceName = reader.ReadString();
        var changed = ReadProperties(ref reader);
        var invalidated = reader.ReadArrayOfString();
        ManagedPropertiesChangedEventArgs args;
        lock (_gate)
        {
            if (!_loaded || GetObject(path) is not { } current || !current.Interfaces.TryGetValue(interfaceName, out var properties))
            {
                return;
            }
            var updated = new Dictionary<string, Variant>(properties, StringComparer.Ordinal);
            foreach (var (name, value) in changed)
            {
                updated[name] = value;
            }
            foreach (var name in invalidated)
            {
                updated.Remove(name);
            }
            current = current.With(interfaceName, updated);
            Replace(path, current);
            args = new ManagedPropertiesChangedEventArgs(current, interfaceName, changed, invalidated);
        }
        PropertiesChanged?.Invoke(this, args);
    }

    // Called under _gate.
    private void Replace(ObjectPath path, ManagedObject? managed)
    {
        var objects = new Dictionary<ObjectPath, ManagedObject>(_objects);
        if (managed is null)
        {
            objects.Remove(path);
        }
        else
        {
            objects[path] = managed;
        }
        Volatile.Write(ref _objects, objects);
    }

    /// <summary>Stops following the manager (removes the match rules).</summary>
    public void Dispose()
    {
        foreach (var subscription in TakeSubscriptions())
        {
            subscription.Dispose();
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in TakeSubscriptions())
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    private SignalSubscription[] TakeSubscriptions()
    {
        lock (_gate)
        {
            var taken = _subscriptions.ToArray();
            _subscriptions.Clear();
            return taken;
        }
    }
}
