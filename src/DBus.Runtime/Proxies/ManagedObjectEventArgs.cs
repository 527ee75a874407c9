namespace DBus;

/// <summary>Interfaces appeared on or left a managed object (InterfacesAdded, InterfacesRemoved).</summary>
public sealed class ManagedInterfacesEventArgs : EventArgs
{
    internal ManagedInterfacesEventArgs(ObjectPath path, IReadOnlyList<string> interfaceNames, ManagedObject? managedObject)
    {
        Path = path;
        InterfaceNames = interfaceNames;
        Object = managedObject;
    }

    /// <summary>The object's path.</summary>
    public ObjectPath Path { get; }

    /// <summary>The interfaces added or removed.</summary>
    public IReadOnlyList<string> InterfaceNames { get; }

    /// <summary>The object after the change; null when its last interface went (it is no longer managed).</summary>
    public ManagedObject? Object { get; }
}

/// <summary>Properties of an interface on a managed object changed (PropertiesChanged).</summary>
public sealed class ManagedPropertiesChangedEventArgs : EventArgs
{
    internal ManagedPropertiesChangedEventArgs(ManagedObject managedObject, string interfaceName,
        IReadOnlyDictionary<string, Variant> changed, IReadOnlyList<string> invalidated)
    {
        Object = managedObject;
        InterfaceName = interfaceName;
        Changed = changed;
        Invalidated = invalidated;
    }

    /// <summary>The object after the change.</summary>
    public ManagedObject Object { get; }

    /// <summary>The interface whose properties changed.</summary>
    public string InterfaceName { get; }

    /// <summary>The new values.</summary>
    public IReadOnlyDictionary<string, Variant> Changed { get; }

    /// <summary>Properties whose value changed without being sent (dropped from the cache: ask for them).</summary>
    public IReadOnlyList<string> Invalidated { get; }
}
