using DBus.Generator.Helpers;
using DBus.Generator.Model;

namespace DBus.Generator.Emitter;

/// <summary>
/// Writes <c>{N}Properties</c>: the property bag that <c>{N}Messages.ReadGetAll</c> and
/// <c>ReadPropertiesChanged</c> fill. Each D-Bus property is a nullable C# property (<c>T?</c>), null when
/// the message did not carry it, so a caller can tell "absent" from any value.
/// </summary>
internal static class PropertiesEmitter
{
    public static void Emit(SourceWriter w, InterfaceModel model)
    {
        w.WriteLine("/// <summary>");
        w.WriteLine($"/// Values of the properties of the D-Bus interface <c>{CSharpLiterals.DocText(model.Name)}</c>, as read from");
        w.WriteLine($"/// <c>GetAll</c> or <c>PropertiesChanged</c> by <c>{model.TypeName}Messages</c>: a property the message did not carry is null.");
        w.WriteLine("/// </summary>");
        w.WriteLine(DBusGenerator.Emitter.GeneratedCodeAttribute);
        if (model.Deprecated)
        {
            w.WriteLine("[global::System.Obsolete(\"The D-Bus interface is deprecated.\")]");
        }
        w.WriteLine($"public sealed partial class {model.TypeName}Properties");
        w.OpenBrace();
        bool first = true;
        foreach (var property in model.Properties)
        {
            if (!first)
            {
                w.WriteLine();
            }
            first = false;
            string access = property.Access switch
            {
                PropertyAccess.Read => "read",
                PropertyAccess.Write => "write",
                _ => "readwrite",
            };
            w.WriteLine($"/// <summary>The D-Bus property <c>{CSharpLiterals.DocText(property.Name)}</c> (<c>{CSharpLiterals.DocText(property.Signature)}</c>, {access}), or null when absent.</summary>");
            if (property.Doc is not null)
            {
                w.WriteLine($"/// <remarks>{CSharpLiterals.DocText(property.Doc)}</remarks>");
            }
            if (property.Deprecated)
            {
                w.WriteLine("[global::System.Obsolete(\"The D-Bus property is deprecated.\")]");
            }
            w.WriteLine($"public {property.CSharpType}? {property.CSharpName} {{ get; set; }}");
        }
        w.CloseBrace();
    }
}
