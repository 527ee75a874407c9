using System.Collections.Generic;
using System.Text;
using DBus.Shared;

namespace DBus.Generator.Naming;

/// <summary>
/// The C# type of a D-Bus type, per the type mapping of DESIGN.md. Every name is fully qualified with
/// <c>global::</c>. Structs become C# tuple types; the compiler nests tuples of more than seven
/// elements into <c>ValueTuple&lt;…, TRest&gt;</c> itself, and a one-field struct is
/// <c>global::System.ValueTuple&lt;T&gt;</c> because tuple syntax needs two elements.
/// </summary>
internal static class TypeMapper
{
    public const string ObjectPath = "global::DBus.ObjectPath";
    public const string Signature = "global::DBus.Signature";
    public const string UnixFd = "global::DBus.UnixFd";
    public const string Variant = "global::DBus.Variant";

    public static string ToCSharp(SignatureNode node)
    {
        var sb = new StringBuilder();
        Append(sb, node);
        return sb.ToString();
    }

    /// <summary>
    /// The C# type for a list of values: <c>void</c>-like (null) for none, the type itself for one, a
    /// tuple for several, with element names where given.
    /// </summary>
    public static string? ToTuple(IReadOnlyList<(string Type, string? Name)> elements)
    {
        if (elements.Count == 0)
        {
            return null;
        }
        if (elements.Count == 1)
        {
            return elements[0].Type;
        }
        var sb = new StringBuilder("(");
        for (int i = 0; i < elements.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }
            sb.Append(elements[i].Type);
            if (elements[i].Name is { } name)
            {
                sb.Append(' ').Append(name);
            }
        }
        return sb.Append(')').ToString();
    }

    private static void Append(StringBuilder sb, SignatureNode node)
    {
        switch (node.Kind)
        {
            case SignatureKind.Byte: sb.Append("byte"); break;
            case SignatureKind.Boolean: sb.Append("bool"); break;
            case SignatureKind.Int16: sb.Append("short"); break;
            case SignatureKind.UInt16: sb.Append("ushort"); break;
            case SignatureKind.Int32: sb.Append("int"); break;
            case SignatureKind.UInt32: sb.Append("uint"); break;
            case SignatureKind.Int64: sb.Append("long"); break;
            case SignatureKind.UInt64: sb.Append("ulong"); break;
            case SignatureKind.Double: sb.Append("double"); break;
            case SignatureKind.String: sb.Append("string"); break;
            case SignatureKind.ObjectPath: sb.Append(ObjectPath); break;
            case SignatureKind.Signature: sb.Append(Signature); break;
            case SignatureKind.UnixFd: sb.Append(UnixFd); break;
            case SignatureKind.Variant: sb.Append(Variant); break;
            case SignatureKind.Array when node.IsDictionary:
                sb.Append("global::System.Collections.Generic.Dictionary<");
                Append(sb, node.Children[0].Children[0]);
                sb.Append(", ");
                Append(sb, node.Children[0].Children[1]);
                sb.Append('>');
                break;
            case SignatureKind.Array:
                Append(sb, node.Children[0]);
                sb.Append("[]");
                break;
            case SignatureKind.Struct when node.Children.Count == 1:
                sb.Append("global::System.ValueTuple<");
                Append(sb, node.Children[0]);
                sb.Append('>');
                break;
            case SignatureKind.Struct:
                sb.Append('(');
                for (int i = 0; i < node.Children.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }
                    Append(sb, node.Children[i]);
                }
                sb.Append(')');
                break;
            default:
                // A dict entry outside an array never gets past SignatureParser.
                throw new System.InvalidOperationException("unexpected signature node " + node.Text);
        }
    }
}
