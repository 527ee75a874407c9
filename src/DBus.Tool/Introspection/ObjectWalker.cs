namespace DBus.Tool.Introspection;

/// <summary>Fetches introspection XML from a live object and, when asked, from every object below it.</summary>
internal static class ObjectWalker
{
    public static async Task<IntrospectionDocument> IntrospectAsync(DBusConnection connection, string destination, ObjectPath path, CancellationToken cancellationToken)
    {
        using var call = CreateIntrospect(destination, path);
        using var reply = await connection.CallAsync(call, cancellationToken);
        if (reply.Signature.Value != "s")
        {
            throw new ToolException($"{destination} answered Introspect on {path} with signature '{reply.Signature}' instead of 's'");
        }
        string xml = reply.GetBodyReader().ReadString();
        return IntrospectionDocument.Parse(xml, $"{destination} {path}");
    }

    private static Message CreateIntrospect(string destination, ObjectPath path)
    {
        using var writer = MessageWriter.CreateMethodCall(destination, path, "org.freedesktop.DBus.Introspectable", "Introspect");
        return writer.ToMessage();
    }

    /// <summary>Every object from <paramref name="path"/> down, in depth-first order of its child nodes.</summary>
    public static async Task<List<(ObjectPath Path, IntrospectionDocument Document)>> WalkAsync(
        DBusConnection connection, string destination, ObjectPath path, CancellationToken cancellationToken)
    {
        var result = new List<(ObjectPath, IntrospectionDocument)>();
        var pending = new Stack<ObjectPath>();
        pending.Push(path);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            var document = await IntrospectAsync(connection, destination, current, cancellationToken);
            result.Add((current, document));
            foreach (string child in document.ChildNames().Reverse())
            {
                pending.Push(Child(current, child));
            }
        }
        return result;
    }

    public static ObjectPath Child(ObjectPath parent, string name)
    {
        string text = parent.ToString();
        try
        {
            return new ObjectPath(text == "/" ? "/" + name : text + "/" + name);
        }
        catch (ArgumentException)
        {
            throw new ToolException($"the child node '{name}' of {parent} does not make a valid object path");
        }
    }
}
