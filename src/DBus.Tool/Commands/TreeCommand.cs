using System.CommandLine;

using DBus.Tool.Introspection;

namespace DBus.Tool.Commands;

/// <summary><c>dbusgen tree</c>: a service's object paths, found by introspection, drawn like busctl tree.</summary>
internal static class TreeCommand
{
    public static Command Create()
    {
        var destination = CommonArguments.Destination();
        var root = new Argument<string>("PATH")
        {
            Description = "Where to start (default /).",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => "/",
        };
        var command = new Command("tree", "Show the object tree of a service, found by introspecting from PATH down.")
        {
            destination, root,
        }.With(
            "dbusgen tree org.freedesktop.DBus");
        CommandRunner.SetAction(command, async (result, cancellationToken) =>
        {
            var start = CommonArguments.ParsePath(result.GetValue(root)!);
            await using var connection = await BusOptions.ConnectAsync(result, cancellationToken);
            var objects = await ObjectWalker.WalkAsync(connection, result.GetValue(destination)!, start, cancellationToken);
            var children = objects.ToDictionary(o => o.Path.ToString(), o => o.Document.ChildNames().Select(c => ObjectWalker.Child(o.Path, c).ToString()).ToList());
            Console.Out.WriteLine(start.ToString());
            Print(start.ToString(), "", children);
            return 0;
        });
        return command;
    }

    private static void Print(string path, string prefix, Dictionary<string, List<string>> children)
    {
        var list = children.GetValueOrDefault(path) ?? [];
        for (int i = 0; i < list.Count; i++)
        {
            bool last = i == list.Count - 1;
            Console.Out.WriteLine(prefix + (last ? "└─ " : "├─ ") + list[i]);
            Print(list[i], prefix + (last ? "   " : "│  "), children);
        }
    }
}
