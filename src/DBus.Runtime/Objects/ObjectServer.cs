using DBus.Shared;

namespace DBus;

/// <summary>
/// The objects served to callers: the object tree, the routing of method calls to exported handlers, and the
/// built-in Peer, Introspectable, Properties and ObjectManager. It knows a connection only as the one a call came on
/// (to answer there) and as the audience of its InterfacesAdded/InterfacesRemoved signals: one connection for the
/// objects a connection exports, every client for those a <see cref="DBusServer"/> exports.
/// </summary>
internal sealed class ObjectServer : IMethodCallHandler
{
    private readonly ObjectTree _tree = new();
    private readonly Func<IEnumerable<DBusConnection>> _audience;

    /// <param name="audience">The connections that receive InterfacesAdded and InterfacesRemoved.</param>
    public ObjectServer(Func<IEnumerable<DBusConnection>> audience) => _audience = audience;

    /// <summary>The exported objects (for tests).</summary>
    internal ObjectTree Tree => _tree;

    /// <summary>Exports <paramref name="handlers"/> at <paramref name="path"/>; dispose the result to unexport them.</summary>
    /// <exception cref="ArgumentException">A handler's name or XML is invalid, or it names a standard interface.</exception>
    /// <exception cref="InvalidOperationException">An interface is already exported at <paramref name="path"/>.</exception>
    public IDisposable Export(ObjectPath path, IEnumerable<IDBusInterfaceHandler> handlers, bool fallback)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        var added = handlers.Select(Describe).ToArray();
        if (added.Length == 0)
        {
            ThrowHelper.ThrowArgument(nameof(handlers), "there is no handler to export");
        }
        _tree.Add(path, added, fallback);
        EmitInterfacesAdded(path, added);
        var exported = added.Select(a => a.Handler).ToArray();
        return new Registration(() => EmitInterfacesRemoved(path, _tree.Remove(path, exported)));
    }

    /// <summary>Unexports every interface at <paramref name="path"/>; false when nothing was exported there.</summary>
    public bool Unexport(ObjectPath path)
    {
        var removed = _tree.Remove(path, null);
        EmitInterfacesRemoved(path, removed);
        return removed.Length > 0;
    }

    /// <summary>The names of the direct children of <paramref name="path"/> on the way to exported objects, sorted.</summary>
    public string[] ListChildren(ObjectPath path) => _tree.ChildNames(path);

    /// <summary>Serves ObjectManager at <paramref name="path"/>; dispose the result to stop.</summary>
    /// <exception cref="InvalidOperationException">A manager is already served at <paramref name="path"/>.</exception>
    public IDisposable AddObjectManager(ObjectPath path)
    {
        if (!_tree.AddManager(path))
        {
            ThrowHelper.ThrowInvalidOperation($"an object manager is already served at '{path}'");
        }
        return new Registration(() => _tree.RemoveManager(path));
    }

    /// <summary>Answers <paramref name="call"/>: Peer on every path, then the built-in interfaces of the object tree,
    /// then the exported handlers; anything that matches nothing gets the standard error reply.</summary>
    public bool HandleMethodCall(DBusConnection connection, Message call)
    {
        string? iface = call.Interface;
        if (iface is BuiltInPeer.Interface or null && BuiltInPeer.TryAnswer(connection, call))
        {
            return false;
        }
        var path = call.Path ?? ObjectPath.Root;
        var node = _tree.Find(path);
        switch (iface)
        {
            case BuiltInIntrospectable.Interface:
            case null when call.Member == "Introspect" && call.Signature.IsEmpty:
                BuiltInIntrospectable.Answer(connection, call, _tree, path, node);
                return false;
            case BuiltInProperties.Interface when node is not null:
                BuiltInProperties.Answer(connection, call, node);
                return false;
            case BuiltInObjectManager.Interface when _tree.IsManager(path):
                BuiltInObjectManager.Answer(connection, call, _tree, path);
                return false;
        }
        if (node is null)
        {
            CallReplies.ReplyError(connection, call, DBusErrorNames.UnknownObject, $"no object is exported at path '{path}'");
            return false;
        }
        string member = call.Member!;
        ExportedInterface? target = FindTarget(node.Interfaces, iface, member);
        if (target is null)
        {
            if (iface is null)
            {
                CallReplies.ReplyError(connection, call, DBusErrorNames.UnknownMethod, $"no interface of the object at '{path}' has a method '{member}'");
            }
            else
            {
                CallReplies.ReplyError(connection, call, DBusErrorNames.UnknownInterface, $"the object at '{path}' does not implement interface '{iface}'");
            }
            return false;
        }
        if (!target.Description.Methods.TryGetValue(member, out var signatures))
        {
            CallReplies.ReplyError(connection, call, DBusErrorNames.UnknownMethod, $"method '{member}' does not exist on interface '{target.Name}'");
            return false;
        }
        if (Array.IndexOf(signatures, call.Signature) < 0)
        {
            CallReplies.ReplyError(connection, call, DBusErrorNames.InvalidArgs,
                $"method '{target.Name}.{member}' takes arguments of signature {string.Join(" or ", signatures.Select(s => $"'{s}'"))}, not '{call.Signature}'");
            return false;
        }
        return HandlerInvoker.Invoke(connection, call, target.Handler);
    }

    /// <summary>The interface a call is for: the named one, or without a name the first with the method.
    /// (A loop rather than a capturing lambda: this runs for every call.)</summary>
    private static ExportedInterface? FindTarget(ExportedInterface[] interfaces, string? iface, string member)
    {
        foreach (var candidate in interfaces)
        {
            if (iface is null ? candidate.Description.Methods.ContainsKey(member) : candidate.Name == iface)
            {
                return candidate;
            }
        }
        return null;
    }

    private void EmitInterfacesAdded(ObjectPath path, ExportedInterface[] added)
    {
        if (added.Length == 0 || _tree.ManagerAbove(path) is not { } manager)
        {
            return;
        }
        foreach (var connection in _audience())
        {
            if (connection.IsConnected)
            {
                connection.Send(BuiltInObjectManager.CreateInterfacesAdded(manager, path, added));
            }
        }
    }

    private void EmitInterfacesRemoved(ObjectPath path, ExportedInterface[] removed)
    {
        if (removed.Length == 0 || _tree.ManagerAbove(path) is not { } manager)
        {
            return;
        }
        foreach (var connection in _audience())
        {
            if (!connection.IsConnected)
            {
                continue;
            }
            try
            {
                connection.Send(BuiltInObjectManager.CreateInterfacesRemoved(manager, path, removed));
            }
            catch (DBusDisconnectedException)
            {
                // Unexporting on a closed connection is not an error.
            }
        }
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
