using System.CommandLine;

using DBus.Tool;
using DBus.Tool.Commands;

var root = new RootCommand("dbusgen: D-Bus from the command line on the DBusGen runtime. Introspect a live service into a project (typed proxies on the next build), call methods, read and set properties, emit signals, monitor a bus.");
root.With(
    "dbusgen introspect org.freedesktop.Notifications /org/freedesktop/Notifications --add-to App.csproj");
BusOptions.AddTo(root);
HelpExamples.Install(root);
root.Subcommands.Add(IntrospectCommand.Create());
root.Subcommands.Add(CallCommand.Create());
root.Subcommands.Add(ListCommand.Create());
root.Subcommands.Add(TreeCommand.Create());
root.Subcommands.Add(PropertyCommands.CreateGet());
root.Subcommands.Add(PropertyCommands.CreateSet());
root.Subcommands.Add(EmitCommand.Create());
root.Subcommands.Add(MonitorCommand.Create());

Console.OutputEncoding = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

// "@name" is a value here (a string argument), never a response file.
var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
if (parsed.Errors.Count > 0 && !HelpExamples.IsHelp(parsed))
{
    // One line, not the parser's error list followed by the whole help text.
    string command = parsed.CommandResult.Command == root ? "" : parsed.CommandResult.Command.Name + " ";
    Console.Error.WriteLine($"dbusgen: {parsed.Errors[0].Message} (see dbusgen {command}--help)");
    return CommandRunner.Failure;
}
return await parsed.InvokeAsync();
