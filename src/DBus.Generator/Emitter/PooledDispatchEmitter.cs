using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DBus.Generator.Helpers;
using DBus.Generator.Model;
using DBus.Generator.Naming;

namespace DBus.Generator.Emitter;

/// <summary>
/// The handler dispatch of a method with pooled array arguments (<c>org.dbusgen.PooledArrays</c>): the handler
/// borrows them as <c>ReadOnlyMemory&lt;T&gt;</c>, and they go back to the pool once its task has completed and the
/// reply is written, on the synchronous and the asynchronous path alike. Returning to the pool after the reply lets a
/// handler answer with (a slice of) the memory it was given.
/// </summary>
internal static class PooledDispatchEmitter
{
    private const string ValueTask = "global::System.Threading.Tasks.ValueTask";
    private const string Context = "global::DBus.MethodContext";

    public static void InArgsDoc(SourceWriter w, MethodModel method)
    {
        if (method.InArgs.Any(a => a.Pooled))
        {
            w.WriteLine("/// <remarks>The <see cref=\"global::System.ReadOnlyMemory{T}\"/> arguments are pooled: valid until the returned task "
                + "completes and its reply is written, then reused. Copy what must outlive the call.</remarks>");
        }
    }

    /// <summary>The rest of <c>__Handle{M}</c> once the arguments are read (<c>__a0</c>…), and its <c>__Await{M}</c>.</summary>
    public static void Emit(SourceWriter w, MethodModel method, string call)
    {
        string b = method.CSharpName;
        var pooled = new List<(string Local, ArgumentModel Arg)>();
        for (int i = 0; i < method.InArgs.Count; i++)
        {
            if (method.InArgs[i].Pooled)
            {
                pooled.Add(("__a" + i.ToString(CultureInfo.InvariantCulture), method.InArgs[i]));
            }
        }
        string? result = TypeMapper.ToTuple(method.OutArgs.Select(a => (EmitterHelpers.SendType(a), a.ElementName)).ToList());
        string task = result is null ? ValueTask : $"{ValueTask}<{result}>";

        w.WriteLine($"{task} __task;");
        w.WriteLine("try");
        w.OpenBrace();
        w.WriteLine($"__task = {call};");
        w.CloseBrace();
        w.WriteLine("catch");
        w.OpenBrace();
        DisposeAll(w, pooled);
        w.WriteLine("throw;");
        w.CloseBrace();
        w.WriteLine("if (__task.IsCompletedSuccessfully)");
        w.OpenBrace();
        w.WriteLine("try");
        w.OpenBrace();
        // GetResult also releases a ValueTask backed by a pooled IValueTaskSource.
        w.WriteLine(result is null ? "__task.GetAwaiter().GetResult();" : $"__Reply{b}(__context, __task.Result);");
        w.CloseBrace();
        w.WriteLine("finally");
        w.OpenBrace();
        DisposeAll(w, pooled);
        w.CloseBrace();
        w.WriteLine("return default;");
        w.CloseBrace();
        w.WriteLine($"return __Await{b}(__task, __context, {string.Join(", ", pooled.Select(p => p.Local))});");
        w.CloseBrace();

        string parameters = string.Join(", ", pooled.Select(p => EmitterHelpers.ReceiveType(p.Arg) + " " + p.Local));
        w.WriteLine();
        w.WriteLine($"private static async {ValueTask} __Await{b}({task} __task, {Context} __context, {parameters})");
        w.OpenBrace();
        w.WriteLine("try");
        w.OpenBrace();
        w.WriteLine(result is null ? "await __task.ConfigureAwait(false);" : $"__Reply{b}(__context, await __task.ConfigureAwait(false));");
        w.CloseBrace();
        w.WriteLine("finally");
        w.OpenBrace();
        DisposeAll(w, pooled);
        w.CloseBrace();
        w.CloseBrace();
    }

    private static void DisposeAll(SourceWriter w, List<(string Local, ArgumentModel Arg)> pooled)
    {
        foreach (var (local, _) in pooled)
        {
            w.WriteLine($"{local}.Dispose();");
        }
    }
}
