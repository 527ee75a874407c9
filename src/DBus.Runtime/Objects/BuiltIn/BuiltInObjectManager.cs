namespace DBus;

/// <summary>
/// Built-in org.freedesktop.DBus.ObjectManager at the paths given to AddObjectManager: GetManagedObjects, and the
/// InterfacesAdded/InterfacesRemoved signals emitted when objects below such a path are exported or unexported.
/// </summary>
internal static class BuiltInObjectManager
{
    public const string Interface = "org.freedesktop.DBus.ObjectManager";

    public static void Answer(DBusConnection connection, Message call, ObjectTree tree, ObjectPath path)
    {
        if (call.Member != "GetManagedObjects" || !call.Signature.IsEmpty)
        {
            CallReplies.ReplyUnknownMethod(connection, call, Interface);
            return;
        }
        var writer = MessageWriter.CreateMethodReturn(call, new Signature("a{oa{sa{sv}}}"));
        try
        {
            var objects = writer.WriteArrayStart(DBusType.DictEntry);
            foreach (var node in tree.Descendants(path))
            {
                writer.WriteDictEntryStart();
                writer.WriteObjectPath(node.Path);
                WriteInterfaces(ref writer, node.Interfaces);
            }
            writer.WriteArrayEnd(objects);
        }
        catch (Exception e) when (e is not DBusDisconnectedException)
        {
            writer.Dispose();
            if (e is not DBusException)
            {
                connection.OnCallbackFailed(e);
            }
            CallReplies.ReplyError(connection, call, (e as DBusException)?.ErrorName ?? DBusErrorNames.Failed, (e as DBusException)?.ErrorMessage ?? e.Message);
            return;
        }
        CallReplies.Reply(connection, call, writer.ToMessage());
    }

    /// <summary>InterfacesAdded from <paramref name="manager"/>: the object at <paramref name="path"/> with the added
    /// interfaces and their readable properties.</summary>
    public static Message CreateInterfacesAdded(ObjectPath manager, ObjectPath path, ExportedInterface[] added)
    {
        var writer = MessageWriter.CreateSignal(manager, Interface, "InterfacesAdded", new Signature("oa{sa{sv}}"));
        try
        {
            writer.WriteObjectPath(path);
            WriteInterfaces(ref writer, added);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
        return writer.ToMessage();
    }

    /// <summary>InterfacesRemoved from <paramref name="manager"/>: the object at <paramref name="path"/> and the
    /// names of the removed interfaces.</summary>
    public static Message CreateInterfacesRemoved(ObjectPath manager, ObjectPath path, ExportedInterface[] removed)
    {
        var writer = MessageWriter.CreateSignal(manager, Interface, "InterfacesRemoved", new Signature("oas"));
        writer.WriteObjectPath(path);
        writer.WriteArray(removed.Select(r => r.Name).ToArray());
        return writer.ToMessage();
    }

    /// <summary>Writes <c>a{sa{sv}}</c>: each interface with its readable properties.</summary>
    private static void WriteInterfaces(ref MessageWriter writer, IEnumerable<ExportedInterface> interfaces)
    {
        var array = writer.WriteArrayStart(DBusType.DictEntry);
        foreach (var item in interfaces)
        {
            writer.WriteDictEntryStart();
            writer.WriteString(item.Name);
            BuiltInProperties.WriteProperties(ref writer, item);
        }
        writer.WriteArrayEnd(array);
    }
}
