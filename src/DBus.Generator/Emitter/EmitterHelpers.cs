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

    /// <summary>A generated type's name, global::-qualified with the interface's namespace.</summary>
    public static string Qualified(InterfaceModel model, string typeName) =>
        model.Namespace.Length > 0 ? "global::" + model.Namespace + "." + typeName : "global::" + typeName;
}
