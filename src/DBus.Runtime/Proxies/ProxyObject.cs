using DBus.CodeAnalysis;
using System.Xml;

namespace DBus;

/// <summary>
/// An untyped proxy for a remote object (dbus-python's get_object / ProxyObject): methods called by name,
/// properties read and written by name, signals received by name. When the object was introspected, arguments are
/// converted to the introspected signature; otherwise they go with the types they have (a <see cref="Variant"/>, or
/// a plain value whose D-Bus type is obvious) or with a signature the caller gives. Results are
/// <see cref="Variant"/>s; <see cref="Variant.ToObject"/> turns one into a plain .NET value. Generated
/// <c>{Name}Proxy</c> classes are the typed alternative.
/// </summary>
/// <remarks>
/// To plug in a proxy type of one's own (dbus-python's ProxyObjectClass), derive from this class with a
/// constructor that passes a created proxy to <see cref="ProxyObject(ProxyObject)"/>, and build it with
/// <see cref="CreateAsync{T}"/>.
/// </remarks>
public partial class ProxyObject
{
    private ProxyObject(DBusConnection connection, string? destination, ObjectPath path, string? xml,
        IReadOnlyList<IntrospectedInterface> interfaces, IReadOnlyList<string> children)
    {
        Connection = connection;
        Destination = destination;
        Path = path;
        IntrospectionXml = xml;
        Interfaces = interfaces;
        ChildNodes = children;
    }

    /// <summary>Makes a proxy of a derived type that shares everything <paramref name="source"/> knows.</summary>
    protected ProxyObject(ProxyObject source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Connection = source.Connection;
        Destination = source.Destination;
        Path = source.Path;
        IntrospectionXml = source.IntrospectionXml;
        Interfaces = source.Interfaces;
        ChildNodes = source.ChildNodes;
    }

    /// <summary>The connection calls go through.</summary>
    public DBusConnection Connection { get; }

    /// <summary>The bus name of the object's owner (null on a peer-to-peer connection).</summary>
    public string? Destination { get; }

    /// <summary>The object's path.</summary>
    public ObjectPath Path { get; }

    /// <summary>The introspection XML the object returned; null when it was not introspected or did not answer.</summary>
    public string? IntrospectionXml { get; }

    /// <summary>Whether the object's introspection data is known (its methods, properties and signals are typed from it).</summary>
    public bool IsIntrospected => IntrospectionXml is not null;

    /// <summary>The interfaces the object said it implements (empty when not introspected).</summary>
    public IReadOnlyList<IntrospectedInterface> Interfaces { get; }

    /// <summary>The names of the object's children (relative paths; empty when not introspected).</summary>
    public IReadOnlyList<string> ChildNodes { get; }

    /// <summary>
    /// Makes a proxy for the object at <paramref name="path"/> of <paramref name="destination"/>. With
    /// <paramref name="introspect"/> its introspection data is read first; an object that does not answer
    /// Introspect (no such method, object or interface, access denied, …) still gets a proxy, as in dbus-python.
    /// </summary>
    /// <exception cref="DBusServiceUnknownException">No one owns <paramref name="destination"/> (and it cannot be activated).</exception>
    /// <exception cref="FormatException">The object returned malformed introspection data.</exception>
    public static async Task<ProxyObject> CreateAsync(DBusConnection connection, [DBusName(DBusNameKind.BusName)] string? destination, ObjectPath path,
        bool introspect = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!introspect)
        {
            return new ProxyObject(connection, destination, path, null, [], []);
        }
        var call = MessageWriter.CreateMethodCall(destination, path, "org.freedesktop.DBus.Introspectable", "Introspect").ToMessage();
        string xml;
        try
        {
            xml = await connection.CallAsync(call, static reply => reply.GetBodyReader().ReadString(), cancellationToken).ConfigureAwait(false);
        }
        catch (DBusException e) when (e is not (DBusServiceUnknownException or DBusNameHasNoOwnerException or DBusDisconnectedException or DBusNoReplyException))
        {
            // The object exists for all we know; it just does not describe itself.
            return new ProxyObject(connection, destination, path, null, [], []);
        }
        try
        {
            var (interfaces, children) = IntrospectionParser.Parse(xml);
            return new ProxyObject(connection, destination, path, xml, interfaces, children);
        }
        catch (Exception e) when (e is XmlException or ArgumentException)
        {
            throw new FormatException($"the introspection data of {path} on {destination ?? "the peer"} is malformed: {e.Message}", e);
        }
    }

    /// <summary>
    /// <see cref="CreateAsync"/>, then wraps the proxy in a type of one's own (dbus-python's ProxyObjectClass):
    /// <c>CreateAsync(connection, name, path, p =&gt; new MyProxy(p))</c> with <c>MyProxy(ProxyObject p) : ProxyObject(p)</c>.
    /// </summary>
    public static async Task<T> CreateAsync<T>(DBusConnection connection, [DBusName(DBusNameKind.BusName)] string? destination, ObjectPath path,
        Func<ProxyObject, T> create, bool introspect = true, CancellationToken cancellationToken = default) where T : ProxyObject
    {
        ArgumentNullException.ThrowIfNull(create);
        return create(await CreateAsync(connection, destination, path, introspect, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Finds a method by name: in <paramref name="interfaceName"/> when given, else in any interface (an
    /// ambiguous name must be qualified).</summary>
    /// <exception cref="ArgumentException">No such method, or the name is ambiguous.</exception>
    public (IntrospectedInterface Interface, IntrospectedMethod Method) FindMethod([DBusName(DBusNameKind.InterfaceName)] string? interfaceName, [DBusName(DBusNameKind.MemberName)] string member)
    {
        var found = Interfaces
            .Where(i => interfaceName is null || i.Name == interfaceName)
            .SelectMany(i => i.Methods.Where(m => m.Name == member).Select(m => (i, m)))
            .ToList();
        return found.Count switch
        {
            1 => found[0],
            0 => throw new ArgumentException($"{Path} has no method '{member}'" + (interfaceName is null ? "" : $" in interface '{interfaceName}'"), nameof(member)),
            _ => throw new ArgumentException($"'{member}' is a method of several interfaces of {Path} ({string.Join(", ", found.Select(f => f.Item1.Name))}): name the interface", nameof(member)),
        };
    }

    /// <summary>
    /// Calls a method by name. Each argument is converted to the introspected type (numbers, strings, the wire
    /// types, arrays, lists, dictionaries, tuples; a <see cref="Variant"/> passes as it is). Without introspection
    /// each argument goes as a <see cref="Variant"/> or with its obvious type (see <see cref="CallWithSignatureAsync"/>
    /// to give the signature).
    /// </summary>
    /// <param name="interfaceName">The interface, or null to find the method in any interface.</param>
    /// <param name="member">The method name.</param>
    /// <param name="args">The arguments, as many as the method's in signature has types.</param>
    /// <returns>The reply's values, one per out argument (<see cref="Variant.ToObject"/> gives plain values). Values
    /// holding descriptors own them: dispose them (<see cref="Variant.Dispose"/>).</returns>
    public Task<Variant[]> CallAsync([DBusName(DBusNameKind.InterfaceName)] string? interfaceName, [DBusName(DBusNameKind.MemberName)] string member, params object?[] args) =>
        CallAsync(interfaceName, member, args, default);

    /// <inheritdoc cref="CallAsync(string?, string, object?[])"/>
    /// <param name="interfaceName">The interface, or null to find the method in any interface.</param>
    /// <param name="member">The method name.</param>
    /// <param name="args">The arguments.</param>
    /// <param name="cancellationToken">Abandons the wait.</param>
    public Task<Variant[]> CallAsync([DBusName(DBusNameKind.InterfaceName)] string? interfaceName, [DBusName(DBusNameKind.MemberName)] string member, object?[] args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (!IsIntrospected)
        {
            var values = new Variant[args.Length];
            for (int i = 0; i < args.Length; i++)
            {
                values[i] = VariantConverter.Infer(args[i], $"argument {i} of {member}");
            }
            return Send(interfaceName, member, values, cancellationToken);
        }
        var (iface, method) = FindMethod(interfaceName, member);
        return Send(iface.Name, member, VariantConverter.FromObjects(args, method.InSignature, $"{iface.Name}.{member}"), cancellationToken);
    }

    /// <summary>Calls a method with the argument signature given (dbus-python's <c>signature=</c>), converting each
    /// argument to it, whether the object was introspected or not.</summary>
    /// <exception cref="ArgumentException">The arguments do not fit the signature.</exception>
    public Task<Variant[]> CallWithSignatureAsync([DBusName(DBusNameKind.InterfaceName)] string? interfaceName, [DBusName(DBusNameKind.MemberName)] string member,
        [DBusSignature] Signature signature, object?[] args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        return Send(interfaceName, member, VariantConverter.FromObjects(args, signature, member), cancellationToken);
    }

    private Task<Variant[]> Send(string? interfaceName, string member, Variant[] values, CancellationToken cancellationToken) =>
        Connection.CallValuesAsync(Destination, Path, interfaceName, member, SignatureOf(values), values, null, cancellationToken);

    internal static Signature SignatureOf(ReadOnlySpan<Variant> values)
    {
        if (values.Length == 0)
        {
            return Signature.Empty;
        }
        var text = new System.Text.StringBuilder();
        foreach (var value in values)
        {
            text.Append(value.Signature.Value);
        }
        return new Signature(text.ToString());
    }
}
