using System.Globalization;
using DBus.Generator.Helpers;
using DBus.Shared;

namespace DBus.Generator.Emitter;

/// <summary>
/// Statements that close the descriptors inside a value: every <c>UnixFd</c> (<c>h</c>) and every
/// <c>Variant</c> (<c>v</c>, which may hold some) within it, through arrays, dictionaries and structs. Generated
/// dispatch runs them on what a handler returned once the reply (which holds duplicates) is written.
/// </summary>
internal static class DescriptorDisposal
{
    /// <summary>Whether a value of type <paramref name="node"/> can hold a descriptor.</summary>
    public static bool MayHold(SignatureNode node) => node.Text.IndexOf('h') >= 0 || node.Text.IndexOf('v') >= 0;

    /// <summary>Writes the statements that dispose what <paramref name="value"/> holds (null-tolerant).</summary>
    public static void Emit(SourceWriter w, SignatureNode node, string value, int depth)
    {
        switch (node.Kind)
        {
            case SignatureKind.UnixFd:
                w.WriteLine($"{value}?.Dispose();");
                return;
            case SignatureKind.Variant:
                w.WriteLine($"{value}.Dispose();");
                return;
            case SignatureKind.Struct:
                for (int i = 0; i < node.Children.Count; i++)
                {
                    if (MayHold(node.Children[i]))
                    {
                        Emit(w, node.Children[i], value + ".Item" + (i + 1).ToString(CultureInfo.InvariantCulture), depth);
                    }
                }
                return;
            case SignatureKind.Array:
                string item = "__d" + depth.ToString(CultureInfo.InvariantCulture);
                w.WriteLine($"if ({value} is not null)");
                w.OpenBrace();
                w.WriteLine($"foreach (var {item} in {value})");
                w.OpenBrace();
                if (node.IsDictionary)
                {
                    var entry = node.Children[0];
                    if (MayHold(entry.Children[0]))
                    {
                        Emit(w, entry.Children[0], item + ".Key", depth + 1);
                    }
                    if (MayHold(entry.Children[1]))
                    {
                        Emit(w, entry.Children[1], item + ".Value", depth + 1);
                    }
                }
                else
                {
                    Emit(w, node.Children[0], item, depth + 1);
                }
                w.CloseBrace();
                w.CloseBrace();
                return;
        }
    }
}
