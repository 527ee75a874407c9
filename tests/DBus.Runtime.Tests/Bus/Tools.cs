using System.Diagnostics;

namespace DBus.Runtime.Tests.Bus;

/// <summary>Runs the command-line D-Bus tools (gdbus, busctl) as peers, bounded in time.</summary>
internal static class Tools
{
    public static Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments) =>
        RunWithEnvironmentAsync(program, null, arguments);

    /// <summary>Runs a tool with extra environment variables (gdbus finds a bus only through DBUS_SESSION_BUS_ADDRESS).</summary>
    public static async Task<(int ExitCode, string Output)> RunWithEnvironmentAsync(string program, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException(program + " did not start");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within 20 s");
        }
        return (process.ExitCode, await output + await errors);
    }
}
