using System.Diagnostics;

using DBusGen.Tests.Shared;

namespace DBus.Runtime.Tests.Bus;

/// <summary>
/// The dbus-python peer of tests/peers/python_service.py, on a private bus: started, waited for ("READY
/// unique-name"), and stopped by closing its stdin (killed if it lingers).
/// </summary>
internal sealed class PythonService : IAsyncDisposable
{
    public const string DefaultName = "org.dbusgen.TestService";
    public const string Interface = "org.dbusgen.Test";
    public static readonly ObjectPath ObjectPath = new("/org/dbusgen/Test");

    private readonly Process _process;

    private PythonService(Process process, string uniqueName)
    {
        _process = process;
        UniqueName = uniqueName;
    }

    public string UniqueName { get; }

    /// <param name="address">The bus.</param>
    /// <param name="name">The name to own.</param>
    /// <param name="mute">Also export /org/dbusgen/Mute, an object that refuses Introspect.</param>
    public static async Task<PythonService> StartAsync(string address, string name = DefaultName, bool mute = false)
    {
        var script = Path.Combine(RepositoryPaths.Root, "tests", "peers", "python_service.py");
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList = { script, address, name },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (mute)
        {
            start.ArgumentList.Add("--mute");
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new InvalidOperationException("the python service did not get ready within 20 s");
        }
        if (line is null || !line.StartsWith("READY ", StringComparison.Ordinal))
        {
            process.Kill();
            throw new InvalidOperationException($"the python service failed: {line} {await errors}");
        }
        return new PythonService(process, line["READY ".Length..]);
    }

    public static Message Call(string member, string signature = "", string destination = DefaultName) =>
        MessageWriter.CreateMethodCall(destination, ObjectPath, Interface, member, new Signature(signature)).ToMessage();

    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }
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

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }
}
