namespace DBus;

// Built-in org.freedesktop.DBus.ObjectManager at the paths given to AddObjectManager: GetManagedObjects, and
// InterfacesAdded/InterfacesRemoved when objects below such a path are exported or unexported.
public sealed partial class DBusConnection
{
    private const string ObjectManagerInterface = "org.freedesktop.DBus.ObjectManager";

    /// <summary>
    /// Serves <c>org.freedesktop.DBus.ObjectManager</c> at <paramref name="path"/>: GetManagedObjects lists every object
    /// exported below it with its interfaces and readable properties, and exporting or unexporting below it emits
    /// InterfacesAdded or InterfacesRemoved from <paramref name="path"/> (from the nearest manager when managers nest).
    /// </summary>
    /// <returns>Dispose it to stop serving the manager.</returns>
    /// <exception cref="InvalidOperationException">A manager is already served at <paramref name="path"/>.</exception>
    public IDisposable AddObjectManager(ObjectPath path)
    {
        if (!_objects.AddManager(path))
        {
            ThrowHelper.ThrowInvalidOperation($"an object manager is already served at '{path}'");
        }
        return new Registration(() => _objects.RemoveManager(path));
    }

    private void AnswerObjectManager(Message call, ObjectPath path)
    {
        if (call.Member != "GetManagedObjects" || !call.Signature.IsEmpty)
        {
            ReplyError(call, DBusErrorNames.UnknownMethod, $"method '{call.Member}' with signature '{call.Signature}' does not exist on interface '{ObjectManagerInterface}'");
            return;
        }
        var writer = MessageWriter.CreateMethodReturn(call, new Signature("a{oa{sa{sv}}}"));
        try
        {
            var objects = writer.WriteArrayStart(DBusType.DictEntry);
            foreach (var node in _objects.Descendants(path))
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
                OnCallbackFailed(e);
            }
            ReplyError(call, (e as DBusException)?.ErrorName ?? DBusErrorNames.Failed, (e as DBusException)?.ErrorMessage ?? e.Message);
            return;
        }
        Reply(call, writer.ToMessage());
    }

    /// <summary>Writes <c>a{sa{sv}}</c>: each interface with its readable properties.</summary>
    private static void WriteInterfaces(ref MessageWriter writer, IEnumerable<ExportedInterface> interfaces)
    {
        var array = writer.WriteArrayStart(DBusType.DictEntry);
        foreach (var item in interfaces)
        {
            writer.WriteDictEntryStart();
            writer.WriteString(item.Name);
            WriteProperties(ref writer, item);
        }
        writer.WriteArrayEnd(array);
    }

    private void EmitInterfacesAdded(ObjectPath path, ExportedInterface[] added)
    {
        if (added.Length == 0 || _objects.ManagerAbove(path) is not { } manager || !IsConnected)
        {
            return;
        }
        var writer = MessageWriter.CreateSignal(manager, ObjectManagerInterface, "InterfacesAdded", new Signature("oa{sa{sv}}"));
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
        Send(writer.ToMessage());
    }

    private void EmitInterfacesRemoved(ObjectPath path, ExportedInterface[] removed)
    {
        if (removed.Length == 0 || _objects.ManagerAbove(path) is not { } manager || !IsConnected)
        {
            return;
        }
        var writer = MessageWriter.CreateSignal(manager, ObjectManagerInterface, "InterfacesRemoved", new Signature("oas"));
        writer.WriteObjectPath(path);
        writer.WriteArray(removed.Select(r => r.Name).ToArray());
        try
        {
            Send(writer.ToMessage());
        }
        catch (DBusDisconnectedException)
        {
            // Unexporting on a closed connection is not an error.
        }
    }
}
