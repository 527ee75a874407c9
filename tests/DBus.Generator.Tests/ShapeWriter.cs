using System.Text;
using DBus.Generator.Model;
using DBus.Generator.Naming;

namespace DBus.Generator.Tests;

/// <summary>
/// Writes C# declarations that use every name and type the parser resolved, laid out the way the
/// generated proxy and handler will use them (NameTemplates), next to the generated {N}Messages and
/// {N}Properties. Compiling them proves the naming rules give code without clashes, before those
/// emitters exist.
/// </summary>
internal static class ShapeWriter
{
    private const string Ct = "global::System.Threading.CancellationToken cancellationToken = default";

    /// <summary>Stand-ins for runtime types not yet in DBus.Runtime (only those missing are declared).</summary>
    public static string Stubs(Func<string, bool> exists)
    {
        var sb = new StringBuilder("namespace DBus\n{\n");
        foreach (var name in new[] { "ObjectPath", "Signature", "Variant", "UnixFd" })
        {
            if (!exists("DBus." + name))
            {
                sb.Append($"    /// <summary>stub</summary>\n    public readonly struct {name} {{ }}\n");
            }
        }
        return sb.Append("}\n").ToString();
    }

    public static string Write(IEnumerable<InterfaceModel> interfaces)
    {
        var sb = new StringBuilder("#pragma warning disable CS1591\n");
        foreach (var m in interfaces)
        {
            if (m.Namespace.Length > 0)
            {
                sb.Append($"namespace {m.Namespace}\n{{\n");
            }

            // Proxy and handler share one scope. With Client generation the real {N}Proxy is emitted and
            // compiled instead; the shape stands in for it only in server-only output.
            if ((m.Generate & GenerateKinds.Client) == 0)
            {
                WriteProxyShape(sb, m);
            }

            // Likewise the real I{N}Handler is emitted with Server generation.
            if ((m.Generate & GenerateKinds.Server) == 0)
            {
                WriteHandlerShape(sb, m);
            }

            if (m.Namespace.Length > 0)
            {
                sb.Append("}\n");
            }
        }
        return sb.ToString();
    }

    private static void WriteHandlerShape(StringBuilder sb, InterfaceModel m)
    {
        string n = m.TypeName;
        if (m.Deprecated)
        {
            sb.Append("[global::System.Obsolete]\n");
        }
        sb.Append($"public interface I{n}Handler\n{{\n");
        foreach (var method in m.Methods)
        {
            sb.Append($"    {Task(Tuple(method.OutArgs))} {method.CSharpName}Async({Params(method.InArgs)}{Ct});\n");
        }
        foreach (var p in m.Properties)
        {
            sb.Append($"    {Task(p.CSharpType)} Get{p.CSharpName}Async({Ct});\n");
            sb.Append($"    {Task(null)} Set{p.CSharpName}Async({p.CSharpType} value, {Ct});\n");
        }
        sb.Append("}\n");
    }

    private static void WriteProxyShape(StringBuilder sb, InterfaceModel m)
    {
        string n = m.TypeName;
        if (m.Deprecated)
        {
            sb.Append("[global::System.Obsolete]\n");
        }
        sb.Append($"public abstract class {n}Proxy : global::System.IDisposable, global::System.IAsyncDisposable\n{{\n");
        sb.Append($"    public object Connection => null!;\n    public string Destination => \"\";\n    public string Path => \"\";\n    public {n}Messages Messages => null!;\n");
        sb.Append($"    public global::System.TimeSpan? Timeout {{ get; init; }}\n    public {n}Proxy WithTimeout(global::System.TimeSpan? timeout) => this;\n");
        // {N}Properties exists only for interfaces with properties.
        string bag = m.Properties.Count > 0 ? n + "Properties" : "object";
        sb.Append($"    public abstract global::System.Threading.Tasks.Task<{bag}> GetAllPropertiesAsync({Ct});\n");
        sb.Append($"    public abstract global::System.Threading.Tasks.Task<global::System.IDisposable> WatchPropertiesChangedAsync(global::System.Action<{bag}> handler, {Ct});\n");
        sb.Append($"    public abstract {Task($"global::DBus.SignalStream<{bag}>")} ReadPropertiesChangedAsync({Ct});\n");
        sb.Append("    public void Dispose() { }\n    public global::System.Threading.Tasks.ValueTask DisposeAsync() => default;\n");
        foreach (var method in m.Methods)
        {
            sb.Append($"    public abstract {Task(Tuple(method.OutArgs))} {method.CSharpName}Async({Params(method.InArgs)}{Ct});\n");
        }
        foreach (var p in m.Properties)
        {
            sb.Append($"    public abstract {Task(p.CSharpType)} Get{p.CSharpName}Async({Ct});\n");
            sb.Append($"    public abstract {Task(null)} Set{p.CSharpName}Async({p.CSharpType} value, {Ct});\n");
        }
        foreach (var s in m.Signals)
        {
            string payload = Tuple(s.Args) ?? "bool";
            sb.Append($"    public abstract {Task("global::System.IDisposable")} Watch{s.CSharpName}Async(global::System.Action<{payload}> handler, {Ct});\n");
            sb.Append($"    public abstract {Task($"global::DBus.SignalStream<{payload}>")} Read{s.CSharpName}Async({Ct});\n");
            sb.Append($"    public abstract {Task(null)} Emit{s.CSharpName}Async({Params(s.Args)}{Ct});\n");
        }
        sb.Append("}\n");
    }

    private static string Task(string? result) => result is null
        ? "global::System.Threading.Tasks.Task"
        : $"global::System.Threading.Tasks.Task<{result}>";

    private static string? Tuple(EquatableArray<ArgumentModel> args) =>
        TypeMapper.ToTuple(args.Select(a => (a.CSharpType, a.ElementName)).ToList());

    private static string Params(EquatableArray<ArgumentModel> args, bool trailingComma = true)
    {
        var text = string.Join(", ", args.Select(a => $"{a.CSharpType} {a.ParameterName}"));
        return trailingComma && text.Length > 0 ? text + ", " : text;
    }
}
