using DBus.Generator.Helpers;
using DBus.Generator.Model;

namespace DBus.Generator.Emitter;

/// <summary>The doc comments, attributes and names every emitter writes the same way.</summary>
internal static class EmitterHelpers
{
    /// <summary>One <c>&lt;param&gt;</c> per argument: its <c>&lt;doc&gt;</c> text, else its D-Bus name and type.</summary>
    public static void ParamDocs(SourceWriter w, EquatableArray<ArgumentModel> args)
    {
        foreach (var arg in args)
        {
            string text = arg.Doc is { } doc
                ? CSharpLiterals.DocText(doc)
                : arg.Name is { Length: > 0 } name
                    ? $"The argument <c>{CSharpLiterals.DocText(name)}</c> (<c>{Sig(arg.Signature)}</c>)."
                    : $"An unnamed argument (<c>{Sig(arg.Signature)}</c>).";
            w.WriteLine($"/// <param name=\"{arg.ParameterName.TrimStart('@')}\">{text}</param>");
        }
    }

    /// <summary>What a result holding pooled arrays asks of the caller, or "" when it holds none.</summary>
    public static string PooledResultDoc(EquatableArray<ArgumentModel> outArgs) =>
        System.Linq.Enumerable.Any(outArgs, a => a.Pooled)
            ? " Dispose each <see cref=\"global::DBus.PooledArray{T}\"/> in it when done: its memory goes back to the pool."
            : "";

    public static void Remarks(SourceWriter w, string? doc)
    {
        if (doc is not null)
        {
            w.WriteLine($"/// <remarks>{CSharpLiterals.DocText(doc)}</remarks>");
        }
    }

    /// <summary>[Obsolete] for members and types annotated org.freedesktop.DBus.Deprecated.</summary>
    public static void Obsolete(SourceWriter w, bool deprecated, string kind)
    {
        if (deprecated)
        {
            w.WriteLine($"[global::System.Obsolete(\"The D-Bus {kind} is deprecated.\")]");
        }
    }

    public static string Args(string signature) =>
        signature.Length == 0 ? "no arguments" : "arguments <c>" + CSharpLiterals.DocText(signature) + "</c>";

    public static string Sig(string signature) => signature.Length == 0 ? "none" : CSharpLiterals.DocText(signature);

    /// <summary>
    /// The C# type of an argument that goes out (proxy and message-generator arguments, handler results):
    /// <c>ReadOnlyMemory&lt;T&gt;</c> for a pooled array, which any array or pooled memory converts to.
    /// </summary>
    public static string SendType(ArgumentModel arg) =>
        arg.Pooled ? $"global::System.ReadOnlyMemory<{PooledElement(arg)}>" : arg.CSharpType;

    /// <summary>
    /// The C# type of an argument that comes in (proxy results, message readers): <c>global::DBus.PooledArray&lt;T&gt;</c>
    /// for a pooled array, which the receiver disposes.
    /// </summary>
    public static string ReceiveType(ArgumentModel arg) =>
        arg.Pooled ? $"global::DBus.PooledArray<{PooledElement(arg)}>" : arg.CSharpType;

    /// <summary>The element type of a pooled array argument (<c>int</c> for <c>ai</c>).</summary>
    public static string PooledElement(ArgumentModel arg) => arg.CSharpType.Substring(0, arg.CSharpType.Length - 2);

    /// <summary>A generated type's name, global::-qualified with the interface's namespace.</summary>
    public static string Qualified(InterfaceModel model, string typeName) =>
        model.Namespace.Length > 0 ? "global::" + model.Namespace + "." + typeName : "global::" + typeName;
}
