using System.Text;

namespace DBus;

// Built-in org.freedesktop.DBus.Introspectable: the standard interfaces, the handlers' XML and the child nodes.
public sealed partial class DBusConnection
{
    private const string IntrospectableInterface = "org.freedesktop.DBus.Introspectable";

    private void AnswerIntrospectable(Message call, ObjectPath path, ObjectTree.Node? node)
    {
        if (call.Member != "Introspect" || !call.Signature.IsEmpty)
        {
            ReplyError(call, DBusErrorNames.UnknownMethod, $"method '{call.Member}' with signature '{call.Signature}' does not exist on interface '{IntrospectableInterface}'");
            return;
        }
        string[] children = _objects.ChildNames(path);
        bool manager = _objects.IsManager(path);
        if (node is null && children.Length == 0 && !manager)
        {
            ReplyError(call, DBusErrorNames.UnknownObject, $"no object is exported at path '{path}'");
            return;
        }
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
        var writer = MessageWriter.CreateMethodReturn(call, new Signature("s"));
        writer.WriteString(xml.ToString());
        Reply(call, writer.ToMessage());
    }
}
