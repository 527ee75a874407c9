using System.Xml;

namespace DBus;

/// <summary>A method as introspection describes it.</summary>
/// <param name="Name">The member name.</param>
/// <param name="InSignature">The signature of its arguments.</param>
/// <param name="OutSignature">The signature of its reply.</param>
public sealed record IntrospectedMethod(string Name, Signature InSignature, Signature OutSignature);

/// <summary>A property as introspection describes it.</summary>
/// <param name="Name">The property name.</param>
/// <param name="Signature">Its type.</param>
/// <param name="Access">read, write or readwrite.</param>
public sealed record IntrospectedProperty(string Name, Signature Signature, string Access);

/// <summary>A signal as introspection describes it.</summary>
/// <param name="Name">The signal name.</param>
/// <param name="Signature">The signature of its arguments.</param>
public sealed record IntrospectedSignal(string Name, Signature Signature);

/// <summary>One interface of an introspected object.</summary>
public sealed class IntrospectedInterface
{
    internal IntrospectedInterface(string name, IReadOnlyList<IntrospectedMethod> methods, IReadOnlyList<IntrospectedProperty> properties, IReadOnlyList<IntrospectedSignal> signals)
    {
        Name = name;
        Methods = methods;
        Properties = properties;
        Signals = signals;
    }

    /// <summary>The interface name.</summary>
    public string Name { get; }

    /// <summary>Its methods, in document order.</summary>
    public IReadOnlyList<IntrospectedMethod> Methods { get; }

    /// <summary>Its properties.</summary>
    public IReadOnlyList<IntrospectedProperty> Properties { get; }

    /// <summary>Its signals.</summary>
    public IReadOnlyList<IntrospectedSignal> Signals { get; }
}

/// <summary>Reads the introspection XML an object returns from <c>Introspect</c>.</summary>
internal static class IntrospectionParser
{
    public static (List<IntrospectedInterface> Interfaces, List<string> Children) Parse(string xml)
    {
        var interfaces = new List<IntrospectedInterface>();
        var children = new List<string>();
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null, IgnoreComments = true };
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        int depth = -1;
        string? current = null;
        List<IntrospectedMethod>? methods = null;
        List<IntrospectedProperty>? properties = null;
        List<IntrospectedSignal>? signals = null;
        string? member = null;
        bool memberIsSignal = false;
        var inArgs = new System.Text.StringBuilder();
        var outArgs = new System.Text.StringBuilder();
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element)
            {
                depth = depth < 0 ? reader.Depth : depth;
                switch (reader.LocalName)
                {
                    case "node" when reader.Depth == depth + 1 && reader.GetAttribute("name") is { } child:
                        children.Add(child);
                        break;
                    case "interface" when reader.Depth == depth + 1:
                        current = reader.GetAttribute("name") ?? throw Malformed("an interface without a name");
                        methods = [];
                        properties = [];
                        signals = [];
                        if (reader.IsEmptyElement)
                        {
                            interfaces.Add(new IntrospectedInterface(current, methods, properties, signals));
                            current = null;
                        }
                        break;
                    case "method" or "signal" when current is not null:
                        member = reader.GetAttribute("name") ?? throw Malformed("a member without a name in " + current);
                        memberIsSignal = reader.LocalName == "signal";
                        inArgs.Clear();
                        outArgs.Clear();
                        if (reader.IsEmptyElement)
                        {
                            EndMember();
                        }
                        break;
                    case "arg" when member is not null:
                        string type = reader.GetAttribute("type") ?? throw Malformed($"an argument of {member} without a type");
                        (reader.GetAttribute("direction") == "out" && !memberIsSignal ? outArgs : inArgs).Append(type);
                        break;
                    case "property" when current is not null:
                        properties!.Add(new IntrospectedProperty(
                            reader.GetAttribute("name") ?? throw Malformed("a property without a name in " + current),
                            new Signature(reader.GetAttribute("type") ?? throw Malformed("a property without a type in " + current)),
                            reader.GetAttribute("access") ?? "read"));
                        break;
                }
            }
            else if (reader.NodeType == XmlNodeType.EndElement)
            {
                if (reader.LocalName is "method" or "signal" && member is not null)
                {
                    EndMember();
                }
                else if (reader.LocalName == "interface" && current is not null)
                {
                    interfaces.Add(new IntrospectedInterface(current, methods!, properties!, signals!));
                    current = null;
                }
            }
        }
        return (interfaces, children);

        void EndMember()
        {
            if (memberIsSignal)
            {
                signals!.Add(new IntrospectedSignal(member!, new Signature(inArgs.ToString())));
            }
            else
            {
                methods!.Add(new IntrospectedMethod(member!, new Signature(inArgs.ToString()), new Signature(outArgs.ToString())));
            }
            member = null;
        }
    }

    private static FormatException Malformed(string what) => new("the introspection data is malformed: " + what);
}
