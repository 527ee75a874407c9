using DBusGen.Tests.Shared;
using DBus.IntegrationTests.Generated;
using DBus.Testing;

namespace DBus.IntegrationTests;

/// <summary>
/// The generated <c>IAllTypesHandler</c>, exported on a private dbus-daemon, answers real peers: busctl,
/// dbus-send, dbus-python and the generated proxy (every type of the mapping through both directions).
/// </summary>
[NonParallelizable]
public class HandlerBusTests
{
    private const string Name = "org.example.AllTypesService";
    private const string ObjectPathText = "/org/example/AllTypes";
    private const string Interface = "org.example.AllTypes";

    private PrivateBus _bus = null!;
    private DBusConnection _service = null!;
    private DBusConnection _client = null!;
    private AllTypesService _impl = null!;
    private IDisposable _export = null!;
    private AllTypesProxy _proxy = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bus = await PrivateBus.StartAsync();
        _service = await DBusConnection.ConnectAsync(_bus.Address);
        _impl = new AllTypesService();
        _export = _service.Export(ObjectPathText, _impl);
        await _service.RequestNameAsync(Name);
        _client = await DBusConnection.ConnectAsync(_bus.Address);
        _proxy = new AllTypesProxy(_client, Name, ObjectPathText);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _export?.Dispose();
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
        if (_bus is not null)
        {
            await _bus.DisposeAsync();
        }
    }

    [Test]
    public async Task BusctlCallsAndIntrospects()
    {
        var call = await RunAsync("busctl", $"--address={_bus.Address}", "call", Name, ObjectPathText, Interface, "Answer", "s", "life");
        Assert.That(call.Output.Trim(), Is.EqualTo("i 42"), call.ToString());
        var arrays = await RunAsync("busctl", $"--address={_bus.Address}", "--", "call", Name, ObjectPathText, Interface, "EchoFixedArrays",
            "ayabanaqaiauaxatadasao", "2", "1", "2", "1", "true", "0", "0", "1", "-5", "0", "0", "0", "1", "2.5", "2", "x", "y", "1", "/p");
        Assert.That(arrays.Output.Trim(), Is.EqualTo("ayabanaqaiauaxatadasao 2 1 2 1 true 0 0 1 -5 0 0 0 1 2.5 2 \"x\" \"y\" 1 \"/p\""), arrays.ToString());
        var introspect = await RunAsync("busctl", $"--address={_bus.Address}", "introspect", Name, ObjectPathText, Interface);
        Assert.That(introspect.Output, Does.Contain(".EchoDicts").And.Contain(".Volume").And.Contain(".Changed"), introspect.ToString());
    }

    [Test]
    public async Task BusctlReadsAndWritesProperties()
    {
        string address = $"--address={_bus.Address}";
        var set = await RunAsync("busctl", address, "set-property", Name, ObjectPathText, Interface, "Volume", "d", "0.75");
        Assert.That(set.ExitCode, Is.Zero, set.ToString());
        Assert.That(_impl.Volume, Is.EqualTo(0.75));
        var get = await RunAsync("busctl", address, "get-property", Name, ObjectPathText, Interface, "Volume", "Title");
        Assert.That(get.Output.Trim().Split('\n'), Is.EqualTo(new[] { "d 0.75", "s \"All types\"" }), get.ToString());
        var all = await RunAsync("busctl", address, "call", Name, ObjectPathText, "org.freedesktop.DBus.Properties", "GetAll", "s", Interface);
        Assert.That(all.Output, Does.StartWith("a{sv} 3 ").And.Contain("\"Title\" s \"All types\"").And.Contain("\"Volume\" d 0.75"), all.ToString());
        var refused = await RunAsync("busctl", address, "--", "set-property", Name, ObjectPathText, Interface, "Volume", "d", "-1");
        Assert.That(refused.ExitCode, Is.Not.Zero);
        Assert.That(refused.Error, Does.Contain("Volume must not be negative"), refused.ToString());
        Assert.That(_impl.Volume, Is.EqualTo(0.75));
    }

    [Test]
    public async Task DBusSendGetsRepliesAndErrors()
    {
        string bus = $"--bus={_bus.Address}";
        var reply = await RunAsync("dbus-send", bus, "--print-reply", $"--dest={Name}", ObjectPathText, Interface + ".Answer", "string:later");
        Assert.That(reply.Output, Does.Contain("int32 43"), reply.ToString());
        var error = await RunAsync("dbus-send", bus, "--print-reply", $"--dest={Name}", ObjectPathText, Interface + ".Answer", "string:refuse");
        Assert.That(error.Error, Does.Contain("org.example.Error.Refused").And.Contain("not that question"), error.ToString());
    }

    [Test]
    public async Task DBusPythonCallsTheService()
    {
        var result = await RunAsync("/usr/bin/python3", "-c", """
            import sys, dbus
            bus = dbus.bus.BusConnection(sys.argv[1])
            obj = bus.get_object(sys.argv[2], sys.argv[3])
            iface = dbus.Interface(obj, 'org.example.AllTypes')
            print(int(iface.Answer('why')))
            sv, ys, xas, deep, structs, keys = iface.EchoDicts(
                dbus.Dictionary({'a': dbus.Int32(1, variant_level=1)}, signature='sv'),
                dbus.Dictionary({dbus.Byte(7): 'seven'}, signature='ys'),
                dbus.Dictionary({dbus.Int64(-3): ['x', 'y']}, signature='xas'),
                dbus.Dictionary({}, signature='oa{sa{sv}}'),
                dbus.Dictionary({dbus.UInt32(9): ('nine', 9.5)}, signature='u(sd)'),
                dbus.Dictionary({dbus.Signature('i'): True}, signature='gb'))
            print(int(sv['a']), str(ys[7]), [str(s) for s in xas[-3]], str(structs[9][0]), float(structs[9][1]), bool(keys['i']))
            props = dbus.Interface(obj, 'org.freedesktop.DBus.Properties')
            props.Set('org.example.AllTypes', 'Secret', 'psst')
            print(str(props.Get('org.example.AllTypes', 'Title')))
            try:
                iface.Answer('refuse')
            except dbus.DBusException as e:
                print(e.get_dbus_name())
            """, _bus.Address, Name, ObjectPathText);
        Assert.That(result.Output.Trim().Split('\n'), Is.EqualTo(new[]
        {
            "42",
            "1 seven ['x', 'y'] nine 9.5 True",
            "All types",
            "org.example.Error.Refused",
        }), result.ToString());
        Assert.That(_impl.LastSecret, Is.EqualTo("psst"));
    }

    [Test]
    public async Task GeneratedProxyRoundTripsEveryType()
    {
        var basics = await _proxy.EchoBasicsAsync(1, true, -2, 3, -4, 5, -6, 7, 8.5, "nine", "/ten", "a{sv}", 11);
        Assert.That(basics, Is.EqualTo(((byte)1, true, (short)-2, (ushort)3, -4, 5u, -6L, 7UL, 8.5, "nine", new ObjectPath("/ten"), new Signature("a{sv}"), (Variant)11)));

        (string, int)[] structs = [("one", 1)];
        var arrays = await _proxy.EchoArraysAsync(["i", ""], [1, "two"], [[1], []], [["a"], []], structs, [("p", [(1, 2)])]);
        Assert.Multiple(() =>
        {
            Assert.That(arrays.Ag, Is.EqualTo(new Signature[] { "i", "" }));
            Assert.That(arrays.Av, Is.EqualTo(new Variant[] { 1, "two" }));
            Assert.That(arrays.Aai, Is.EqualTo(new int[][] { [1], [] }));
            Assert.That(arrays.Structs, Is.EqualTo(structs));
            Assert.That(arrays.Nested[0].Item2, Is.EqualTo(new[] { (1, 2) }));
        });

        var deep = new Dictionary<ObjectPath, Dictionary<string, Dictionary<string, Variant>>> { ["/a"] = new() { ["i.f"] = new() { ["P"] = 1u } } };
        var dicts = await _proxy.EchoDictsAsync(new() { ["k"] = 0.5 }, new() { [1] = "one" }, new() { [-1] = ["x"] }, deep,
            new() { [7] = ("seven", 7.5) }, new() { ["as"] = false });
        Assert.Multiple(() =>
        {
            Assert.That(dicts.Sv["k"], Is.EqualTo((Variant)0.5));
            Assert.That(dicts.Xas[-1], Is.EqualTo(new[] { "x" }));
            Assert.That(dicts.Deep[new ObjectPath("/a")]["i.f"]["P"], Is.EqualTo((Variant)1u));
            Assert.That(dicts.Structs[7], Is.EqualTo(("seven", 7.5)));
        });

        var big = ((byte)1, false, (short)2, (ushort)3, 4, 5u, 6L, 7UL, 8.0, "s", new ObjectPath("/o"), new Signature("g"), (Variant)"v");
        var structsReply = await _proxy.EchoStructsAsync(new ValueTuple<int>(1), ("pair", 2), (("in", 3), new ValueTuple<int[]>([4]), (Variant)5), big);
        Assert.That(structsReply.Big, Is.EqualTo(big));
        Assert.That(structsReply.Nested.Item2.Item1, Is.EqualTo(new[] { 4 }));
    }

    [Test]
    public async Task GeneratedProxyGetsErrorsAsyncRepliesPropertiesAndSignals()
    {
        Assert.That(await _proxy.AnswerAsync("later"), Is.EqualTo(43));
        Assert.That(_impl.LastSender, Is.EqualTo(_client.UniqueName));
        var error = Assert.ThrowsAsync(Is.InstanceOf<DBusException>(), () => _proxy.AnswerAsync("refuse"));
        Assert.That(((DBusException)error!).ErrorName, Is.EqualTo("org.example.Error.Refused"));

        await _proxy.SetTagsAsync(new() { ["k"] = "v" });
        Assert.That(await _proxy.GetTagsAsync(), Is.EqualTo(new Dictionary<string, Variant> { ["k"] = "v" }));
        var all = await _proxy.GetAllPropertiesAsync();
        Assert.That(all.Title, Is.EqualTo("All types"));

        await _proxy.PingAsync(17);
        Assert.That(await _impl.Pinged.Task.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(17u));

        var received = new TaskCompletionSource<(string, Variant)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var counted = new TaskCompletionSource<uint>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (await _proxy.WatchChangedAsync(e => received.TrySetResult(e)))
        using (await _proxy.WatchCountAsync(n => counted.TrySetResult(n)))
        {
            await _service.EmitChangedAsync(ObjectPathText, "volume", 0.5);
            await _service.EmitCountAsync(ObjectPathText, 3, _client.UniqueName);
            Assert.That(await received.Task.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(("volume", (Variant)0.5)));
            Assert.That(await counted.Task.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(3u));
        }
    }

    private static Task<ExternalTool.Result> RunAsync(string file, params string[] arguments) => ExternalTool.RunAsync(file, arguments);
}
