// Linked source: compiled into DBus.Runtime, DBus.Generator and DBus.Analyzers.
using System.Collections.Generic;
using System.Text;

namespace DBus.Shared;

/// <summary>What kind of D-Bus type a <see cref="SignatureNode"/> is.</summary>
internal enum SignatureKind
{
    Byte, Boolean, Int16, UInt16, Int32, UInt32, Int64, UInt64, Double,
    String, ObjectPath, Signature, UnixFd, Variant,
    Array, Struct, DictEntry,
}

/// <summary>One complete D-Bus type, parsed: a basic type, a variant, or a container with its children.</summary>
internal sealed class SignatureNode
{
    private static readonly SignatureNode[] s_none = new SignatureNode[0];

    public SignatureNode(SignatureKind kind, string text, IReadOnlyList<SignatureNode>? children = null)
    {
        Kind = kind;
        Text = text;
        Children = children ?? s_none;
    }

    public SignatureKind Kind { get; }

    /// <summary>The signature text of this single complete type.</summary>
    public string Text { get; }

    /// <summary>Array: one element type. Struct: its fields. Dict entry: key and value.</summary>
    public IReadOnlyList<SignatureNode> Children { get; }

    public bool IsBasic => Kind <= SignatureKind.UnixFd;

    /// <summary>Array of dict entries (<c>a{..}</c>).</summary>
    public bool IsDictionary => Kind == SignatureKind.Array && Children[0].Kind == SignatureKind.DictEntry;

    /// <summary>Wire alignment of this type, in bytes.</summary>
    public int Alignment => SignatureCodes.Alignment(Text[0]);

    public override string ToString() => Text;

    internal static string Join(IEnumerable<SignatureNode> nodes)
    {
        var sb = new StringBuilder();
        foreach (var n in nodes)
        {
            sb.Append(n.Text);
        }
        return sb.ToString();
    }
}
