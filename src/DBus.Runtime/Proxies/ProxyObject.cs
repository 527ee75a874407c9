using DBus.CodeAnalysis;
using System.Xml;

namespace DBus;

/// <summary>
/// An untyped proxy for a remote object, built from its live introspection data (dbus-python's get_object):
/// methods are called by name, arguments converted to the introspected signature, results returned as
/// <see cref="Variant"/>s. Generated <c>{Name}Proxy</c> classes are the typed alternative.
/// </summary>
public sealed class ProxyObject
{
    private ProxyObject(DBusConnection connection, string? destination, ObjectPath path, string xml,
        IReadOnlyList<IntrospectedInterface> interfaces, IReadOnlyList<string> children)
    {
        Connection = connection;
        Destination = destination;
        Path = path;
        IntrospectionXml = xml;
        Interfaces = interfaces;
        ChildNodes = children;
    }

    /// <summary>The connection calls go through.</summary>
    public DBusConnection Connection { get; }

    /// <summary>The bus name of the object's owner (null on a peer-to-peer connection).</summary>
    public string? Destination { get; }

    /// <summary>The object's path.</summary>
    public ObjectPath Path { get; }

    /// <summary>The introspection XML the object returned.</summary>
    public string IntrospectionXml { get; }

    /// <summary>The interfaces the object said it implements.</summary>
    public IReadOnlyList<IntrospectedInterface> Interfaces { get; }

    /// <summary>The names of the object's children (relative paths).</summary>
    public IReadOnlyList<string> ChildNodes { get; }

    internal static async Task<ProxyObject> CreateAsync(DBusConnection connection, string? destination, ObjectPath path, CancellationToken cancellationToken)
    {
        var call = MessageWriter.CreateMethodCall(destination, path, "org.freedesktop.DBus.Introspectable", "Introspect").ToMessage();
        string xml = await connection.CallAsync(call, static reply => reply.GetBodyReader().ReadString(), cancellationToken).ConfigureAwait(false);
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
    /// types, arrays, lists, dictionaries, tuples; a <see cref="Variant"/> passes as it is).
    /// </summary>
    /// <param name="interfaceName">The interface, or null to find the method in any interface.</param>
    /// <param name="member">The method name.</param>
    /// <param name="args">The arguments, as many as the method's in signature has types.</param>
    /// <returns>The reply's values, one per out argument. Values holding descriptors own them: dispose them
    /// (<see cref="Variant.Dispose"/>).</returns>
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
        var (iface, method) = FindMethod(interfaceName, member);
        if (args.Length != method.InSignature.Count)
        {
            throw new ArgumentException($"{iface.Name}.{member} takes {method.InSignature.Count} argument(s) ('{method.InSignature}'), not {args.Length}", nameof(args));
        }
        var values = new Variant[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            values[i] = VariantConverter.FromObject(args[i], method.InSignature[i], $"argument {i} of {member}");
        }
        var writer = MessageWriter.CreateMethodCall(Destination, Path, iface.Name, member, method.InSignature);
        try
        {
            foreach (var value in values)
            {
                writer.WriteValue(value);
            }
        }
        catch
        {
            writer.Dispose();
            throw;
        }
        return Connection.CallAsync(writer.ToMessage(), static reply =>
        {
            var reader = reply.GetBodyReader();
            var results = new Variant[reply.Signature.Count];
            try
            {
                for (int i = 0; i < results.Length; i++)
                {
                    results[i] = reader.ReadValue(reply.Signature[i]);
                }
            }
            catch
            {
                Variant.DisposeAll(results); // descriptors of the values read before the failure
                throw;
            }
            return results;
        }, null, cancellationToken);
    }
}
