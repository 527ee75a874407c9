using DBus.CodeAnalysis;

namespace DBus;

/// <summary>
/// One D-Bus interface served on an exported object. Implement it by hand or let the generator's
/// <c>I{Name}Handler</c> dispatch code implement it; export it with <see cref="DBusConnection.Export(ObjectPath, IDBusInterfaceHandler)"/>.
/// </summary>
/// <remarks>
/// The connection reads <see cref="IntrospectionXml"/> once, at export, and uses it to check every call before the
/// handler sees it: a method that is not declared gets UnknownMethod, arguments that do not match the declared
/// <c>in</c> signature get InvalidArgs, and org.freedesktop.DBus.Properties is answered from the declared properties
/// (type, access, EmitsChangedSignal) through <see cref="WriteProperty"/> and <see cref="SetProperty"/>.
/// Handlers run on the connection's dispatch thread; an asynchronous handler releases it at its first real await.
/// The DBusGen analyzers therefore treat the methods that implement this interface, or an interface derived from it
/// (the generator's <c>I{Name}Handler</c>), as dispatch-thread code and warn about blocking calls in them.
/// </remarks>
[DBusDispatchThread]
public interface IDBusInterfaceHandler
{
    /// <summary>The interface name, such as <c>com.example.Calculator</c>; must match the XML's <c>name</c>.</summary>
    string InterfaceName { get; }

    /// <summary>The <c>&lt;interface&gt;</c> element describing the methods, signals and properties, as in
    /// introspection data; it is returned verbatim inside Introspect replies.</summary>
    string IntrospectionXml { get; }

    /// <summary>
    /// Handles a call to one of the declared methods (its arguments already match the declared signature). Reply with
    /// <see cref="MethodContext.Reply(Message)"/> or <see cref="MethodContext.CreateReply"/>; returning without a reply
    /// sends an empty method return. Throw a <see cref="DBusException"/> to reply with its error name; any other
    /// exception becomes <c>org.freedesktop.DBus.Error.Failed</c> with its message.
    /// </summary>
    ValueTask HandleCallAsync(MethodContext context);

    /// <summary>Writes the current value of the readable property <paramref name="name"/> (declared in the XML, never
    /// another) with exactly its declared type; the variant's signature is already written.</summary>
    /// <remarks>An interface without readable properties need not implement it: the connection never calls it then.</remarks>
    /// <exception cref="DBusException">To refuse the read with that error.</exception>
    void WriteProperty(string name, ref MessageWriter writer) =>
        throw new DBusException(DBusErrorNames.UnknownProperty, $"{InterfaceName} has no readable property '{name}'");

    /// <summary>Sets the writable property <paramref name="name"/> from <paramref name="reader"/>, positioned at a value
    /// of the declared type (the variant's signature was checked). Emit PropertiesChanged yourself if the value changed,
    /// with <see cref="DBusConnection.EmitPropertiesChanged"/>.</summary>
    /// <remarks>An interface without writable properties need not implement it: the connection never calls it then.</remarks>
    /// <exception cref="DBusException">To refuse the value (InvalidArgs, AccessDenied…) with that error.</exception>
    void SetProperty(string name, ref MessageReader reader) =>
        throw new DBusException(DBusErrorNames.PropertyReadOnly, $"{InterfaceName} has no writable property '{name}'");
}
