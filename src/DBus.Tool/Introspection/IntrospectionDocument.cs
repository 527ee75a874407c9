using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace DBus.Tool.Introspection;

/// <summary>One object's introspection XML: its interfaces (standard ones optionally left out) and child nodes.</summary>
internal sealed class IntrospectionDocument
{
    private const string DocType = """
        <!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
         "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">

        """;

    private readonly XElement _root;

    private IntrospectionDocument(XElement root) => _root = root;

    /// <summary>Parses the XML an object returned from Introspect.</summary>
    /// <exception cref="ToolException">The XML is malformed or has no &lt;node&gt; root.</exception>
    public static IntrospectionDocument Parse(string xml, string source)
    {
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            var root = XDocument.Load(reader).Root;
            if (root is null || root.Name.LocalName != "node")
            {
                throw new ToolException($"the introspection XML of {source} has no <node> root element");
            }
            return new IntrospectionDocument(root);
        }
        catch (XmlException e)
        {
            throw new ToolException($"the introspection XML of {source} is malformed: {e.Message}");
        }
    }

    /// <summary>Whether an interface is one of the bus's standard ones (Introspectable, Peer, Properties, ObjectManager…).</summary>
    public static bool IsStandard(string interfaceName) => interfaceName.StartsWith("org.freedesktop.DBus.", StringComparison.Ordinal);

    public IReadOnlyList<XElement> Interfaces(bool includeStandard) =>
        _root.Elements("interface")
            .Where(e => includeStandard || !IsStandard((string?)e.Attribute("name") ?? ""))
            .ToList();

    /// <summary>The names of the child nodes, relative to this object.</summary>
    public IReadOnlyList<string> ChildNames() =>
        _root.Elements("node").Select(e => (string?)e.Attribute("name")).OfType<string>().ToList();

    /// <summary>The whole node, standard interfaces left out unless asked for, child nodes kept.</summary>
    public string ToXml(bool includeStandard)
    {
        var copy = new XElement(_root);
        copy.Elements("interface").Where(e => !includeStandard && IsStandard((string?)e.Attribute("name") ?? "")).Remove();
        return DocType + Serialize(copy);
    }

    /// <summary>A file holding one interface: the form a DBusInterface item expects.</summary>
    public static string ToInterfaceFile(XElement interfaceElement) =>
        DocType + Serialize(new XElement("node", new XElement(interfaceElement)));

    private static string Serialize(XElement element)
    {
        var sb = new StringBuilder();
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", NewLineChars = "\n", OmitXmlDeclaration = true };
        using (var writer = XmlWriter.Create(sb, settings))
        {
            element.WriteTo(writer);
        }
        return sb.Append('\n').ToString();
    }
}
