using System.Diagnostics;
using System.Globalization;

namespace DBus.ScaleTests;

/// <summary>DBus.TestServer running in a process of its own, measured from outside through /proc.</summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Done)> _waiting = [];

    private ServerProcess(Process process, string socketPath)
    {
        _process = process;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }
    public string Address => "unix:path=" + SocketPath;
    public int Pid => _process.Id;

    public static async Task<ServerProcess> StartAsync(params string[] options)
    {
        string path = Path.Combine(Path.GetTempPath(), $"dbusgen-scale-{Guid.NewGuid():N}.sock");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DBus.TestServer.dll"));
        start.ArgumentList.Add(path);
        foreach (string option in options)
        {
            start.ArgumentList.Add(option);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start DBus.TestServer");
        var server = new ServerProcess(process, path);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                server.OnLine(line);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                server.OnLine("stderr: " + line);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitForLineAsync(l => l == "ready", TimeSpan.FromSeconds(30));
        }
        catch
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    private void OnLine(string line)
    {
        lock (_lines)
        {
            _lines.Add(line);
            for (int i = _waiting.Count - 1; i >= 0; i--)
            {
                if (_waiting[i].Match(line))
                {
                    _waiting[i].Done.TrySetResult(line);
                    _waiting.RemoveAt(i);
                }
            }
        }
    }

    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            if (_lines.FirstOrDefault(match) is { } seen)
            {
                return Task.FromResult(seen);
            }
            _waiting.Add((match, done));
        }
        return done.Task.WaitAsync(timeout);
    }

    public int CountLines(Func<string, bool> match)
    {
        lock (_lines)
        {
            return _lines.Count(match);
        }
    }

    /// <summary>Asks the server for the GC's view of its memory after a full collection (a line "memory: ...").</summary>
    public async Task<string> GcMemoryAsync()
    {
        int before = CountLines(l => l.StartsWith("memory:", StringComparison.Ordinal));
        await _process.StandardInput.WriteLineAsync("memory");
        await _process.StandardInput.FlushAsync();
        await WaitForLineAsync(_ => CountLines(l => l.StartsWith("memory:", StringComparison.Ordinal)) > before, TimeSpan.FromSeconds(10));
        lock (_lines)
        {
            return _lines.Last(l => l.StartsWith("memory:", StringComparison.Ordinal));
        }
    }

    public int Threads => (int)StatusField("Threads:");

    /// <summary>Resident memory in KiB.</summary>
    public long RssKiB => StatusField("VmRSS:");

    public int Descriptors => Directory.GetFileSystemEntries($"/proc/{Pid}/fd").Length;

    private long StatusField(string name)
    {
        foreach (string line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(name.Length).Trim().ToString().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"no {name} in /proc/{Pid}/status");
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000))
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
        File.Delete(SocketPath);
    }
}
