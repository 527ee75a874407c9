using DBus.Generator.Helpers;
using DBus.Generator.Model;

namespace DBus.Generator.Emitter;

/// <summary>
/// Writes <c>{N}Interface</c>: the interface's name, introspection XML, and one nested static class per
/// member with its names and signatures, as constants.
/// </summary>
internal static class ConstantsEmitter
{
    public static void Emit(SourceWriter w, InterfaceModel model)
    {
        w.WriteLine("/// <summary>");
        w.WriteLine($"/// Names, signatures and introspection XML of the D-Bus interface <c>{CSharpLiterals.DocText(model.Name)}</c>.");
        w.WriteLine("/// </summary>");
        if (model.Doc is not null)
        {
            w.WriteLine($"/// <remarks>{CSharpLiterals.DocText(model.Doc)}</remarks>");
        }
        w.WriteLine(DBusGenerator.Emitter.GeneratedCodeAttribute);
        if (model.Deprecated)
        {
            w.WriteLine("[global::System.Obsolete(\"The D-Bus interface is deprecated.\")]");
        }
        w.WriteLine($"public static partial class {model.TypeName}Interface");
        w.OpenBrace();
        w.WriteLine("/// <summary>The D-Bus interface name.</summary>");
        w.WriteLine($"public const string Name = {CSharpLiterals.String(model.Name)};");
        w.WriteLine();
        w.WriteLine("/// <summary>The interface as introspection XML, as a server serves it from <c>Introspect</c>.</summary>");
        w.WriteLine($"public const string IntrospectionXml = {CSharpLiterals.Verbatim(model.IntrospectionXml)};");

        foreach (var method in model.Methods)
        {
            w.WriteLine();
            BeginMember(w, "method", method.Name, method.Doc, method.Deprecated, method.CSharpName + "Method");
            Constant(w, "Name", method.Name, "The D-Bus member name.");
            Constant(w, "InSignature", method.InSignature, "The signature of the call's body (the in arguments).");
            Constant(w, "OutSignature", method.OutSignature, "The signature of the reply's body (the out arguments).");
            if (method.NoReply)
            {
                w.WriteLine("/// <summary>The method is annotated <c>org.freedesktop.DBus.Method.NoReply</c>: callers expect no reply.</summary>");
                w.WriteLine("public const bool NoReply = true;");
            }
            w.CloseBrace();
        }
        foreach (var property in model.Properties)
        {
            w.WriteLine();
            BeginMember(w, "property", property.Name, property.Doc, property.Deprecated, property.CSharpName + "Property");
            Constant(w, "Name", property.Name, "The D-Bus property name.");
            Constant(w, "Signature", property.Signature, "The signature of the property's value.");
            Constant(w, "Access", property.Access switch
            {
                PropertyAccess.Read => "read",
                PropertyAccess.Write => "write",
                _ => "readwrite",
            }, "The access of the property: read, write or readwrite.");
            Constant(w, "EmitsChangedSignal", property.EmitsChangedSignal.ToString().ToLowerInvariant(),
                "How PropertiesChanged reports the property: true, invalidates, const or false.");
            w.CloseBrace();
        }
        foreach (var signal in model.Signals)
        {
            w.WriteLine();
            BeginMember(w, "signal", signal.Name, signal.Doc, signal.Deprecated, signal.CSharpName + "Signal");
            Constant(w, "Name", signal.Name, "The D-Bus member name.");
            Constant(w, "Signature", signal.Signature, "The signature of the signal's body.");
            w.CloseBrace();
        }
        w.CloseBrace();
    }

    private static void BeginMember(SourceWriter w, string kind, string name, string? doc, bool deprecated, string className)
    {
        w.WriteLine($"/// <summary>The D-Bus {kind} <c>{CSharpLiterals.DocText(name)}</c>.</summary>");
        if (doc is not null)
        {
            w.WriteLine($"/// <remarks>{CSharpLiterals.DocText(doc)}</remarks>");
        }
        if (deprecated)
        {
            w.WriteLine($"[global::System.Obsolete(\"The D-Bus {kind} is deprecated.\")]");
        }
        w.WriteLine($"public static class {className}");
        w.OpenBrace();
    }

    private static void Constant(SourceWriter w, string name, string value, string doc)
    {
        w.WriteLine($"/// <summary>{doc}</summary>");
        w.WriteLine($"public const string {name} = {CSharpLiterals.String(value)};");
    }
}
