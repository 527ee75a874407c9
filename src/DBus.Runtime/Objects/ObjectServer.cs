using DBus.Shared;

namespace DBus;

/// <summary>
/// The objects served to callers: the object tree, the routing of method calls to exported handlers, and the
/// built-in Peer, Introspectable, Properties and ObjectManager. It knows a connection only as the one a call came on
/// (to answer there) and as the audience of its InterfacesAdded/InterfacesRemoved signals: one connection for the
/// objects a connection exports, every client for those a <see cref="DBusServer"/> exports.
/// </summary>
/// <remarks>
/// A <see cref="DBusServer"/>'s client connection has its own object server whose <c>shared</c> server is the
/// server-wide one: a path the connection serves itself (an object, a fallback above it, or an object manager) is
/// answered from its own tree, any other from the shared tree; Introspect and the child listing show both.
/// </remarks>
internal sealed class ObjectServer : IMethodCallHandler
{
    private readonly ObjectTree _tree = new();
    private readonly Func<IEnumerable<DBusConnection>> _audience;
    private readonly ObjectServer? _shared;

    /// <param name="audience">The connections that receive InterfacesAdded and InterfacesRemoved.</param>
    /// <param name="shared">The server-wide objects consulted after these, or null.</param>
    public ObjectServer(Func<IEnumerable<DBusConnection>> audience, ObjectServer? shared = null)
    {
        _audience = audience;
        _shared = shared;
    }

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
    public string[] ListChildren(ObjectPath path)
    {
        string[] own = _tree.ChildNames(path);
        if (_shared is null)
        {
            return own;
        }
        string[] shared = _shared._tree.ChildNames(path);
        return shared.Length == 0 ? own : [.. own.Union(shared, StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

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
        var tree = Resolve(path, out var node);
        switch (iface)
        {
            case BuiltInIntrospectable.Interface:
            case null when call.Member == "Introspect" && call.Signature.IsEmpty:
                BuiltInIntrospectable.Answer(connection, call, path, node, ListChildren(path), tree.IsManager(path));
                return false;
            case BuiltInProperties.Interface when node is not null:
                BuiltInProperties.Answer(connection, call, node);
                return false;
            case BuiltInObjectManager.Interface when tree.IsManager(path):
                BuiltInObjectManager.Answer(connection, call, tree, path);
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
        if (!target.Description.Methods.TryGetValue(member, out var overloads))
        {
            CallReplies.ReplyError(connection, call, DBusErrorNames.UnknownMethod, $"method '{member}' does not exist on interface '{target.Name}'");
            return false;
        }
        if (FindOverload(overloads, call.Signature) is not { } method)
        {
            CallReplies.ReplyError(connection, call, DBusErrorNames.InvalidArgs,
                $"method '{target.Name}.{member}' takes arguments of signature {string.Join(" or ", overloads.Select(m => $"'{m.InSignature}'"))}, not '{call.Signature}'");
            return false;
        }
        return HandlerInvoker.Invoke(connection, call, target.Handler, method.Index);
    }

    /// <summary>The tree that serves <paramref name="path"/>: this one when it has an object (or fallback) or a manager
    /// there, else the shared one when that has; <paramref name="node"/> is the object found, if any.</summary>
    private ObjectTree Resolve(ObjectPath path, out ObjectTree.Node? node)
    {
        node = _tree.Find(path);
        if (node is not null || _shared is null || _tree.IsManager(path))
        {
            return _tree;
        }
        var sharedTree = _shared._tree;
        node = sharedTree.Find(path);
        return node is not null || sharedTree.IsManager(path) ? sharedTree : _tree;
    }

    /// <summary>The declaration among <paramref name="overloads"/> that takes <paramref name="signature"/>, if any.</summary>
    private static DeclaredMethod? FindOverload(DeclaredMethod[] overloads, Signature signature)
    {
        foreach (var method in overloads)
        {
            if (method.InSignature == signature)
            {
                return method;
            }
        }
        return null;
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
            if (!connection.IsConnected)
            {
                continue;
            }
            try
            {
                connection.Send(BuiltInObjectManager.CreateInterfacesAdded(manager, path, added));
            }
            catch (DBusDisconnectedException)
            {
                // Lost since IsConnected said otherwise: it has nobody left to tell.
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
