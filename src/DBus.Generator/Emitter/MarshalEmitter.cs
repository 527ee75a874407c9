using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using DBus.Generator.Helpers;
using DBus.Generator.Model;
using DBus.Generator.Naming;
using DBus.Shared;

namespace DBus.Generator.Emitter;

/// <summary>
/// Type-driven marshalling code for one generated class: the statement that writes a value of a D-Bus type
/// with <c>global::DBus.MessageWriter</c>, the expression that reads one with <c>global::DBus.MessageReader</c>,
/// and the private static helpers both need for containers. Basic types and arrays with a fast path are
/// written inline; every other array, dictionary and struct gets one helper pair per distinct signature,
/// named from the signature (<c>__Write_a_7bsv_7d</c>) and emitted in ordinal order, so that the output does
/// not depend on the order in which members asked for them.
/// </summary>
internal sealed class MarshalEmitter
{
    public const string Writer = "global::DBus.MessageWriter";
    public const string Reader = "global::DBus.MessageReader";

    /// <summary>The per-class helper that builds the exception for a null inside a value (see <see cref="EmitHelpers"/>).</summary>
    public const string NullValueHelper = "__NullValue";

    // Key: signature + "\0w" or "\0r"; a helper is emitted only in the direction something uses.
    private readonly SortedDictionary<string, SignatureNode> _helpers = new(StringComparer.Ordinal);
    private bool _needsNullHelper;

    /// <summary>Parses a single complete type that the parser already validated.</summary>
    public static SignatureNode Parse(string signature)
    {
        var error = SignatureParser.TryParseSingle(signature, out var node);
        if (error is not null || node is null)
        {
            throw new InvalidOperationException($"'{signature}' reached the emitter without being a single complete type: {error}");
        }
        return node;
    }

    /// <summary>
    /// The statement that writes <paramref name="value"/> (of type <paramref name="node"/>) with the writer
    /// variable <paramref name="writer"/>. <paramref name="checkedNotNull"/>: the caller has already
    /// thrown for a null reference, so fast-path arrays need no check of their own.
    /// </summary>
    public string Write(SignatureNode node, string value, string writer, bool checkedNotNull)
    {
        switch (node.Kind)
        {
            case SignatureKind.Byte: return $"{writer}.WriteByte({value});";
            case SignatureKind.Boolean: return $"{writer}.WriteBoolean({value});";
            case SignatureKind.Int16: return $"{writer}.WriteInt16({value});";
            case SignatureKind.UInt16: return $"{writer}.WriteUInt16({value});";
            case SignatureKind.Int32: return $"{writer}.WriteInt32({value});";
            case SignatureKind.UInt32: return $"{writer}.WriteUInt32({value});";
            case SignatureKind.Int64: return $"{writer}.WriteInt64({value});";
            case SignatureKind.UInt64: return $"{writer}.WriteUInt64({value});";
            case SignatureKind.Double: return $"{writer}.WriteDouble({value});";
            case SignatureKind.String: return $"{writer}.WriteString({value});";
            case SignatureKind.ObjectPath: return $"{writer}.WriteObjectPath({value});";
            case SignatureKind.Signature: return $"{writer}.WriteSignature({value});";
            case SignatureKind.UnixFd: return $"{writer}.WriteUnixFd({value});";
            case SignatureKind.Variant: return $"{writer}.WriteVariant({value});";
        }
        if (HasFastArray(node))
        {
            // An array converts to a span silently, null to an empty one: a null must throw before that.
            string array = checkedNotNull ? value : $"{value} ?? throw {RequireNullHelper()}({CSharpLiterals.String(node.Text)})";
            return $"{writer}.WriteArray({array});";
        }
        RequireHelper(node, WriteKey);
        return $"__Write_{Mangle(node.Text)}(ref {writer}, {value});";
    }

    /// <summary>The statement that writes argument <paramref name="arg"/>, held in <paramref name="value"/>, with <paramref name="writer"/>.</summary>
    public string WriteArg(ArgumentModel arg, string value, string writer, bool checkedNotNull) =>
        arg.Pooled
            ? $"{writer}.WriteArray({value}.Span);"
            : Write(Parse(arg.Signature), value, writer, checkedNotNull);

    /// <summary>The expression that reads argument <paramref name="arg"/> with <paramref name="reader"/>; a pooled array is rented.</summary>
    public string ReadArg(ArgumentModel arg, string reader) =>
        arg.Pooled
            ? $"{reader}.ReadPooledArray<{EmitterHelpers.PooledElement(arg)}>()"
            : Read(Parse(arg.Signature), reader);

    /// <summary>Whether the generated public methods must throw <c>ArgumentNullException</c> for a null <paramref name="arg"/>.</summary>
    public static bool IsReference(ArgumentModel arg) => !arg.Pooled && IsReference(Parse(arg.Signature));

    /// <summary>The expression that reads a value of type <paramref name="node"/> with the reader variable <paramref name="reader"/>.</summary>
    public string Read(SignatureNode node, string reader)
    {
        switch (node.Kind)
        {
            case SignatureKind.Byte: return $"{reader}.ReadByte()";
            case SignatureKind.Boolean: return $"{reader}.ReadBoolean()";
            case SignatureKind.Int16: return $"{reader}.ReadInt16()";
            case SignatureKind.UInt16: return $"{reader}.ReadUInt16()";
            case SignatureKind.Int32: return $"{reader}.ReadInt32()";
            case SignatureKind.UInt32: return $"{reader}.ReadUInt32()";
            case SignatureKind.Int64: return $"{reader}.ReadInt64()";
            case SignatureKind.UInt64: return $"{reader}.ReadUInt64()";
            case SignatureKind.Double: return $"{reader}.ReadDouble()";
            case SignatureKind.String: return $"{reader}.ReadString()";
            case SignatureKind.ObjectPath: return $"{reader}.ReadObjectPath()";
            case SignatureKind.Signature: return $"{reader}.ReadSignature()";
            case SignatureKind.UnixFd: return $"{reader}.ReadUnixFd()";
            case SignatureKind.Variant: return $"{reader}.ReadVariant()";
        }
        if (FastArrayName(node) is { } name)
        {
            return $"{reader}.ReadArrayOf{name}()";
        }
        RequireHelper(node, ReadKey);
        return $"__Read_{Mangle(node.Text)}(ref {reader})";
    }

    /// <summary>
    /// Whether a value of this type is a C# reference that callers could pass as null (strings, arrays,
    /// dictionaries, descriptors): the generated public methods throw <c>ArgumentNullException</c> for it.
    /// </summary>
    public static bool IsReference(SignatureNode node) =>
        node.Kind is SignatureKind.String or SignatureKind.UnixFd or SignatureKind.Array;

    /// <summary>The name of <see cref="NullValueHelper"/>, requesting its emission.</summary>
    public string RequireNullHelper()
    {
        _needsNullHelper = true;
        return NullValueHelper;
    }

    /// <summary>Emits every helper requested so far, and those they request in turn, in ordinal order of signature.</summary>
    public void EmitHelpers(SourceWriter w)
    {
        // Emitting a helper may request helpers for its children: repeat until nothing new appears, then
        // write them all sorted, so the order never depends on the order of discovery.
        var bodies = new SortedDictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            string? next = null;
            foreach (var key in _helpers.Keys)
            {
                if (!bodies.ContainsKey(key))
                {
                    next = key;
                    break;
                }
            }
            if (next is null)
            {
                break;
            }
            var body = new SourceWriter();
            if (next.EndsWith(WriteKey, StringComparison.Ordinal))
            {
                EmitWriter(body, _helpers[next]);
            }
            else
            {
                EmitReader(body, _helpers[next]);
            }
            bodies[next] = body.ToString();
        }
        foreach (var body in bodies.Values)
        {
            w.WriteLine();
            w.WriteLines(body.TrimEnd('\n'));
        }
        if (_needsNullHelper)
        {
            w.WriteLine();
            EmitNullHelper(w);
        }
    }

    private const string WriteKey = "\0w";
    private const string ReadKey = "\0r";

    private void RequireHelper(SignatureNode node, string direction)
    {
        string key = node.Text + direction;
        if (!_helpers.ContainsKey(key))
        {
            _helpers.Add(key, node);
        }
    }

    private static void EmitNullHelper(SourceWriter w)
    {
        w.WriteLine("private static global::System.ArgumentNullException __NullValue(string signature) =>");
        w.Indent();
        w.WriteLine("new global::System.ArgumentNullException(null, \"null inside an argument, where a value of signature '\" + signature + \"' is required\");");
        w.Unindent();
    }

    private void EmitWriter(SourceWriter w, SignatureNode node)
    {
        string csType = TypeMapper.ToCSharp(node);
        string mangled = Mangle(node.Text);
        string literal = CSharpLiterals.String(node.Text);
        w.WriteLine($"private static void __Write_{mangled}(ref {Writer} w, {csType} v)");
        w.OpenBrace();
        if (node.Kind == SignatureKind.Struct)
        {
            w.WriteLine("w.WriteStructStart();");
            for (int i = 0; i < node.Children.Count; i++)
            {
                w.WriteLine(Write(node.Children[i], "v.Item" + (i + 1).ToString(CultureInfo.InvariantCulture), "w", checkedNotNull: false));
            }
        }
        else
        {
            w.WriteLine($"if (v is null)");
            w.OpenBrace();
            w.WriteLine($"throw {RequireNullHelper()}({literal});");
            w.CloseBrace();
            var element = node.Children[0];
            w.WriteLine($"var start = w.WriteArrayStart(global::DBus.DBusType.{ElementType(element)});");
            w.WriteLine("foreach (var e in v)");
            w.OpenBrace();
            if (node.IsDictionary)
            {
                w.WriteLine("w.WriteDictEntryStart();");
                w.WriteLine(Write(element.Children[0], "e.Key", "w", checkedNotNull: false));
                w.WriteLine(Write(element.Children[1], "e.Value", "w", checkedNotNull: false));
            }
            else
            {
                w.WriteLine(Write(element, "e", "w", checkedNotNull: false));
            }
            w.CloseBrace();
            w.WriteLine("w.WriteArrayEnd(start);");
        }
        w.CloseBrace();
    }

    private void EmitReader(SourceWriter w, SignatureNode node)
    {
        string csType = TypeMapper.ToCSharp(node);
        string mangled = Mangle(node.Text);
        w.WriteLine($"private static {csType} __Read_{mangled}(ref {Reader} r)");
        w.OpenBrace();
        if (node.Kind == SignatureKind.Struct)
        {
            w.WriteLine("r.AlignStruct();");
            var fields = new StringBuilder();
            for (int i = 0; i < node.Children.Count; i++)
            {
                string local = "f" + (i + 1).ToString(CultureInfo.InvariantCulture);
                w.WriteLine($"var {local} = {Read(node.Children[i], "r")};");
                fields.Append(i > 0 ? ", " : "").Append(local);
            }
            w.WriteLine(node.Children.Count == 1
                ? $"return new {csType}({fields});"
                : $"return ({fields});");
        }
        else if (node.IsDictionary)
        {
            var entry = node.Children[0];
            w.WriteLine($"var result = new {csType}();");
            w.WriteLine("var end = r.ReadArrayStart(global::DBus.DBusType.DictEntry);");
            w.WriteLine("while (r.HasNext(end))");
            w.OpenBrace();
            w.WriteLine($"var key = {Read(entry.Children[0], "r")};");
            w.WriteLine($"result[key] = {Read(entry.Children[1], "r")};");
            w.CloseBrace();
            w.WriteLine("return result;");
        }
        else
        {
            var element = node.Children[0];
            w.WriteLine($"var result = new global::System.Collections.Generic.List<{TypeMapper.ToCSharp(element)}>();");
            w.WriteLine($"var end = r.ReadArrayStart(global::DBus.DBusType.{ElementType(element)});");
            w.WriteLine("while (r.HasNext(end))");
            w.OpenBrace();
            w.WriteLine($"result.Add({Read(element, "r")});");
            w.CloseBrace();
            w.WriteLine("return result.ToArray();");
        }
        w.CloseBrace();
    }

    private static bool HasFastArray(SignatureNode node) => FastArrayName(node) is not null;

    /// <summary>The suffix of <c>ReadArrayOf…</c> for arrays the wire API reads and writes in one call.</summary>
    private static string? FastArrayName(SignatureNode node)
    {
        if (node.Kind != SignatureKind.Array)
        {
            return null;
        }
        return node.Children[0].Kind switch
        {
            SignatureKind.Byte => "Byte",
            SignatureKind.Boolean => "Boolean",
            SignatureKind.Int16 => "Int16",
            SignatureKind.UInt16 => "UInt16",
            SignatureKind.Int32 => "Int32",
            SignatureKind.UInt32 => "UInt32",
            SignatureKind.Int64 => "Int64",
            SignatureKind.UInt64 => "UInt64",
            SignatureKind.Double => "Double",
            SignatureKind.String => "String",
            SignatureKind.ObjectPath => "ObjectPath",
            _ => null,
        };
    }

    /// <summary>The <c>global::DBus.DBusType</c> member naming an array's element type (it sets the element alignment).</summary>
    private static string ElementType(SignatureNode element) => element.Kind switch
    {
        SignatureKind.Byte => "Byte",
        SignatureKind.Boolean => "Boolean",
        SignatureKind.Int16 => "Int16",
        SignatureKind.UInt16 => "UInt16",
        SignatureKind.Int32 => "Int32",
        SignatureKind.UInt32 => "UInt32",
        SignatureKind.Int64 => "Int64",
        SignatureKind.UInt64 => "UInt64",
        SignatureKind.Double => "Double",
        SignatureKind.String => "String",
        SignatureKind.ObjectPath => "ObjectPath",
        SignatureKind.Signature => "Signature",
        SignatureKind.UnixFd => "UnixFd",
        SignatureKind.Variant => "Variant",
        SignatureKind.Array => "Array",
        SignatureKind.Struct => "Struct",
        _ => "DictEntry",
    };

    /// <summary>
    /// A signature as part of an identifier: type-code letters stay, every other character becomes <c>_</c>
    /// and its two hex digits (<c>a{sv}</c> → <c>a_7bsv_7d</c>). Signatures hold no <c>_</c>, so the
    /// mapping is one to one.
    /// </summary>
    public static string Mangle(string signature)
    {
        var sb = new StringBuilder(signature.Length * 2);
        foreach (char c in signature)
        {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('_').Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }
}
