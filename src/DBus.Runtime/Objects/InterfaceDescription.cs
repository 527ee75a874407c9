using System.Collections.Concurrent;
using System.Xml;

namespace DBus;

/// <summary>
/// What the connection needs to know about a served interface, read from its introspection XML: each method's
/// <c>in</c> signature and each property's type, access and EmitsChangedSignal.
/// </summary>
internal sealed class InterfaceDescription
{
    private const string EmitsChangedAnnotation = "org.freedesktop.DBus.Property.EmitsChangedSignal";

    // Generated handlers return the same XML for every instance: parse it once.
    private static readonly ConcurrentDictionary<string, InterfaceDescription> s_cache = new(StringComparer.Ordinal);

    private InterfaceDescription(string name, Dictionary<string, DeclaredMethod[]> methods, Dictionary<string, PropertyDescription> properties)
    {
        Name = name;
        Methods = methods;
        Properties = properties;
    }

    public string Name { get; }

    /// <summary>Method name → the <c>in</c> signatures it accepts, each with its position among the XML's methods:
    /// one, or several when the XML declares the name more than once (overloads). The position reaches the handler as
    /// <see cref="MethodContext.MethodIndex"/>, which generated handlers dispatch on.</summary>
    public Dictionary<string, DeclaredMethod[]> Methods { get; }

    /// <summary>Property name → its description, in declaration order.</summary>
    public Dictionary<string, PropertyDescription> Properties { get; }

    /// <summary>Reads <paramref name="xml"/>, an <c>&lt;interface&gt;</c> element.</summary>
    /// <exception cref="ArgumentException">The XML is malformed, not an interface, or declares an invalid type.</exception>
    public static InterfaceDescription Get(string xml) => s_cache.TryGetValue(xml, out var cached) ? cached : s_cache.GetOrAdd(xml, Parse(xml));

    private static InterfaceDescription Parse(string xml)
    {
        try
        {
            return ParseCore(xml);
        }
        catch (Exception e) when (e is XmlException or ArgumentException or FormatException)
        {
            throw new ArgumentException("the handler's IntrospectionXml is not a valid <interface> element: " + e.Message, nameof(xml), e);
        }
    }

    private static InterfaceDescription ParseCore(string xml)
    {
        using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Ignore,
            IgnoreComments = true,
            IgnoreWhitespace = true,
            XmlResolver = null,
        });
        reader.MoveToContent();
        if (reader.NodeType != XmlNodeType.Element || reader.Name != "interface")
        {
            throw new FormatException($"the root element is <{reader.Name}>, not <interface>");
        }
        string name = reader.GetAttribute("name") ?? throw new FormatException("<interface> has no name");
        var methods = new Dictionary<string, DeclaredMethod[]>(StringComparer.Ordinal);
        int methodCount = 0;
        var properties = new Dictionary<string, PropertyDescription>(StringComparer.Ordinal);
        var interfaceEmits = EmitsChangedSignal.True;
        if (reader.IsEmptyElement)
        {
            return new InterfaceDescription(name, methods, properties);
        }
        int interfaceDepth = reader.Depth;
        string? method = null;
        string methodIn = "";
        string? property = null;
        while (reader.Read() && reader.Depth > interfaceDepth)
        {
            if (reader.NodeType == XmlNodeType.EndElement)
            {
                if (reader.Name == "method" && method is not null)
                {
                    AddMethod(methods, method, new Signature(methodIn), methodCount++);
                    method = null;
                }
                else if (reader.Name == "property")
                {
                    property = null;
                }
                continue;
            }
            if (reader.NodeType != XmlNodeType.Element)
            {
                continue;
            }
            switch (reader.Name)
            {
                case "method" when reader.Depth == interfaceDepth + 1:
                    string methodName = reader.GetAttribute("name") ?? throw new FormatException("a <method> has no name");
                    if (reader.IsEmptyElement)
                    {
                        AddMethod(methods, methodName, Signature.Empty, methodCount++);
                    }
                    else
                    {
                        method = methodName;
                        methodIn = "";
                    }
                    break;
                case "arg" when method is not null:
                    if ((reader.GetAttribute("direction") ?? "in") == "in")
                    {
                        methodIn += reader.GetAttribute("type") ?? throw new FormatException($"an <arg> of method {method} has no type");
                    }
                    break;
                case "property" when reader.Depth == interfaceDepth + 1:
                    string propertyName = reader.GetAttribute("name") ?? throw new FormatException("a <property> has no name");
                    var type = new Signature(reader.GetAttribute("type") ?? throw new FormatException($"property {propertyName} has no type"));
                    if (!type.IsSingleCompleteType)
                    {
                        throw new FormatException($"property {propertyName} has type '{type}', not a single complete type");
                    }
                    string access = reader.GetAttribute("access") ?? "read";
                    properties[propertyName] = new PropertyDescription(propertyName, type, access is "read" or "readwrite", access is "write" or "readwrite", null);
                    property = reader.IsEmptyElement ? null : propertyName;
                    break;
                case "annotation" when reader.GetAttribute("name") == EmitsChangedAnnotation:
                    var emits = ParseEmits(reader.GetAttribute("value"));
                    if (property is not null)
                    {
                        properties[property] = properties[property] with { Emits = emits };
                    }
                    else if (reader.Depth == interfaceDepth + 1)
                    {
                        interfaceEmits = emits;
                    }
                    break;
            }
        }
        foreach (var (key, value) in properties.ToArray())
        {
            if (value.Emits is null)
            {
                properties[key] = value with { Emits = interfaceEmits };
            }
        }
        return new InterfaceDescription(name, methods, properties);
    }

    /// <summary>Adds the <paramref name="index"/>-th method of the XML; a repeat of a name and signature is counted but
    /// never reached (the first declaration answers).</summary>
    private static void AddMethod(Dictionary<string, DeclaredMethod[]> methods, string name, Signature inSignature, int index)
    {
        var declared = new DeclaredMethod(inSignature, index);
        if (!methods.TryGetValue(name, out var known))
        {
            methods[name] = [declared];
        }
        else if (Array.FindIndex(known, m => m.InSignature == inSignature) < 0)
        {
            methods[name] = [.. known, declared];
        }
    }

    private static EmitsChangedSignal ParseEmits(string? value) => value switch
    {
        "true" => EmitsChangedSignal.True,
        "invalidates" => EmitsChangedSignal.Invalidates,
        "const" => EmitsChangedSignal.Const,
        "false" => EmitsChangedSignal.False,
        _ => throw new FormatException($"EmitsChangedSignal is '{value}', not true, invalidates, const or false"),
    };
}

/// <summary>One method of a served interface: its <c>in</c> signature and its position among the XML's methods.</summary>
internal readonly record struct DeclaredMethod(Signature InSignature, int Index);
