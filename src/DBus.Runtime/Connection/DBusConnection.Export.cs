using DBus.Shared;

namespace DBus;

// The public object-tree API: export and unexport handlers, list children, emit signals.
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
    public IDisposable Export(ObjectPath path, IEnumerable<IDBusInterfaceHandler> handlers, bool fallback = false)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        var added = handlers.Select(Describe).ToArray();
        if (added.Length == 0)
        {
            ThrowHelper.ThrowArgument(nameof(handlers), "there is no handler to export");
        }
        _objects.Add(path, added, fallback);
        EmitInterfacesAdded(path, added);
        var exported = added.Select(a => a.Handler).ToArray();
        return new Registration(() => EmitInterfacesRemoved(path, _objects.Remove(path, exported)));
    }

    /// <summary>Unexports every interface at <paramref name="path"/> (dbus-python's remove_from_connection).</summary>
    /// <returns>False when nothing was exported there.</returns>
    public bool Unexport(ObjectPath path)
    {
        var removed = _objects.Remove(path, null);
        EmitInterfacesRemoved(path, removed);
        return removed.Length > 0;
    }

    /// <summary>The names of the direct children of <paramref name="path"/> on the way to exported objects, sorted
    /// (dbus-python's list_exported_child_objects): for objects at <c>/a/b</c> and <c>/a/c/d</c>, <c>/a</c> has
    /// <c>b</c> and <c>c</c>.</summary>
    public string[] ListExportedChildObjects(ObjectPath path) => _objects.ChildNames(path);

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

    private static ExportedInterface Describe(IDBusInterfaceHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        string name = handler.InterfaceName;
        if (DBusNameValidator.ValidateInterfaceName(name) is { } problem)
        {
            ThrowHelper.ThrowArgument(nameof(handler), $"'{name}' is not a valid interface name: {problem}");
        }
        if (StandardInterfaces.IsStandard(name))
        {
            ThrowHelper.ThrowArgument(nameof(handler), $"'{name}' is served by the connection itself and cannot be exported");
        }
        var description = InterfaceDescription.Get(handler.IntrospectionXml ?? "");
        if (description.Name != name)
        {
            ThrowHelper.ThrowArgument(nameof(handler), $"the handler's InterfaceName is '{name}' but its XML describes '{description.Name}'");
        }
        return new ExportedInterface(handler, description);
    }
}
