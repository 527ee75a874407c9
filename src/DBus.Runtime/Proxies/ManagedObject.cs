namespace DBus;

/// <summary>
/// One object an <c>org.freedesktop.DBus.ObjectManager</c> reports, as an <see cref="ObjectManagerClient"/> last
/// saw it: its interfaces and their properties. Immutable: a change makes a new snapshot.
/// </summary>
public sealed class ManagedObject
{
    internal ManagedObject(ObjectPath path, IReadOnlyDictionary<string, IReadOnlyDictionary<string, Variant>> interfaces)
    {
        Path = path;
        Interfaces = interfaces;
    }

    /// <summary>The object's path.</summary>
    public ObjectPath Path { get; }

    /// <summary>Interface name → property name → value (the properties the manager reported; an interface without
    /// properties maps to an empty dictionary).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, Variant>> Interfaces { get; }

    /// <summary>Whether the object implements <paramref name="interfaceName"/>.</summary>
    public bool Implements(string interfaceName) => Interfaces.ContainsKey(interfaceName);

    /// <summary>The properties of <paramref name="interfaceName"/>.</summary>
    /// <exception cref="KeyNotFoundException">The object does not implement that interface.</exception>
    public IReadOnlyDictionary<string, Variant> GetProperties(string interfaceName) =>
        Interfaces.TryGetValue(interfaceName, out var properties)
            ? properties
            : throw new KeyNotFoundException($"{Path} does not implement {interfaceName} (it has {string.Join(", ", Interfaces.Keys)})");

    internal ManagedObject With(string interfaceName, IReadOnlyDictionary<string, Variant>? properties)
    {
        var interfaces = new Dictionary<string, IReadOnlyDictionary<string, Variant>>(Interfaces, StringComparer.Ordinal);
        if (properties is null)
        {
            interfaces.Remove(interfaceName);
        }
        else
        {
            interfaces[interfaceName] = properties;
        }
        return new ManagedObject(Path, interfaces);
    }
}
