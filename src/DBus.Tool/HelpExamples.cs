using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace DBus.Tool;

/// <summary>
/// Adds an "Examples:" section to each command's --help: the parser's help has no place for examples, and a
/// description long enough to hold them would make the command list unreadable.
/// </summary>
internal static class HelpExamples
{
    private static readonly Dictionary<Command, string> s_examples = [];

    public static T With<T>(this T command, params string[] examples) where T : Command
    {
        s_examples[command] = string.Join('\n', examples.Select(e => "  " + e));
        return command;
    }

    /// <summary>Wraps the help option's action on <paramref name="root"/> (it serves every subcommand).</summary>
    public static void Install(RootCommand root)
    {
        foreach (var option in root.Options)
        {
            if (option is HelpOption { Action: HelpAction inner } help)
            {
                help.Action = new WithExamples(inner);
            }
        }
    }

    /// <summary>Whether the command line asks for help (which the parser answers even when arguments are missing).</summary>
    public static bool IsHelp(ParseResult result) => result.Action is WithExamples or HelpAction;

    private sealed class WithExamples(HelpAction inner) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            int exitCode = inner.Invoke(parseResult);
            if (s_examples.TryGetValue(parseResult.CommandResult.Command, out string? examples))
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Examples:");
                output.WriteLine(examples);
                output.WriteLine();
            }
            return exitCode;
        }
    }
}
