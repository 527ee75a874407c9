using System.Text;

namespace DBus;

/// <summary>Built-in org.freedesktop.DBus.Introspectable: the standard interfaces, the handlers' XML and the child nodes.</summary>
internal static class BuiltInIntrospectable
{
    public const string Interface = "org.freedesktop.DBus.Introspectable";

    /// <summary>Answers Introspect for <paramref name="path"/>: the object found there (if any), the names of its
    /// children and whether an object manager sits there.</summary>
    public static void Answer(DBusConnection connection, Message call, ObjectPath path, ObjectTree.Node? node, string[] children, bool manager)
    {
        if (call.Member != "Introspect" || !call.Signature.IsEmpty)
        {
            CallReplies.ReplyUnknownMethod(connection, call, Interface);
            return;
        }
        if (node is null && children.Length == 0 && !manager)
        {
            CallReplies.ReplyError(connection, call, DBusErrorNames.UnknownObject, $"no object is exported at path '{path}'");
            return;
        }
        var writer = MessageWriter.CreateMethodReturn(call, new Signature("s"));
        writer.WriteString(Describe(node, children, manager));
        CallReplies.Reply(connection, call, writer.ToMessage());
    }

    /// <summary>The introspection document of one node.</summary>
    public static string Describe(ObjectTree.Node? node, string[] children, bool manager)
    {
        var xml = new StringBuilder();
        xml.AppendLine(StandardInterfaces.DocType).AppendLine("<node>");
        xml.Append(StandardInterfaces.Peer).Append(StandardInterfaces.Introspectable);
        if (node is not null)
        {
            xml.Append(StandardInterfaces.Properties);
        }
        if (manager)
        {
            xml.Append(StandardInterfaces.ObjectManager);
        }
        foreach (var item in node?.Interfaces ?? [])
        {
            xml.AppendLine(item.Handler.IntrospectionXml.Trim());
        }
        foreach (var child in children)
        {
            xml.Append("  <node name=\"").Append(child).AppendLine("\"/>");
        }
        xml.AppendLine("</node>");
        return xml.ToString();
    }
}
