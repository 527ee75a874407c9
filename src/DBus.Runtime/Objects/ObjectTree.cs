namespace DBus;

/// <summary>
/// The objects a connection serves: path → interfaces (copy-on-write arrays, so dispatch reads a snapshot without a
/// lock), which paths are fallbacks for their subtree, and where object managers sit.
/// </summary>
internal sealed class ObjectTree
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _managers = new(StringComparer.Ordinal);

    internal sealed class Node(ObjectPath path)
    {
        public ObjectPath Path { get; } = path;
        public ExportedInterface[] Interfaces = [];
        public bool Fallback;
    }

    /// <summary>Adds <paramref name="added"/> at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidOperationException">An interface of that name is exported there already.</exception>
    public void Add(ObjectPath path, ExportedInterface[] added, bool fallback)
    {
        lock (_lock)
        {
            if (!_nodes.TryGetValue(path.Value, out var node))
            {
                node = new Node(path);
            }
            foreach (var item in added)
            {
                if (node.Interfaces.Any(i => i.Name == item.Name) || added.Count(a => a.Name == item.Name) > 1)
                {
                    ThrowHelper.ThrowInvalidOperation($"interface '{item.Name}' is already exported at '{path}'");
                }
            }
            node.Interfaces = [.. node.Interfaces, .. added];
            node.Fallback |= fallback;
            _nodes[path.Value] = node;
        }
    }

    /// <summary>Removes the given handlers from <paramref name="path"/> (all of them when null); returns those removed.</summary>
    public ExportedInterface[] Remove(ObjectPath path, IReadOnlyCollection<IDBusInterfaceHandler>? handlers)
    {
        lock (_lock)
        {
            if (!_nodes.TryGetValue(path.Value, out var node))
            {
                return [];
            }
            var removed = node.Interfaces.Where(i => handlers is null || handlers.Contains(i.Handler)).ToArray();
            node.Interfaces = node.Interfaces.Except(removed).ToArray();
            if (node.Interfaces.Length == 0)
            {
                _nodes.Remove(path.Value);
            }
            return removed;
        }
    }

    /// <summary>The object at <paramref name="path"/>, else the nearest fallback above it, else null.</summary>
    public Node? Find(ObjectPath path)
    {
        lock (_lock)
        {
            string p = path.Value;
            if (_nodes.TryGetValue(p, out var node))
            {
                return node;
            }
            while (p != "/")
            {
                int slash = p.LastIndexOf('/');
                p = slash == 0 ? "/" : p[..slash];
                if (_nodes.TryGetValue(p, out node) && node.Fallback)
                {
                    return node;
                }
            }
            return null;
        }
    }

    /// <summary>The names of the direct children of <paramref name="path"/> that lead to exported objects, sorted.</summary>
    public string[] ChildNames(ObjectPath path)
    {
        string prefix = path.Value == "/" ? "/" : path.Value + "/";
        var names = new SortedSet<string>(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var key in _nodes.Keys)
            {
                if (key.Length > prefix.Length && key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    int end = key.IndexOf('/', prefix.Length);
                    names.Add(end < 0 ? key[prefix.Length..] : key[prefix.Length..end]);
                }
            }
        }
        return [.. names];
    }

    /// <summary>The objects strictly below <paramref name="path"/>, sorted by path.</summary>
    public Node[] Descendants(ObjectPath path)
    {
        string prefix = path.Value == "/" ? "/" : path.Value + "/";
        lock (_lock)
        {
            return _nodes.Values.Where(n => n.Path.Value.Length > prefix.Length && n.Path.Value.StartsWith(prefix, StringComparison.Ordinal))
                .OrderBy(n => n.Path.Value, StringComparer.Ordinal).ToArray();
        }
    }

    /// <summary>Adds an object manager at <paramref name="path"/>; false when there is one already.</summary>
    public bool AddManager(ObjectPath path)
    {
        lock (_lock)
        {
            return _managers.Add(path.Value);
        }
    }

    /// <summary>Removes the object manager at <paramref name="path"/>.</summary>
    public void RemoveManager(ObjectPath path)
    {
        lock (_lock)
        {
            _managers.Remove(path.Value);
        }
    }

    /// <summary>True when an object manager sits at <paramref name="path"/>.</summary>
    public bool IsManager(ObjectPath path)
    {
        lock (_lock)
        {
            return _managers.Contains(path.Value);
        }
    }

    /// <summary>The nearest object manager strictly above <paramref name="path"/>, if any.</summary>
    public ObjectPath? ManagerAbove(ObjectPath path)
    {
        lock (_lock)
        {
            string p = path.Value;
            while (p != "/")
            {
                int slash = p.LastIndexOf('/');
                p = slash == 0 ? "/" : p[..slash];
                if (_managers.Contains(p))
                {
                    return new ObjectPath(p);
                }
            }
            return null;
        }
    }
}
