namespace DBus;

/// <summary>A PropertiesChanged signal received through <see cref="ProxyObject.WatchPropertiesChangedAsync"/>.</summary>
public sealed class ProxyPropertiesChanged
{
    internal ProxyPropertiesChanged(Message message)
    {
        var reader = message.GetBodyReader();
        InterfaceName = reader.ReadString();
        Changed = reader.ReadValue("a{sv}").ToStringVariantDictionary();
        Invalidated = reader.ReadArrayOfString();
    }

    /// <summary>The interface whose properties changed.</summary>
    public string InterfaceName { get; }

    /// <summary>The new values.</summary>
    public IReadOnlyDictionary<string, Variant> Changed { get; }

    /// <summary>Properties that changed without their value being sent.</summary>
    public IReadOnlyList<string> Invalidated { get; }
}
