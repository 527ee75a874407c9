using DBus.Runtime.Tests.Bus;
using DBus.Testing;

namespace DBus.Tool.Tests;

/// <summary>
/// A private dbus-daemon with the dbus-python service of tests/peers/python_service.py on it, a connection of
/// the test's own, and the installed dbusgen pointed at that bus.
/// </summary>
public abstract class ServiceFixture
{
    protected const string Service = PythonService.DefaultName;
    protected const string TestPath = "/org/dbusgen/Test";
    protected const string TestInterface = PythonService.Interface;
    protected const string SettingsPath = "/org/dbusgen/Test/Settings";
    protected const string SettingsInterface = "org.dbusgen.Settings";
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private PythonService? _service;

    protected PrivateBus Bus { get; private set; } = null!;

    protected DBusConnection Connection { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartServiceAsync()
    {
        // Installing first: a failed install should say so, not look like a bus problem.
        await InstalledTool.GetPathAsync();
        Bus = await PrivateBus.StartAsync();
        _service = await PythonService.StartAsync(Bus.Address);
        Connection = await DBusConnection.ConnectAsync(Bus.Address);
    }

    [OneTimeTearDown]
    public async Task StopServiceAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
        if (Bus is not null)
        {
            await Bus.DisposeAsync();
        }
    }

    /// <summary>Runs <c>dbusgen COMMAND --address=BUS ARGS…</c>.</summary>
    protected Task<ProcessRunner.Result> DbusgenAsync(string command, params string[] arguments) =>
        InstalledTool.RunAsync([command, "--address=" + Bus.Address, .. arguments]);

    /// <summary>Runs <c>dbusgen COMMAND --address=BUS ARGS…</c> with <paramref name="input"/> on its standard input.</summary>
    protected Task<ProcessRunner.Result> DbusgenWithInputAsync(string input, string command, params string[] arguments) =>
        InstalledTool.RunWithInputAsync(input, [command, "--address=" + Bus.Address, .. arguments]);

    /// <summary>Runs <c>busctl --address=BUS ARGS…</c>: busctl talks to a private bus only through --address.</summary>
    protected Task<ProcessRunner.Result> BusctlAsync(params string[] arguments) =>
        ProcessRunner.RunAsync("busctl", ["--address=" + Bus.Address, .. arguments], Timeout);

    protected static void AssertSucceeded(ProcessRunner.Result result)
    {
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Error, Is.Empty, result.ToString());
    }

    /// <summary>A failure is exactly one line on stderr (no stack trace) and a non-zero exit code.</summary>
    protected static string AssertFailedWithOneLine(ProcessRunner.Result result)
    {
        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Not.Contain("   at "), result.ToString());
        return lines[0];
    }
}
