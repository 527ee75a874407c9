using System.Diagnostics;
using System.Text;

namespace DBusGen.Tests.Shared;

/// <summary>
/// Runs the <c>dotnet</c> CLI (or a program it built) as a user's shell would: a clean environment, a working
/// directory, a generous timeout, and the whole output kept for the failure message.
/// </summary>
internal static class DotNetCli
{
    /// <summary>The dotnet executable that runs the tests (the SDK in use), else the one on PATH.</summary>
    public static string Executable { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public sealed record Result(string Command, int ExitCode, string Output, TimeSpan Elapsed)
    {
        /// <summary>Fails the test with the command and its whole output unless it exited with 0.</summary>
        public Result AssertSuccess()
        {
            Assert.That(ExitCode, Is.Zero, ToString());
            return this;
        }

        public override string ToString() => $"{Command} (exit {ExitCode}, {Elapsed.TotalSeconds:0.0} s):\n{Output}";
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/>.</summary>
    public static Task<Result> RunAsync(string workingDirectory, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null) =>
        RunProgramAsync(Executable, workingDirectory, arguments, environment, timeout);

    /// <summary>Runs any program (a published binary, say) with the same clean environment.</summary>
    public static async Task<Result> RunProgramAsync(string program, string workingDirectory, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        CleanEnvironment(start.Environment);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        string command = $"{Path.GetFileName(program)} {string.Join(' ', start.ArgumentList)}";
        var output = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        DataReceivedEventHandler append = (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Builds on a loaded 2-core machine are slow; the limit only keeps a hang from stalling the suite.
        var limit = timeout ?? TimeSpan.FromMinutes(6);
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} did not finish in {limit.TotalSeconds:0} s:\n{Text(output)}");
        }
        return new Result(command, process.ExitCode, Text(output), stopwatch.Elapsed);
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    // `dotnet test` hands its own MSBuild and test-host settings to the test process; a child build must not
    // inherit them (they point MSBuild at the parent's SDK resolution and node). Node reuse and the compiler
    // server are off so that no lingering build process keeps our output pipes open after the build ends.
    private static void CleanEnvironment(IDictionary<string, string?> environment)
    {
        foreach (string name in environment.Keys.ToList())
        {
            if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || name.Equals("DOTNET_HOST_PATH", StringComparison.OrdinalIgnoreCase))
            {
                environment.Remove(name);
            }
        }
        environment["MSBUILDDISABLENODEREUSE"] = "1";
        environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        environment["UseSharedCompilation"] = "false";
        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
        environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
    }
}
