using System.Diagnostics;

namespace DBusGen.Tests.Shared;

/// <summary>Runs a real D-Bus peer (gdbus, busctl, dbus-python) and collects what it printed.</summary>
internal static class ExternalTool
{
    public const string Python = "/usr/bin/python3";

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout: {Output}\nstderr: {Error}";
    }

    public static async Task<Result> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish in 20 s");
        }
        var result = new Result(process.ExitCode, await output, await error);
        // Process.Dispose leaves the redirected pipes to the finalizer; tests that count descriptors need them closed.
        process.StandardOutput.Dispose();
        process.StandardError.Dispose();
        return result;
    }

    public static Task<Result> PythonAsync(string script, params string[] arguments) =>
        RunAsync(Python, ["-c", script, .. arguments]);
}
