using System.Diagnostics;

namespace DBusGen.Tests.Shared;

/// <summary>
/// A long-running /usr/bin/python3 peer from tests/peers: started with arguments and environment, waited for
/// ("READY …" on stdout), driven by lines on stdin (each answered by one line), stopped by closing stdin.
/// </summary>
internal sealed class PythonPeer : IAsyncDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);
    private readonly Process _process;
    private readonly Task<string> _errors;

    private PythonPeer(Process process, Task<string> errors, string ready)
    {
        _process = process;
        _errors = errors;
        Ready = ready;
    }

    /// <summary>What followed "READY " on the first line.</summary>
    public string Ready { get; }

    public static async Task<PythonPeer> StartAsync(string script, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(ExternalTool.Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "tests", "peers", script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(s_timeout);
        string? line = null;
        try
        {
            line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }
        if (line is null || !line.StartsWith("READY", StringComparison.Ordinal))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{script} did not get ready: {line} {await errors}");
        }
        return new PythonPeer(process, errors, line.Length > 6 ? line[6..] : "");
    }

    /// <summary>Whether the peer's process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Completes when the peer's process has ended (it may end by itself, asked over D-Bus).</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Sends one command line and returns the peer's one-line answer.</summary>
    public async Task<string> CommandAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        using var timeout = new CancellationTokenSource(s_timeout);
        return await _process.StandardOutput.ReadLineAsync(timeout.Token)
            ?? throw new InvalidOperationException($"the peer exited: {await _errors}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }
}
