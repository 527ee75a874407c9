using DBus.CodeAnalysis;

namespace DBus;

/// <summary>
/// A client of a remote <c>org.freedesktop.DBus.ObjectManager</c> (GDBus's GDBusObjectManagerClient): the managed
/// objects, their interfaces and properties read with <c>GetManagedObjects</c>, then kept current from
/// <c>InterfacesAdded</c>/<c>InterfacesRemoved</c> (and, when asked, <c>PropertiesChanged</c>), with an event for each.
/// </summary>
/// <remarks>
/// <para>Events are raised on the connection's dispatch thread after the snapshot was updated. Dispose the client to
/// stop following the manager (its match rules are removed from the bus).</para>
/// <para>On a bus the client follows the owner of <see cref="Destination"/>, as GDBus's does: when the owner goes,
/// every object is removed (an <see cref="InterfacesRemoved"/> event each); when a new owner comes (a restarted
/// service), its objects are read again with <c>GetManagedObjects</c> (an <see cref="InterfacesAdded"/> event each).</para>
/// </remarks>
public sealed class ObjectManagerClient : IAsyncDisposable, IDisposable
{
    private const string ObjectManagerInterface = "org.freedesktop.DBus.ObjectManager";
    private const string PropertiesInterface = "org.freedesktop.DBus.Properties";

    private readonly object _gate = new();
    // Replaced, never changed, so a reader holds a consistent snapshot without the lock.
    private IReadOnlyDictionary<ObjectPath, ManagedObject> _objects = new Dictionary<ObjectPath, ManagedObject>();
    // Signals that arrive before the first GetManagedObjects reply are already in it: applied only once it was read
    // (after a change of owner they are applied at once, see Load).
    private bool _loaded;
    // Counts the owners of Destination seen so far: a GetManagedObjects reply from an owner that has gone since is dropped.
    private int _ownerGeneration;
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
            if (destination is not null && connection.Options.IsBus)
            {
                // Subscribed before the first read too: an owner change after it is seen.
                client._subscriptions.Add(await connection.AddSignalReceiverAsync(
                    BusMessages.NameOwnerChangedRule(destination), client.OnNameOwnerChanged, cancellationToken).ConfigureAwait(false));
            }
            // The reader runs on the dispatch thread, in order with the signal handlers: the snapshot is in place
            // before the first signal that follows the reply.
            await connection.CallAsync(client.GetManagedObjects(), s_load, (client, 0), null, cancellationToken).ConfigureAwait(false);
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

    private Message GetManagedObjects() =>
        MessageWriter.CreateMethodCall(Destination, Path, ObjectManagerInterface, "GetManagedObjects").ToMessage();

    // The reader of the first read (generation 0) and of a new owner's (each difference announced).
    private static readonly ReplyReader<(ObjectManagerClient Client, int OwnerGeneration), int> s_load =
        static (reply, state) => state.Client.Load(reply, state.OwnerGeneration);

    /// <summary>
    /// Reads a GetManagedObjects reply into the snapshot, unless the owner that sent it has gone since. Runs on the
    /// dispatch thread, in order with the signal handlers. After a change of owner, the new owner's signals that came
    /// before the reply were applied already (and are in the reply too): what the reply adds to the snapshot or takes
    /// from it is announced, with an event each, so nothing is announced twice.
    /// </summary>
    /// <returns>How many objects were read (-1: the reply was dropped).</returns>
    private int Load(MessageView reply, int ownerGeneration)
    {
        var reader = reply.GetBodyReader();
        var objects = new Dictionary<ObjectPath, ManagedObject>();
        var end = reader.ReadArrayStart(DBusType.DictEntry);
        while (reader.HasNext(end))
        {
            var path = reader.ReadObjectPath();
            objects[path] = new ManagedObject(path, ReadInterfaces(ref reader));
        }
        IReadOnlyDictionary<ObjectPath, ManagedObject> before;
        lock (_gate)
        {
            if (ownerGeneration != _ownerGeneration)
            {
                return -1;
            }
            before = _objects;
            Volatile.Write(ref _objects, objects);
            _loaded = true;
        }
        if (ownerGeneration > 0)
        {
            AnnounceDifference(before, objects);
        }
        return objects.Count;
    }

    /// <summary>Raises an event for each interface the snapshot gained or lost from <paramref name="before"/> to
    /// <paramref name="after"/>. A handler's exception goes where a signal handler's does.</summary>
    private void AnnounceDifference(IReadOnlyDictionary<ObjectPath, ManagedObject> before, IReadOnlyDictionary<ObjectPath, ManagedObject> after)
    {
        foreach (var (path, managed) in after)
        {
            var gained = managed.Interfaces.Keys.Where(name => before.GetValueOrDefault(path)?.Implements(name) != true).ToArray();
            if (gained.Length > 0)
            {
                Raise(InterfacesAdded, new ManagedInterfacesEventArgs(path, gained, managed));
            }
        }
        foreach (var (path, managed) in before)
        {
            var now = after.GetValueOrDefault(path);
            var lost = managed.Interfaces.Keys.Where(name => now?.Implements(name) != true).ToArray();
            if (lost.Length > 0)
            {
                Raise(InterfacesRemoved, new ManagedInterfacesEventArgs(path, lost, now));
            }
        }
    }

    private void Raise(EventHandler<ManagedInterfacesEventArgs>? handler, ManagedInterfacesEventArgs args)
    {
        try
        {
            handler?.Invoke(this, args);
        }
        catch (Exception e)
        {
            Connection.OnCallbackFailed(e);
        }
    }

    /// <summary>
    /// The manager's bus name changed hands: the old owner's objects are gone (an event each), and a new owner's are
    /// read afresh, its signals applied meanwhile (see <see cref="Load"/>).
    /// </summary>
    private void OnNameOwnerChanged(SignalContext signal)
    {
        if (!NameOwnerChangedSignal.Matches(signal.Message) || !NameOwnerChangedSignal.TryRead(signal.Message, out string name, out string? newOwner)
            || name != Destination)
        {
            return;
        }
        IReadOnlyDictionary<ObjectPath, ManagedObject> gone;
        int generation;
        lock (_gate)
        {
            gone = _objects;
            generation = ++_ownerGeneration;
            _loaded = true; // a first read still under way is dropped: its owner has gone
            Volatile.Write(ref _objects, new Dictionary<ObjectPath, ManagedObject>());
        }
        AnnounceDifference(gone, new Dictionary<ObjectPath, ManagedObject>());
        if (newOwner is not null)
        {
            _ = ReloadAsync(generation);
        }
    }

    /// <summary>Reads a new owner's objects (see <see cref="Load"/>). Never faults: when the owner does not answer,
    /// the snapshot holds what its signals announce.</summary>
    private async Task ReloadAsync(int ownerGeneration)
    {
        try
        {
            await Connection.CallAsync(GetManagedObjects(), s_load, (this, ownerGeneration)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DBusException or OperationCanceledException or ObjectDisposedException)
        {
            // No manager there (yet), or the connection ended: nothing to read.
        }
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
            _ownerGeneration++; // a new owner's objects still being read are dropped: nobody follows them any more
            var taken = _subscriptions.ToArray();
            _subscriptions.Clear();
            return taken;
        }
    }
}
