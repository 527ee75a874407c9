namespace DBus;

// Serving objects: everything here is done by the ObjectServer (Objects/), which also answers the method calls.
public sealed partial class DBusConnection
{
    /// <summary>
    /// Serves <paramref name="handler"/>'s interface on the object at <paramref name="path"/>. Several interfaces may
    /// be exported on one path (one call each, or together with <see cref="Export(ObjectPath, IEnumerable{IDBusInterfaceHandler}, bool)"/>);
    /// Introspectable, Properties and Peer are then answered there automatically.
    /// </summary>
    /// <returns>Dispose it to unexport this interface (InterfacesRemoved is emitted under an object manager).</returns>
    /// <exception cref="ArgumentException">The handler's name or XML is invalid, or it names a standard interface.</exception>
    /// <exception cref="InvalidOperationException">The interface is already exported at <paramref name="path"/>.</exception>
    public IDisposable Export(ObjectPath path, IDBusInterfaceHandler handler) => Export(path, [handler], fallback: false);

    /// <summary>
    /// Serves several interfaces on the object at <paramref name="path"/> at once (one InterfacesAdded signal).
    /// With <paramref name="fallback"/> the object also answers calls to every path below it that has no object of
    /// its own (<see cref="MethodContext.Path"/> tells which); Introspect there lists its interfaces too.
    /// </summary>
    /// <inheritdoc cref="Export(ObjectPath, IDBusInterfaceHandler)"/>
    public IDisposable Export(ObjectPath path, IEnumerable<IDBusInterfaceHandler> handlers, bool fallback = false) =>
        _objects.Export(path, handlers, fallback);

    /// <summary>Unexports every interface at <paramref name="path"/> (dbus-python's remove_from_connection).</summary>
    /// <returns>False when nothing was exported there.</returns>
    public bool Unexport(ObjectPath path) => _objects.Unexport(path);

    /// <summary>The names of the direct children of <paramref name="path"/> on the way to exported objects, sorted
    /// (dbus-python's list_exported_child_objects): for objects at <c>/a/b</c> and <c>/a/c/d</c>, <c>/a</c> has
    /// <c>b</c> and <c>c</c>.</summary>
    public string[] ListExportedChildObjects(ObjectPath path) => _objects.ListChildren(path);

    /// <summary>
    /// Serves <c>org.freedesktop.DBus.ObjectManager</c> at <paramref name="path"/>: GetManagedObjects lists every object
    /// exported below it with its interfaces and readable properties, and exporting or unexporting below it emits
    /// InterfacesAdded or InterfacesRemoved from <paramref name="path"/> (from the nearest manager when managers nest).
    /// </summary>
    /// <returns>Dispose it to stop serving the manager.</returns>
    /// <exception cref="InvalidOperationException">A manager is already served at <paramref name="path"/>.</exception>
    public IDisposable AddObjectManager(ObjectPath path) => _objects.AddObjectManager(path);

    /// <summary>Sends a signal built with <see cref="MessageWriter.CreateSignal"/>: broadcast, or unicast when it has a
    /// destination. Returns its serial.</summary>
    /// <exception cref="ArgumentException">The message is not a signal.</exception>
    /// <exception cref="DBusDisconnectedException">The connection is closed.</exception>
    public uint EmitSignal(Message signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        if (signal.Type != MessageType.Signal)
        {
            ThrowHelper.ThrowArgument(nameof(signal), $"the message is a {signal.Type}, not a signal");
        }
        return Send(signal);
    }

    /// <summary>
    /// Emits <c>org.freedesktop.DBus.Properties.PropertiesChanged</c> for <paramref name="handler"/>'s properties at
    /// <paramref name="path"/>, as each property's EmitsChangedSignal annotation says: <c>true</c> (the default) sends
    /// the current value (read through <see cref="IDBusInterfaceHandler.WriteProperty"/>), <c>invalidates</c> sends the
    /// name only, <c>const</c> and <c>false</c> send nothing.
    /// </summary>
    /// <returns>True when a signal was sent (false when no named property emits one).</returns>
    /// <exception cref="ArgumentException">A name is not a property the handler's XML declares.</exception>
    /// <exception cref="InvalidOperationException">The handler wrote a value of another type than the declared one.</exception>
    public bool EmitPropertiesChanged(ObjectPath path, IDBusInterfaceHandler handler, params string[] propertyNames)
    {
        if (BuiltInProperties.CreatePropertiesChanged(path, handler, propertyNames) is not { } signal)
        {
            return false;
        }
        Send(signal);
        return true;
    }
}
