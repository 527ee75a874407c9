using DBus.Testing;

namespace DBus.Runtime.Tests.Bus;

/// <summary>DBusConnection against a real dbus-daemon and real peers (dbus-python, gdbus, busctl).</summary>
[TestFixture]
[NonParallelizable]
public class BusConnectionTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);
    private PrivateBus _bus = null!;
    private PythonService _service = null!;

    [OneTimeSetUp]
    public async Task StartBus()
    {
        _bus = await PrivateBus.StartAsync();
        _service = await PythonService.StartAsync(_bus.Address);
    }

    [OneTimeTearDown]
    public async Task StopBus()
    {
        await _service.DisposeAsync();
        await _bus.DisposeAsync();
    }

    [Test]
    public async Task Hello_gives_a_unique_name_the_bus_lists()
    {
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        Assert.That(connection.UniqueName, Does.Match(@"^:1\.\d+$"));
        var names = await connection.ListNamesAsync();
        Assert.That(names, Does.Contain(connection.UniqueName).And.Contain("org.freedesktop.DBus"));
        Assert.That(connection.ServerGuid, Is.EqualTo(DBusAddress.ParseList(_bus.Address)[0].Guid));
        Assert.That(await connection.GetBusIdAsync(), Does.Match("^[0-9a-f]{32}$"));
        Assert.That(connection.PeerCredentials?.ProcessId, Is.EqualTo(_bus.ProcessId));
        Assert.That(await connection.GetConnectionUnixProcessIdAsync(connection.UniqueName!), Is.EqualTo((uint)Environment.ProcessId));
        var credentials = await connection.GetConnectionCredentialsAsync(connection.UniqueName!);
        Assert.That(credentials["ProcessID"].GetUInt32(), Is.EqualTo((uint)Environment.ProcessId));
    }

    [Test]
    public async Task RequestName_gives_all_four_answers_and_queued_owners_take_over_on_release()
    {
        await using var first = await DBusConnection.ConnectAsync(_bus.Address);
        await using var second = await DBusConnection.ConnectAsync(_bus.Address);
        const string name = "org.dbusgen.Contested";
        Assert.That(await first.RequestNameAsync(name), Is.EqualTo(RequestNameReply.PrimaryOwner));
        Assert.That(await first.RequestNameAsync(name), Is.EqualTo(RequestNameReply.AlreadyOwner));
        Assert.That(await second.RequestNameAsync(name, RequestNameFlags.DoNotQueue), Is.EqualTo(RequestNameReply.Exists));
        Assert.That(await second.RequestNameAsync(name), Is.EqualTo(RequestNameReply.InQueue));
        Assert.That(await first.ListQueuedOwnersAsync(name), Is.EqualTo(new[] { first.UniqueName, second.UniqueName }));
        Assert.That(await second.ReleaseNameAsync("org.dbusgen.Nobody"), Is.EqualTo(ReleaseNameReply.NonExistent));
        Assert.That(await first.ReleaseNameAsync(name), Is.EqualTo(ReleaseNameReply.Released));
        Assert.That(await first.GetNameOwnerAsync(name), Is.EqualTo(second.UniqueName));
        Assert.That(await first.ReleaseNameAsync(name), Is.EqualTo(ReleaseNameReply.NotOwner));
        Assert.That(await first.NameHasOwnerAsync(name), Is.True);
        Assert.ThrowsAsync<DBusNameHasNoOwnerException>(() => first.GetNameOwnerAsync("org.dbusgen.Nobody"));
    }

    [Test]
    public async Task A_call_to_a_name_nobody_owns_fails_with_ServiceUnknown()
    {
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        Assert.ThrowsAsync<DBusServiceUnknownException>(() => connection.CallAsync(PythonService.Call("Quit", destination: "org.dbusgen.Nobody")));
    }

    private static IEnumerable<TestCaseData> EveryType()
    {
        var v = new Variant("in a variant");
        yield return new TestCaseData("y", new Variant((byte)200));
        yield return new TestCaseData("b", new Variant(true));
        yield return new TestCaseData("n", new Variant((short)-12345));
        yield return new TestCaseData("q", new Variant((ushort)54321));
        yield return new TestCaseData("i", new Variant(-123456789));
        yield return new TestCaseData("u", new Variant(4000000000u));
        yield return new TestCaseData("x", new Variant(long.MinValue));
        yield return new TestCaseData("t", new Variant(ulong.MaxValue));
        yield return new TestCaseData("d", new Variant(-1.5e300));
        yield return new TestCaseData("s", new Variant("grüße ☃"));
        yield return new TestCaseData("o", new Variant(new ObjectPath("/a/b_c/D9")));
        yield return new TestCaseData("g", new Variant(new Signature("a{sv}(ii)")));
        yield return new TestCaseData("v", Variant.FromVariant(v));
        yield return new TestCaseData("ai", Variant.CreateArray(new Signature("i"), [1, -2, int.MaxValue]));
        yield return new TestCaseData("ay", new Variant(new byte[] { 0, 1, 255 }));
        yield return new TestCaseData("as", new Variant(new[] { "a", "", "c" }));
        yield return new TestCaseData("ao", Variant.CreateArray(new Signature("o"), [new ObjectPath("/"), new ObjectPath("/x")]));
        yield return new TestCaseData("ad", Variant.CreateArray(new Signature("d"), [0.5, -0.25]));
        yield return new TestCaseData("ax", Variant.CreateArray(new Signature("x"), [long.MaxValue, 0L]));
        yield return new TestCaseData("ab", Variant.CreateArray(new Signature("b"), [true, false]));
        yield return new TestCaseData("asv", Variant.CreateDictionary([new("one", 1), new("two", "zwei")]));
        yield return new TestCaseData("ais", Variant.CreateDictionary(new Signature("i"), new Signature("s"), [new(1, "a"), new(-7, "b")]));
        yield return new TestCaseData("aai", Variant.CreateArray(new Signature("ai"), [Variant.CreateArray(new Signature("i"), [1, 2]), Variant.CreateArray(new Signature("i"), [])]));
        yield return new TestCaseData("struct", Variant.CreateStruct(7, "seven", Variant.FromVariant(7.0)));
        yield return new TestCaseData("astruct", Variant.CreateArray(new Signature("(sv)"), [Variant.CreateStruct("k", Variant.FromVariant(true))]));
        yield return new TestCaseData("nested", Variant.CreateDictionary(new Signature("s"), new Signature("a(iv)"),
            [new("key", Variant.CreateArray(new Signature("(iv)"), [Variant.CreateStruct(1, Variant.FromVariant("x"))]))]));
        yield return new TestCaseData("aav", Variant.CreateArray(new Signature("av"), [Variant.CreateArray(new Signature("v"), [Variant.FromVariant(1), Variant.FromVariant("s")])]));
        yield return new TestCaseData("tuple3", Variant.CreateStruct((byte)1, false, (short)-3));
        yield return new TestCaseData("deep", Variant.CreateStruct(1, Variant.CreateStruct("s", Variant.CreateStruct(2.5, Variant.CreateStruct(new ObjectPath("/deep"))))));
    }

    [TestCaseSource(nameof(EveryType))]
    public async Task Every_type_round_trips_through_the_dbus_python_service(string suffix, Variant value)
    {
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        var writer = MessageWriter.CreateMethodCall(PythonService.DefaultName, PythonService.ObjectPath, PythonService.Interface, "Echo_" + suffix, value.Signature);
        writer.WriteValue(value);
        var echoed = await connection.CallAsync(writer.ToMessage(), reply =>
        {
            Assert.That(reply.Signature, Is.EqualTo(value.Signature));
            return reply.GetBodyReader().ReadValue(value.Signature);
        }).WaitAsync(s_timeout);
        Assert.That(echoed, Is.EqualTo(value));
    }

    [Test]
    public async Task An_error_raised_by_the_service_arrives_typed_with_its_text()
    {
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        var writer = MessageWriter.CreateMethodCall(PythonService.DefaultName, PythonService.ObjectPath, PythonService.Interface, "Raise", new Signature("ss"));
        writer.WriteString(DBusErrorNames.InvalidArgs);
        writer.WriteString("bad argument, says python");
        var call = writer.ToMessage();
        var e = Assert.ThrowsAsync<DBusInvalidArgsException>(() => connection.CallAsync(call).WaitAsync(s_timeout));
        Assert.That(e!.ErrorMessage, Is.EqualTo("bad argument, says python"));
    }

    [Test]
    public async Task A_slow_service_makes_the_call_time_out()
    {
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        var writer = MessageWriter.CreateMethodCall(PythonService.DefaultName, PythonService.ObjectPath, PythonService.Interface, "Sleep", new Signature("d"));
        writer.WriteDouble(2);
        var call = writer.ToMessage();
        Assert.ThrowsAsync<DBusNoReplyException>(() => connection.CallAsync(call, TimeSpan.FromMilliseconds(300)).WaitAsync(s_timeout));
    }

    [Test]
    public async Task Descriptors_go_both_ways_through_the_daemon()
    {
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address, new DBusConnectionOptions { EnableFds = true });
        Assert.That(connection.UnixFdsEnabled, Is.True);

        // Ours to python: it reads the file behind the descriptor and returns the text.
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "from C#");
            var call = MessageWriter.CreateMethodCall(PythonService.DefaultName, PythonService.ObjectPath, PythonService.Interface, "ReadFd", new Signature("h"));
            using (var file = File.OpenHandle(path))
            {
                call.WriteUnixFd(file);
            }
            Assert.That(await connection.CallAsync(call.ToMessage(), m => m.GetBodyReader().ReadString()).WaitAsync(s_timeout), Is.EqualTo("from C#"));
        }
        finally
        {
            File.Delete(path);
        }

        // Python's to us: a pipe with text in it.
        var make = MessageWriter.CreateMethodCall(PythonService.DefaultName, PythonService.ObjectPath, PythonService.Interface, "MakePipe", new Signature("s"));
        make.WriteString("from python");
        using var fd = await connection.CallAsync(make.ToMessage(), m => m.GetBodyReader().ReadUnixFd()).WaitAsync(s_timeout);
        using var reader = new StreamReader(fd.ToStream(FileAccess.Read));
        Assert.That(await reader.ReadToEndAsync(), Is.EqualTo("from python"));
    }

    [Test]
    public async Task Signals_from_a_well_known_name_follow_it_to_its_next_owner()
    {
        const string name = "org.dbusgen.Restarting";
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        var received = new System.Collections.Concurrent.BlockingCollection<(string Sender, string Value)>();
        await using var subscription = await connection.AddSignalReceiverAsync(
            new MatchRule { Sender = name, Interface = PythonService.Interface, Member = "Pinged" },
            s => received.Add((s.Sender!, s.GetBodyReader().ReadString())));

        string firstOwner;
        await using (var first = await PythonService.StartAsync(_bus.Address, name))
        {
            firstOwner = first.UniqueName;
            await EmitAsync(connection, name, "one");
            Assert.That(received.TryTake(out var signal, s_timeout), Is.True);
            Assert.That(signal, Is.EqualTo((firstOwner, "one")));
        }
        await using var second = await PythonService.StartAsync(_bus.Address, name);
        Assert.That(second.UniqueName, Is.Not.EqualTo(firstOwner));
        await EmitAsync(connection, name, "two");
        Assert.That(received.TryTake(out var next, s_timeout), Is.True);
        Assert.That(next, Is.EqualTo((second.UniqueName, "two")));

        // The shared service (another owner) emitting the same signal does not match the rule's sender.
        await EmitAsync(connection, PythonService.DefaultName, "other");
        await EmitAsync(connection, name, "three");
        Assert.That(received.TryTake(out var third, s_timeout), Is.True);
        Assert.That(third.Value, Is.EqualTo("three"));
    }

    private static async Task EmitAsync(DBusConnection connection, string destination, string value)
    {
        var writer = MessageWriter.CreateMethodCall(destination, PythonService.ObjectPath, PythonService.Interface, "Emit", new Signature("s"));
        writer.WriteString(value);
        using var reply = await connection.CallAsync(writer.ToMessage()).WaitAsync(s_timeout);
    }

    [Test]
    public async Task Identical_rules_share_one_AddMatch_and_the_last_user_removes_it()
    {
        await using var monitor = await DBusConnection.ConnectAsync(_bus.Address);
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        var seen = new System.Collections.Concurrent.BlockingCollection<string>();
        monitor.AddMessageFilter((_, m) =>
        {
            if (m.Type == MessageType.MethodCall && m.Sender == connection.UniqueName && m.Member is "AddMatch" or "RemoveMatch")
            {
                seen.Add(m.Member + " " + m.GetBodyReader().ReadString());
            }
            return MessageFilterResult.Handled;
        });
        await monitor.BecomeMonitorAsync([]);

        var rule = new MatchRule { Interface = "org.dbusgen.Nothing", Member = "Never" };
        var a = await connection.AddSignalReceiverAsync(rule, _ => { });
        var b = await connection.AddSignalReceiverAsync(rule, _ => { });
        a.Dispose();
        b.Dispose();
        await connection.FlushAsync();
        Assert.That(seen.TryTake(out var first, s_timeout), Is.True);
        Assert.That(seen.TryTake(out var second, s_timeout), Is.True);
        Assert.That((first, second), Is.EqualTo(("AddMatch type='signal',interface='org.dbusgen.Nothing',member='Never'", "RemoveMatch type='signal',interface='org.dbusgen.Nothing',member='Never'")));
        Assert.That(seen.TryTake(out var extra, TimeSpan.FromMilliseconds(300)), Is.False, extra);
    }

    [Test]
    public async Task A_signal_sent_by_dbus_send_reaches_a_receiver()
    {
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        var received = new TaskCompletionSource<(string Path, string Value)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await connection.AddSignalReceiverAsync(
            new MatchRule { Interface = "org.dbusgen.Gdbus", Member = "Hello" },
            s => received.TrySetResult((s.Path.ToString(), s.GetBodyReader().ReadString())));
        // (gdbus emit --address speaks peer-to-peer, without Hello, so the bus would drop it: dbus-send is the bus client.)
        var result = await Tools.RunAsync("dbus-send", "--bus=" + _bus.Address, "--type=signal", "/from/gdbus", "org.dbusgen.Gdbus.Hello", "string:hi there");
        Assert.That(result.ExitCode, Is.Zero, result.Output);
        Assert.That(await received.Task.WaitAsync(s_timeout), Is.EqualTo(("/from/gdbus", "hi there")));
    }

    [Test]
    public async Task Busctl_can_ping_our_connection()
    {
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        var result = await Tools.RunAsync("busctl", "--address=" + _bus.Address, "call", connection.UniqueName!, "/", "org.freedesktop.DBus.Peer", "GetMachineId");
        Assert.That(result.ExitCode, Is.Zero, result.Output);
        Assert.That(result.Output.Trim(), Does.Match("^s \"[0-9a-f]{32}\"$"));
    }

    [Test]
    public async Task A_daemon_killed_mid_call_fails_the_call_at_once()
    {
        await using var bus = await PrivateBus.StartAsync();
        await using var service = await PythonService.StartAsync(bus.Address);
        await using var connection = await DBusConnection.ConnectAsync(bus.Address);
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.CallOnDisconnection((_, _) => disconnected.TrySetResult());
        var writer = MessageWriter.CreateMethodCall(PythonService.DefaultName, PythonService.ObjectPath, PythonService.Interface, "Sleep", new Signature("d"));
        writer.WriteDouble(30);
        var call = connection.CallAsync(writer.ToMessage(), Timeout.InfiniteTimeSpan);
        await connection.FlushAsync();
        bus.Kill();
        Assert.ThrowsAsync<DBusDisconnectedException>(() => call.WaitAsync(s_timeout));
        await disconnected.Task.WaitAsync(s_timeout);
        Assert.That(connection.IsConnected, Is.False);
    }

    [Test]
    public async Task GetObject_builds_an_untyped_proxy_from_live_introspection()
    {
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        var proxy = await connection.GetObjectAsync(PythonService.DefaultName, PythonService.ObjectPath);
        var test = proxy.Interfaces.Single(i => i.Name == PythonService.Interface);
        Assert.That(test.Methods.Single(m => m.Name == "Echo_asv").InSignature.Value, Is.EqualTo("a{sv}"));

        Assert.That(await proxy.CallAsync(null, "Echo_i", 42), Is.EqualTo(new[] { new Variant(42) }));
        Assert.That(await proxy.CallAsync(PythonService.Interface, "Echo_u", 7), Is.EqualTo(new[] { new Variant(7u) }));
        var dictionary = await proxy.CallAsync(null, "Echo_asv", new Dictionary<string, object> { ["n"] = 1, ["s"] = "text" });
        Assert.That(dictionary[0], Is.EqualTo(Variant.CreateDictionary([new("n", 1), new("s", "text")])));
        var tuple = await proxy.CallAsync(null, "Echo_struct", (5, "five", new Variant(5.5)));
        Assert.That(tuple[0], Is.EqualTo(Variant.CreateStruct(5, "five", Variant.FromVariant(5.5))));
        var list = await proxy.CallAsync(null, "Echo_as", new List<string> { "a", "b" });
        Assert.That(list[0].GetStringArray(), Is.EqualTo(new[] { "a", "b" }));

        var wrongCount = Assert.Throws<ArgumentException>(() => proxy.CallAsync(null, "Echo_i", 1, 2));
        Assert.That(wrongCount!.Message, Does.Contain("takes 1 argument"));
        var wrongType = Assert.Throws<ArgumentException>(() => proxy.CallAsync(null, "Echo_i", "not a number"));
        Assert.That(wrongType!.Message, Does.Contain("'i'"));
        Assert.Throws<ArgumentException>(() => proxy.CallAsync(null, "NoSuchMethod"));
    }

    [Test]
    public async Task The_README_connection_example_works()
    {
        var privateBus = _bus;
        var changes = new System.Collections.Concurrent.BlockingCollection<string>();
        // As in README.md, "Connect to a bus, call a method, receive signals".
        await using var bus = await DBusConnection.ConnectAsync(privateBus.Address);
        string[] names = await bus.ListNamesAsync();

        var call = MessageWriter.CreateMethodCall("org.freedesktop.DBus", "/org/freedesktop/DBus",
            "org.freedesktop.DBus", "GetNameOwner", "s");
        call.WriteString("org.freedesktop.DBus");
        string owner = await bus.CallAsync(call.ToMessage(), reply => reply.GetBodyReader().ReadString());

        await using var subscription = await bus.AddSignalReceiverAsync(
            new MatchRule { Interface = "org.freedesktop.DBus", Member = "NameOwnerChanged" },
            signal => changes.Add($"{signal.Member}: {signal.GetBodyReader().ReadString()}"));

        Assert.That(names, Does.Contain("org.freedesktop.DBus"));
        Assert.That(owner, Is.EqualTo("org.freedesktop.DBus"));
        await using var newcomer = await DBusConnection.ConnectAsync(privateBus.Address);
        Assert.That(changes.TryTake(out var change, s_timeout), Is.True);
        Assert.That(change, Is.EqualTo("NameOwnerChanged: " + newcomer.UniqueName));
    }

    [Test]
    public async Task Gdbus_calls_reach_our_connection_and_its_signals_reach_us()
    {
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        var session = new Dictionary<string, string> { ["DBUS_SESSION_BUS_ADDRESS"] = _bus.Address };
        var ping = await Tools.RunWithEnvironmentAsync("gdbus", session, "call", "--session", "--dest", connection.UniqueName!,
            "--object-path", "/any", "--method", "org.freedesktop.DBus.Peer.Ping");
        Assert.That(ping, Is.EqualTo((0, "()\n")));

        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await connection.AddSignalReceiverAsync(
            new MatchRule { Interface = "org.dbusgen.Gdbus", Member = "Hello" },
            s => received.TrySetResult(s.Sender + " " + s.GetBodyReader().ReadString()));
        var emit = await Tools.RunWithEnvironmentAsync("gdbus", session, "emit", "--session", "--object-path", "/from/gdbus",
            "--signal", "org.dbusgen.Gdbus.Hello", "'hi there'");
        Assert.That(emit.ExitCode, Is.Zero, emit.Output);
        Assert.That(await received.Task.WaitAsync(s_timeout), Does.Match(@"^:1\.\d+ hi there$"));
    }
}
