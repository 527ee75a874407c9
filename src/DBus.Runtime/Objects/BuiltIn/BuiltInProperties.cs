namespace DBus;

/// <summary>
/// Built-in org.freedesktop.DBus.Properties, answered from the properties the handlers' XML declares, and the
/// PropertiesChanged signal built from them.
/// </summary>
internal static class BuiltInProperties
{
    public const string Interface = "org.freedesktop.DBus.Properties";

    // What a wrongly typed value most often is, to name it in the error; the first that fits the bytes wins.
    private static readonly Signature[] s_likelyTypes =
        [new("s"), new("i"), new("x"), new("y"), new("n"), new("v"), new("as"), new("a{sv}"), new("ai"), new("ay")];

    public static void Answer(DBusConnection connection, Message call, ObjectTree.Node node)
    {
        string expected = call.Member switch { "Get" => "ss", "GetAll" => "s", "Set" => "ssv", _ => "" };
        if (expected.Length == 0)
        {
            CallReplies.ReplyError(connection, call, DBusErrorNames.UnknownMethod, $"method '{call.Member}' does not exist on interface '{Interface}'");
            return;
        }
        if (call.Signature.Value != expected)
        {
            CallReplies.ReplyError(connection, call, DBusErrorNames.InvalidArgs, $"{Interface}.{call.Member} takes '{expected}', not '{call.Signature}'");
            return;
        }
        var reader = call.GetBodyReader();
        string iface = reader.ReadString();
        string? name = call.Member == "GetAll" ? null : reader.ReadString();
        ExportedInterface? target = null;
        PropertyDescription? property = null;
        foreach (var item in node.Interfaces)
        {
            // An empty interface name means "whichever interface has it" (the specification allows it for Get and Set).
            if (item.Name == iface || (iface.Length == 0 && (name is null || item.Description.Properties.ContainsKey(name))))
            {
                target = item;
                break;
            }
        }
        if (target is null)
        {
            CallReplies.ReplyError(connection, call, DBusErrorNames.UnknownInterface, $"the object at '{node.Path}' does not implement interface '{iface}'");
            return;
        }
        if (name is not null && !target.Description.Properties.TryGetValue(name, out property))
        {
            CallReplies.ReplyError(connection, call, DBusErrorNames.UnknownProperty, $"interface '{target.Name}' has no property '{name}'");
            return;
        }
        var writer = default(MessageWriter);
        try
        {
            switch (call.Member)
            {
                case "Get":
                    if (!property!.CanRead)
                    {
                        CallReplies.ReplyError(connection, call, DBusErrorNames.AccessDenied, $"property '{target.Name}.{name}' is write-only");
                        return;
                    }
                    writer = MessageWriter.CreateMethodReturn(call, new Signature("v"));
                    WritePropertyValue(ref writer, target.Handler, target.Name, property);
                    break;
                case "GetAll":
                    writer = MessageWriter.CreateMethodReturn(call, new Signature("a{sv}"));
                    WriteProperties(ref writer, target);
                    break;
                default:
                    if (!property!.CanWrite)
                    {
                        CallReplies.ReplyError(connection, call, DBusErrorNames.PropertyReadOnly, $"property '{target.Name}.{name}' is read-only");
                        return;
                    }
                    var type = reader.ReadSignature();
                    if (type != property.Type)
                    {
                        CallReplies.ReplyError(connection, call, DBusErrorNames.InvalidArgs, $"property '{target.Name}.{name}' has type '{property.Type}', not '{type}'");
                        return;
                    }
                    target.Handler.SetProperty(property.Name, ref reader);
                    writer = MessageWriter.CreateMethodReturn(call);
                    break;
            }
            CallReplies.Reply(connection, call, writer.ToMessage());
        }
        catch (DBusException e) when (e is not DBusDisconnectedException)
        {
            writer.Dispose();
            CallReplies.ReplyError(connection, call, e.ErrorName, e.ErrorMessage);
        }
        catch (Exception e) when (e is not DBusDisconnectedException)
        {
            writer.Dispose();
            connection.OnCallbackFailed(e);
            CallReplies.ReplyError(connection, call, DBusErrorNames.Failed, e.Message);
        }
    }

    /// <summary>Writes an <c>a{sv}</c> of every readable property of <paramref name="item"/>.</summary>
    public static void WriteProperties(ref MessageWriter writer, ExportedInterface item)
    {
        var array = writer.WriteArrayStart(DBusType.DictEntry);
        foreach (var property in item.Description.Properties.Values)
        {
            if (property.CanRead)
            {
                writer.WriteDictEntryStart();
                writer.WriteString(property.Name);
                WritePropertyValue(ref writer, item.Handler, item.Name, property);
            }
        }
        writer.WriteArrayEnd(array);
    }

    /// <summary>
    /// Writes <paramref name="property"/>'s value as a variant through the handler and checks that the handler wrote
    /// one value of the declared type: anything else would make the whole message malformed for its receiver.
    /// </summary>
    /// <exception cref="InvalidOperationException">The handler wrote another type (or nothing): the message names the
    /// property, the declared type and, when it can tell, the type written.</exception>
    public static void WritePropertyValue(ref MessageWriter writer, IDBusInterfaceHandler handler, string interfaceName, PropertyDescription property)
    {
        writer.WriteSignature(property.Type);
        int start = writer.Length;
        handler.WriteProperty(property.Name, ref writer);
        if (writer.IsValueOf(start, property.Type))
        {
            return;
        }
        string written = "nothing";
        if (writer.Length > start)
        {
            written = $"{writer.Length - start} bytes that are not a '{property.Type}'";
            foreach (var likely in s_likelyTypes)
            {
                if (writer.IsValueOf(start, likely))
                {
                    written = $"a value of type '{likely}'";
                    break;
                }
            }
        }
        throw new InvalidOperationException(
            $"property '{interfaceName}.{property.Name}' is declared with type '{property.Type}', but the handler's WriteProperty wrote {written}");
    }

    /// <summary>
    /// Builds PropertiesChanged for <paramref name="handler"/>'s properties at <paramref name="path"/>, as each
    /// property's EmitsChangedSignal annotation says (see <see cref="DBusConnection.EmitPropertiesChanged"/>); null when
    /// no named property emits one.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a property the handler's XML declares.</exception>
    /// <exception cref="InvalidOperationException">The handler wrote a value of another type than the declared one.</exception>
    public static Message? CreatePropertiesChanged(ObjectPath path, IDBusInterfaceHandler handler, string[] propertyNames)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(propertyNames);
        var description = InterfaceDescription.Get(handler.IntrospectionXml);
        var changed = new List<PropertyDescription>();
        var invalidated = new List<string>();
        foreach (var name in propertyNames)
        {
            if (!description.Properties.TryGetValue(name, out var property))
            {
                ThrowHelper.ThrowArgument(nameof(propertyNames), $"interface '{description.Name}' declares no property '{name}'");
            }
            switch (property.Emits)
            {
                case EmitsChangedSignal.True when property.CanRead:
                    changed.Add(property);
                    break;
                case EmitsChangedSignal.True:
                case EmitsChangedSignal.Invalidates:
                    invalidated.Add(name);
                    break;
            }
        }
        if (changed.Count == 0 && invalidated.Count == 0)
        {
            return null;
        }
        var writer = MessageWriter.CreateSignal(path, Interface, "PropertiesChanged", new Signature("sa{sv}as"));
        try
        {
            writer.WriteString(description.Name);
            var array = writer.WriteArrayStart(DBusType.DictEntry);
            foreach (var property in changed)
            {
                writer.WriteDictEntryStart();
                writer.WriteString(property.Name);
                WritePropertyValue(ref writer, handler, description.Name, property);
            }
            writer.WriteArrayEnd(array);
            writer.WriteArray(invalidated.ToArray().AsSpan());
        }
        catch
        {
            writer.Dispose();
            throw;
        }
        return writer.ToMessage();
    }
}
