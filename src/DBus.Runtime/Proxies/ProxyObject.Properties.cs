using DBus.CodeAnalysis;

namespace DBus;

// org.freedesktop.DBus.Properties on the object, typed from introspection when the property is known.
public partial class ProxyObject
{
    private const string PropertiesInterface = "org.freedesktop.DBus.Properties";

    /// <summary>Reads a property (<c>Properties.Get</c>).</summary>
    /// <param name="interfaceName">The property's interface, or null: the introspected interface that declares it.</param>
    /// <param name="name">The property name.</param>
    /// <param name="cancellationToken">Abandons the wait.</param>
    /// <returns>The value (<see cref="Variant.ToObject"/> gives a plain value).</returns>
    /// <exception cref="DBusException">The peer refused, or (when the property was introspected) the value is not
    /// of the declared type.</exception>
    public async Task<Variant> GetPropertyAsync([DBusName(DBusNameKind.InterfaceName)] string? interfaceName, [DBusName(DBusNameKind.MemberName)] string name,
        CancellationToken cancellationToken = default)
    {
        var (iface, property) = FindProperty(interfaceName, name);
        var call = MessageWriter.CreateMethodCall(Destination, Path, PropertiesInterface, "Get", "ss");
        call.WriteString(iface);
        call.WriteString(name);
        var value = await Connection.CallAsync(call.ToMessage(), static reply => reply.GetBodyReader().ReadVariant(), null, cancellationToken).ConfigureAwait(false);
        if (property is not null && value.Signature != property.Signature)
        {
            throw Mismatch(iface, property, value);
        }
        return value;
    }

    /// <summary>Writes a property (<c>Properties.Set</c>); the value is converted to the introspected type when the
    /// property is known, else it goes as a <see cref="Variant"/> or with its obvious type.</summary>
    /// <param name="interfaceName">The property's interface, or null: the introspected interface that declares it.</param>
    /// <param name="name">The property name.</param>
    /// <param name="value">The new value.</param>
    /// <param name="cancellationToken">Abandons the wait.</param>
    /// <exception cref="ArgumentException">The value does not fit the property's type.</exception>
    public Task SetPropertyAsync([DBusName(DBusNameKind.InterfaceName)] string? interfaceName, [DBusName(DBusNameKind.MemberName)] string name,
        object? value, CancellationToken cancellationToken = default)
    {
        var (iface, property) = FindProperty(interfaceName, name);
        string what = $"the value of {iface}.{name}";
        var converted = property is null ? VariantConverter.Infer(value, what) : VariantConverter.FromObject(value, property.Signature, what);
        var call = MessageWriter.CreateMethodCall(Destination, Path, PropertiesInterface, "Set", "ssv");
        call.WriteString(iface);
        call.WriteString(name);
        call.WriteVariant(converted);
        return Connection.CallAsync(call.ToMessage(), static _ => 0, null, cancellationToken);
    }

    /// <summary>Reads every property of an interface (<c>Properties.GetAll</c>).</summary>
    /// <param name="interfaceName">The interface.</param>
    /// <param name="cancellationToken">Abandons the wait.</param>
    /// <exception cref="DBusException">The peer refused, or a value is not of its introspected type.</exception>
    public Task<Dictionary<string, Variant>> GetAllPropertiesAsync([DBusName(DBusNameKind.InterfaceName)] string interfaceName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(interfaceName);
        var call = MessageWriter.CreateMethodCall(Destination, Path, PropertiesInterface, "GetAll", "s");
        call.WriteString(interfaceName);
        return Connection.CallAsync(call.ToMessage(), reply =>
        {
            var values = reply.GetBodyReader().ReadValue("a{sv}").ToStringVariantDictionary();
            CheckTypes(interfaceName, values);
            return values;
        }, null, cancellationToken);
    }

    /// <summary>Calls <paramref name="handler"/> for each PropertiesChanged the object emits (of any interface). A
    /// signal with a value that contradicts the introspected type is not given to the handler: the
    /// <see cref="DBusException"/> saying so goes to <see cref="DBusConnection.CallbackFailed"/>.</summary>
    /// <param name="handler">Runs on the connection's dispatch thread.</param>
    /// <param name="cancellationToken">Abandons adding the match rule.</param>
    /// <returns>Dispose it to stop receiving.</returns>
    public Task<SignalSubscription> WatchPropertiesChangedAsync([DBusDispatchThread] Action<ProxyPropertiesChanged> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var rule = new MatchRule { Type = MessageType.Signal, Sender = Destination, Path = Path, Interface = PropertiesInterface, Member = "PropertiesChanged" };
        return Connection.AddSignalReceiverAsync(rule, signal =>
        {
            if (signal.Message.Signature.Value == "sa{sv}as")
            {
                var changed = new ProxyPropertiesChanged(signal.Message);
                CheckTypes(changed.InterfaceName, changed.Changed);
                handler(changed);
            }
        }, cancellationToken);
    }

    /// <summary>Throws when a value of a property the introspection data declares is of another type.</summary>
    private void CheckTypes(string interfaceName, IReadOnlyDictionary<string, Variant> values)
    {
        var declared = Interfaces.FirstOrDefault(i => i.Name == interfaceName);
        foreach (var property in declared?.Properties ?? [])
        {
            if (values.TryGetValue(property.Name, out var value) && value.Signature != property.Signature)
            {
                throw Mismatch(interfaceName, property, value);
            }
        }
    }

    private DBusException Mismatch(string interfaceName, IntrospectedProperty property, Variant value) =>
        new(DBusErrorNames.InvalidSignature,
            $"property '{interfaceName}.{property.Name}' is declared '{property.Signature}' but {Destination ?? "the peer"} sent a '{value.Signature}'");

    private (string Interface, IntrospectedProperty? Property) FindProperty(string? interfaceName, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var found = Interfaces
            .Where(i => interfaceName is null || i.Name == interfaceName)
            .SelectMany(i => i.Properties.Where(p => p.Name == name).Select(p => (i.Name, p)))
            .ToList();
        if (found.Count == 1)
        {
            return (found[0].Name, found[0].p);
        }
        if (interfaceName is not null)
        {
            return (interfaceName, null);
        }
        throw new ArgumentException(found.Count == 0
            ? $"no introspected interface of {Path} declares a property '{name}': name the interface"
            : $"'{name}' is a property of several interfaces of {Path}: name the interface", nameof(name));
    }
}
