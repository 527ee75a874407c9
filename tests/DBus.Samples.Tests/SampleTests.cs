using DBus.Testing;
using DBusGen.Tests.Shared;

namespace DBus.Samples.Tests;

/// <summary>Each sample, run as its comment tells a user to run it, against a private bus.</summary>
public class SampleTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private PrivateBus _bus = null!;

    [OneTimeSetUp]
    public async Task StartBusAsync() => _bus = await PrivateBus.StartAsync();

    [OneTimeTearDown]
    public async Task StopBusAsync() => await _bus.DisposeAsync();

    private Dictionary<string, string> SessionBus => new() { ["DBUS_SESSION_BUS_ADDRESS"] = _bus.UnixAddress };

    private static string Sample(string name) =>
        Path.Combine(RepositoryPaths.Root, "samples", name, "bin", Configuration, "net10.0", name + ".dll");

    private static Task<DotNetCli.Result> RunSampleAsync(string name, IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
        DotNetCli.RunAsync(RepositoryPaths.Root, [Sample(name), .. arguments], environment, TimeSpan.FromMinutes(1));

    [Test]
    public async Task Quickstart_uses_the_session_bus_and_calls_its_own_service()
    {
        var run = (await RunSampleAsync("Quickstart", SessionBus)).AssertSuccess();
        Assert.That(run.Output, Does.Contain("Connected to the session bus.")
            .And.Contain("Greet(\"world\") -> \"Hello, world!\"")
            .And.Contain("Signal Greeted(\"world\") received")
            .And.Contain("Greeting set to \"Howdy\"; Greet(\"again\") -> \"Howdy, again!\"")
            .And.Contain("GetNameOwner(org.dbusgen.Quickstart) -> :"), run.ToString());
    }

    [Test]
    public async Task Notifications_sends_a_notification_to_a_dbus_python_notification_server_with_blocking_calls()
    {
        string script = Path.Combine(RepositoryPaths.Root, "tests", "peers", "notification_service.py");
        await using var server = RunningProgram.Start(ExternalTool.Python, script, _bus.UnixAddress);
        await server.WaitForLineAsync(l => l == "READY", "READY from the notification server");

        var run = (await RunSampleAsync("Notifications", SessionBus, "Build finished", "All tests passed")).AssertSuccess();
        string notify = await server.WaitForLineAsync(l => l.StartsWith("NOTIFY ", StringComparison.Ordinal), "Notify call");
        await server.StopAsync();

        Assert.Multiple(() =>
        {
            Assert.That(run.Output, Does.Contain("Notification server: fake-notifications 1.0 by dbusgen-tests (spec 1.2)")
                .And.Contain("Notification sent: id 1"), run.ToString());
            Assert.That(notify, Is.EqualTo("NOTIFY dbusgen-sample|0|dialog-information|Build finished|All tests passed|1|5000"));
        });
    }

    [Test]
    public async Task DeviceService_serves_properties_and_an_object_manager_that_gdbus_can_use()
    {
        string address = _bus.UnixAddress;
        await using var service = RunningProgram.Start(DotNetCli.Executable, Sample("DeviceService"), address);
        await service.WaitForLineAsync(l => l.StartsWith("Serving org.dbusgen.Samples.Lights", StringComparison.Ordinal), "the service's start line");

        var managed = await Gdbus(address, "/org/dbusgen/Samples", "org.freedesktop.DBus.ObjectManager.GetManagedObjects");
        Assert.That(managed.Output, Does.Contain("'/org/dbusgen/Samples/Lamps/desk'")
            .And.Contain("'/org/dbusgen/Samples/Lamps/ceiling'")
            .And.Contain("'Name': <'desk'>").And.Contain("'Brightness': <uint32 50>"), managed.ToString());

        await Gdbus(address, "/org/dbusgen/Samples/Lamps/desk", "org.freedesktop.DBus.Properties.Set",
            "org.dbusgen.Samples.Device", "Brightness", "<uint32 80>");
        await service.WaitForLineAsync(l => l == "desk: Brightness = 80", "the handler's Set");
        var refused = await ExternalTool.RunAsync("gdbus", "call", "--address", address, "--dest", "org.dbusgen.Samples.Lights",
            "--object-path", "/org/dbusgen/Samples/Lamps/desk", "--method", "org.freedesktop.DBus.Properties.Set",
            "org.dbusgen.Samples.Device", "Brightness", "<uint32 101>");
        Assert.That(refused.Error, Does.Contain("InvalidArgs").And.Contain("brightness is 0 to 100, not 101"), refused.ToString());

        var toggled = await Gdbus(address, "/org/dbusgen/Samples/Lamps/desk", "org.dbusgen.Samples.Device.Toggle");
        Assert.That(toggled.Output.Trim(), Is.EqualTo("(false,)"));

        await service.WriteLineAsync("");
        await service.WaitForLineAsync(l => l == "Added /org/dbusgen/Samples/Lamps/lamp3", "the added lamp");
        managed = await Gdbus(address, "/org/dbusgen/Samples", "org.freedesktop.DBus.ObjectManager.GetManagedObjects");
        Assert.That(managed.Output, Does.Contain("'/org/dbusgen/Samples/Lamps/lamp3'")
            .And.Contain("'Brightness': <uint32 0>"), managed.ToString());

        await service.WriteLineAsync("quit");
        Assert.That(await service.StopAsync(), Is.Zero, service.Output);
    }

    [Test]
    public async Task PeerToPeer_client_calls_the_server_process_directly_and_gets_its_signal()
    {
        await using var server = RunningProgram.Start(DotNetCli.Executable, Sample("PeerToPeer"), "serve");
        string listening = await server.WaitForLineAsync(l => l.StartsWith("Listening on ", StringComparison.Ordinal), "the server's address");
        string address = listening["Listening on ".Length..];

        var run = (await RunSampleAsync("PeerToPeer", null, "call", address, "hello, peer")).AssertSuccess();
        await server.WaitForLineAsync(l => l == "Client said: hello, peer", "the server's log of the call");
        Assert.That(run.Output, Does.Contain("Answer: You said 'hello, peer' (11 characters)")
            .And.Contain("Signal Said from server: hello, peer"), run.ToString());
        Assert.That(await server.StopAsync(), Is.Zero, server.Output);
    }

    [Test]
    public async Task JeepneyStyle_sends_generated_messages_over_a_raw_stream_and_reads_the_replies()
    {
        var run = (await RunSampleAsync("JeepneyStyle", null, _bus.UnixAddress)).AssertSuccess();
        Assert.That(run.Output, Does.Match(@"Hello -> :1\.\d+")
            .And.Contain("(not our reply: Signal org.freedesktop.DBus.NameAcquired)")
            .And.Match(@"GetId -> [0-9a-f]{32}")
            .And.Contain("GetNameOwner(org.freedesktop.DBus) -> org.freedesktop.DBus")
            .And.Contain("including mine: True"), run.ToString());
    }

    private static async Task<ExternalTool.Result> Gdbus(string address, string path, string method, params string[] arguments)
    {
        var result = await ExternalTool.RunAsync("gdbus",
            ["call", "--address", address, "--dest", "org.dbusgen.Samples.Lights", "--object-path", path, "--method", method, .. arguments]);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        return result;
    }
}
