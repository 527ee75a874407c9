using System.CommandLine;

namespace DBus.Tool;

/// <summary>
/// Runs a command's action and turns every failure into one line on stderr and a non-zero exit code:
/// a D-Bus error names its error name and message, anything else says what could not be done.
/// </summary>
internal static class CommandRunner
{
    public const int Failure = 1;

    public static void SetAction(Command command, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                return await action(result, cancellationToken);
            }
            catch (Exception e)
            {
                Console.Error.WriteLine(Describe(e, cancellationToken));
                return Failure;
            }
        });

    public static string Describe(Exception e, CancellationToken cancellationToken) => e switch
    {
        DBusException d => $"Error {d.ErrorName}: {ErrorText.OneLine(d.ErrorMessage ?? "")}",
        ToolException t => "dbusgen: " + t.Message,
        OperationCanceledException when cancellationToken.IsCancellationRequested => "dbusgen: interrupted",
        TimeoutException t => "dbusgen: timed out: " + ErrorText.FirstLine(t.Message),
        _ => "dbusgen: " + ErrorText.FirstLineOf(e),
    };
}
