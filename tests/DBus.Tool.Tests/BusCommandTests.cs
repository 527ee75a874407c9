namespace DBus.Tool.Tests;

/// <summary>list, tree, get-property, set-property and emit against the dbus-python service.</summary>
[TestFixture]
public sealed class BusCommandTests : ServiceFixture
{
    [Test]
    public async Task List_shows_the_service_with_its_owner_and_process()
    {
        string owner = await Connection.GetNameOwnerAsync(Service);
        var result = await DbusgenAsync("list");
        AssertSucceeded(result);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "NAME", "PID", "PROCESS", "CONNECTION" }));
        var service = lines.Single(l => l.StartsWith(Service + " ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(service[1], Is.EqualTo((await Connection.GetConnectionUnixProcessIdAsync(Service)).ToString()));
        Assert.That(service[2], Does.StartWith("python3"));
        Assert.That(service[3], Is.EqualTo(owner));
        Assert.That(lines.Any(l => l.StartsWith(Connection.UniqueName + " ", StringComparison.Ordinal)), Is.True, result.Output);
    }

    [Test]
    public async Task Tree_draws_every_object_of_the_service()
    {
        var result = await DbusgenAsync("tree", Service);
        AssertSucceeded(result);
        Assert.That(result.Output, Is.EqualTo("""
            /
            └─ /org
               └─ /org/dbusgen
                  └─ /org/dbusgen/Test
                     └─ /org/dbusgen/Test/Settings

            """));
    }

    [Test]
    public async Task Get_property_prints_each_property_like_busctl()
    {
        string[] words = [Service, SettingsPath, SettingsInterface, "Tags", "Limits", "Volume"];
        var busctl = await BusctlAsync(["get-property", .. words]);
        var ours = await DbusgenAsync("get-property", words);
        AssertSucceeded(ours);
        Assert.That(ours.Output, Is.EqualTo(busctl.Output));
        Assert.That(ours.Output, Is.EqualTo("as 2 \"a\" \"b\"\na{sv} 1 \"max\" u 10\nd 0.25\n"));
    }

    [Test]
    public async Task Get_property_json_equals_busctl_json()
    {
        string[] words = [Service, SettingsPath, SettingsInterface, "Limits"];
        var busctl = await BusctlAsync(["--json=short", "get-property", .. words]);
        var ours = await DbusgenAsync("get-property", ["--json", .. words]);
        AssertSucceeded(ours);
        JsonValues.AssertEqual(busctl.Output, ours.Output);
    }

    [Test]
    public async Task Set_property_changes_the_value_and_the_service_announces_it()
    {
        await using var changes = await Connection.WatchAsync(MatchRule.Parse($"type='signal',path='{SettingsPath}',member='PropertiesChanged'"));
        var set = await DbusgenAsync("set-property", Service, SettingsPath, SettingsInterface, "Name", "s", "set by dbusgen");
        AssertSucceeded(set);

        using var cts = new CancellationTokenSource(Timeout);
        using var signal = await changes.ReceiveAsync(cts.Token);
        var reader = signal.GetBodyReader();
        Assert.That(reader.ReadString(), Is.EqualTo(SettingsInterface));
        var get = await DbusgenAsync("get-property", Service, SettingsPath, SettingsInterface, "Name");
        Assert.That(get.Output, Is.EqualTo("s \"set by dbusgen\"\n"));
    }

    [Test]
    public async Task Set_property_of_a_read_only_property_names_the_error()
    {
        var result = await DbusgenAsync("set-property", Service, SettingsPath, SettingsInterface, "Tags", "as", "1", "x");
        Assert.That(AssertFailedWithOneLine(result), Is.EqualTo("Error org.freedesktop.DBus.Error.PropertyReadOnly: Tags is read-only"));
    }

    [Test]
    public async Task Emit_sends_the_signal_with_its_arguments()
    {
        await using var signals = await Connection.WatchAsync(MatchRule.Parse("type='signal',interface='org.dbusgen.Emitted',member='Changed'"));
        var result = await DbusgenAsync("emit", "/org/dbusgen/Emitter", "org.dbusgen.Emitted", "Changed", "sa{sv}", "level", "1", "value", "d", "0.5");
        AssertSucceeded(result);

        using var cts = new CancellationTokenSource(Timeout);
        using var signal = await signals.ReceiveAsync(cts.Token);
        Assert.That(signal.Path?.ToString(), Is.EqualTo("/org/dbusgen/Emitter"));
        Assert.That(signal.Signature.Value, Is.EqualTo("sa{sv}"));
        var reader = signal.GetBodyReader();
        Assert.That(reader.ReadString(), Is.EqualTo("level"));
        var entries = reader.ReadValue(new Signature("a{sv}")).ToDictionary();
        Assert.That(entries[new Variant("value")].GetVariant().GetDouble(), Is.EqualTo(0.5));
    }

    [Test]
    public async Task Every_command_has_help_with_an_example()
    {
        foreach (string command in new[] { "introspect", "call", "list", "tree", "get-property", "set-property", "emit", "monitor" })
        {
            var result = await InstalledTool.RunAsync(command, "--help");
            AssertSucceeded(result);
            Assert.That(result.Output, Does.Contain("--address").And.Contain("--system").And.Contain("--session"), command);
            int examples = result.Output.IndexOf("Examples:", StringComparison.Ordinal);
            Assert.That(examples, Is.GreaterThan(0), command);
            Assert.That(result.Output[examples..], Does.Contain("dbusgen " + command + " "), command);
        }
    }
}
