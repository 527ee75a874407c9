using System.Collections.Concurrent;
using DBus.Runtime.Tests.Bus;
using DBus.Runtime.Tests.Objects;
using DBus.Testing;

namespace DBus.Runtime.Tests.Proxies;

/// <summary>ProxyObject (dbus-python's get_object) against a dbus-python service and our own server on a private bus.</summary>
[TestFixture]
[NonParallelizable]
public class DynamicProxyTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);
    private PrivateBus _bus = null!;
    private PythonService _service = null!;
    private DBusConnection _connection = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _bus = await PrivateBus.StartAsync();
        _service = await PythonService.StartAsync(_bus.Address, mute: true);
        _connection = await DBusConnection.ConnectAsync(_bus.Address);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _connection.DisposeAsync();
        await _service.DisposeAsync();
        await _bus.DisposeAsync();
    }

    /// <summary>dbus-python's ProxyObjectClass: a proxy type of one's own.</summary>
    private sealed class EchoProxy(ProxyObject proxy) : ProxyObject(proxy)
    {
        public async Task<int> EchoAsync(int value) => (int)(await CallAsync(null, "Echo_i", value))[0].ToObject();
    }

    [Test]
    public async Task Without_introspection_calls_go_with_the_arguments_own_types_or_a_given_signature()
    {
        var proxy = await _connection.GetObjectAsync(PythonService.DefaultName, PythonService.ObjectPath, introspect: false);
        Assert.That((proxy.IsIntrospected, proxy.IntrospectionXml, proxy.Interfaces.Count), Is.EqualTo((false, (string?)null, 0)));
        Assert.That((await proxy.CallAsync(PythonService.Interface, "Echo_i", 42))[0].ToObject(), Is.EqualTo(42));
        Assert.That((await proxy.CallAsync(null, "Echo_as", [new[] { "a", "b" }]))[0].ToObject(), Is.EqualTo(new[] { "a", "b" }));
        var dictionary = await proxy.CallWithSignatureAsync(null, "Echo_asv", "a{sv}", [new Dictionary<string, object> { ["n"] = 1, ["s"] = "text" }]);
        Assert.That(dictionary[0].ToObject(), Is.EqualTo(new Dictionary<string, object?> { ["n"] = 1, ["s"] = "text" }));
        var unclear = Assert.Throws<ArgumentException>(() => proxy.CallAsync(null, "Echo_asv", new Dictionary<string, object>()));
        Assert.That(unclear!.Message, Does.Contain("CallWithSignatureAsync"));
    }

    [Test]
    public async Task An_object_that_does_not_answer_Introspect_still_gets_a_proxy()
    {
        var refused = Assert.CatchAsync<DBusException>(() => _connection.CallAsync(
            MessageWriter.CreateMethodCall(PythonService.DefaultName, "/org/dbusgen/Mute", "org.freedesktop.DBus.Introspectable", "Introspect").ToMessage()));
        Assert.That(refused!.ErrorName, Is.EqualTo(DBusErrorNames.UnknownMethod));

        var proxy = await _connection.GetObjectAsync(PythonService.DefaultName, "/org/dbusgen/Mute");
        Assert.That(proxy.IsIntrospected, Is.False);
        Assert.That((await proxy.CallAsync(PythonService.Interface, "Echo_s", "still here"))[0].ToObject(), Is.EqualTo("still here"));
        Assert.ThrowsAsync<DBusServiceUnknownException>(() => _connection.GetObjectAsync("org.dbusgen.Nobody", "/"));
    }

    [Test]
    public async Task Results_come_as_natural_values_and_a_proxy_type_of_ones_own_plugs_in()
    {
        var proxy = await ProxyObject.CreateAsync(_connection, PythonService.DefaultName, PythonService.ObjectPath, p => new EchoProxy(p));
        Assert.That(await proxy.EchoAsync(7), Is.EqualTo(7));
        Assert.That(proxy.IsIntrospected, Is.True);

        var tuple = (await proxy.CallAsync(null, "Echo_struct", (5, "five", new Variant(5.5))))[0].ToObject();
        Assert.That(tuple, Is.EqualTo((object)((object)5, (object)"five", (object)5.5)));
        var nested = (await proxy.CallAsync(null, "Echo_nested", new Dictionary<string, object> { ["k"] = new[] { (1, new Variant("x")) } }))[0].ToObject();
        var entry = ((Dictionary<string, object?>)nested)["k"];
        Assert.That(entry, Is.EqualTo(new object[] { ((object)1, (object)"x") }));
        Assert.That((await proxy.CallAsync(null, "Echo_ay", new byte[] { 1, 2 }))[0].ToObject(), Is.EqualTo(new byte[] { 1, 2 }));
        Assert.That((await proxy.CallAsync(null, "Echo_o", "/a/b"))[0].ToObject(), Is.EqualTo(new ObjectPath("/a/b")));
    }

    [Test]
    public async Task Signals_arrive_by_callback_and_stream_from_the_owner_of_the_name_only()
    {
        await using var other = await PythonService.StartAsync(_bus.Address, "org.dbusgen.OtherService");
        var proxy = await _connection.GetObjectAsync(PythonService.DefaultName, PythonService.ObjectPath);
        var received = new BlockingCollection<ProxySignal>();
        await using var subscription = await proxy.ConnectToSignalAsync(null, "Pinged", received.Add);
        await using var stream = await proxy.WatchSignalAsync(PythonService.Interface, "Pinged");

        await _connection.CallAsync(WithString(PythonService.Call("Emit", "s", "org.dbusgen.OtherService"), "from the other"), static _ => 0);
        await _connection.CallAsync(WithString(PythonService.Call("Emit", "s"), "hello"), static _ => 0);

        Assert.That(received.TryTake(out var signal, s_timeout), Is.True);
        Assert.That((signal!.Sender, signal.Interface, signal.Member, signal.Arguments[0].ToObject()),
            Is.EqualTo((_service.UniqueName, PythonService.Interface, "Pinged", (object)"hello")), "the other service's signal was not delivered");
        using var timeout = new CancellationTokenSource(s_timeout);
        await using var enumerator = stream.GetAsyncEnumerator(timeout.Token);
        Assert.That(await enumerator.MoveNextAsync(), Is.True);
        Assert.That((enumerator.Current.Sender, enumerator.Current.Arguments[0].GetString()), Is.EqualTo((_service.UniqueName, "hello")));
        Assert.That(received, Is.Empty);
    }

    [Test]
    public async Task Properties_are_read_written_and_watched_typed_from_introspection()
    {
        await using var server = await DBusConnection.ConnectAsync(_bus.Address);
        var calculator = new CalculatorHandler();
        using var export = server.Export("/calc", calculator);
        var proxy = await _connection.GetObjectAsync(server.UniqueName, "/calc");

        Assert.That((await proxy.GetPropertyAsync(null, "Count")).ToObject(), Is.EqualTo(7));
        var changes = new BlockingCollection<ProxyPropertiesChanged>();
        await using var watch = await proxy.WatchPropertiesChangedAsync(changes.Add);

        await proxy.SetPropertyAsync(null, "Count", 12L);   // a long converted to the declared 'i'
        Assert.That(calculator.Count, Is.EqualTo(12));
        var wrong = Assert.Throws<ArgumentException>(() => proxy.SetPropertyAsync(null, "Count", "twelve"));
        Assert.That(wrong!.Message, Does.Contain("'i'"));

        var all = await proxy.GetAllPropertiesAsync(CalculatorHandler.Name);
        Assert.That((all["Count"].ToObject(), all["Label"].ToObject()), Is.EqualTo(((object)12, (object)"calc")));

        Assert.That(server.EmitPropertiesChanged("/calc", calculator, "Count", "Label"), Is.True);
        Assert.That(changes.TryTake(out var change, s_timeout), Is.True);
        Assert.That((change!.InterfaceName, change.Changed["Count"].ToObject(), change.Invalidated),
            Is.EqualTo((CalculatorHandler.Name, (object)12, new[] { "Label" })));

        var untyped = await _connection.GetObjectAsync(server.UniqueName, "/calc", introspect: false);
        Assert.That((await untyped.GetPropertyAsync(CalculatorHandler.Name, "Label")).ToObject(), Is.EqualTo("calc"));
        Assert.ThrowsAsync<ArgumentException>(() => untyped.GetPropertyAsync(null, "Label"));
    }

    [Test]
    public async Task Property_values_that_contradict_the_introspected_type_are_refused()
    {
        // A raw peer (Jeepney style, on a MessageStream) that declares Count as 's' and sends an 'i'.
        await using var liar = await MessageStream.ConnectAsync(_bus.Address);
        uint hello = await liar.SendAsync(MessageWriter.CreateMethodCall("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello").ToMessage());
        string liarName;
        using (var welcome = await Task.Run(() => liar.ReceiveUntil(m => m.ReplySerial == hello, s_timeout)))
        {
            liarName = welcome.GetBodyReader().ReadString();
        }
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var call = await liar.ReceiveAsync(stop.Token);
                if (call.Type != MessageType.MethodCall)
                {
                    continue;
                }
                MessageWriter reply;
                switch (call.Member)
                {
                    case "Introspect":
                        reply = MessageWriter.CreateMethodReturn(call, "s");
                        reply.WriteString("<node><interface name=\"org.example.Liar\"><property name=\"Count\" type=\"s\" access=\"read\"/></interface></node>");
                        break;
                    case "Get":
                        reply = MessageWriter.CreateMethodReturn(call, "v");
                        reply.WriteVariant(5);
                        break;
                    default:
                        reply = MessageWriter.CreateMethodReturn(call, "a{sv}");
                        reply.WriteDictionary([new("Count", 5)]);
                        break;
                }
                await liar.SendAsync(reply.ToMessage());
            }
        });

        var proxy = await _connection.GetObjectAsync(liarName, "/liar");
        var get = Assert.ThrowsAsync<DBusException>(() => proxy.GetPropertyAsync(null, "Count"));
        Assert.That(get!.ErrorName, Is.EqualTo(DBusErrorNames.InvalidSignature));
        Assert.That(get.Message, Does.Contain("declared 's'").And.Contain("sent a 'i'"));
        var all = Assert.ThrowsAsync<DBusException>(() => proxy.GetAllPropertiesAsync("org.example.Liar"));
        Assert.That(all!.ErrorName, Is.EqualTo(DBusErrorNames.InvalidSignature));

        var failures = new BlockingCollection<Exception>();
        void OnFailed(DBusConnection _, Exception e) => failures.Add(e);
        _connection.CallbackFailed += OnFailed;
        int delivered = 0;
        await using var watch = await proxy.WatchPropertiesChangedAsync(_ => Interlocked.Increment(ref delivered));
        var changed = MessageWriter.CreateSignal("/liar", "org.freedesktop.DBus.Properties", "PropertiesChanged", "sa{sv}as");
        changed.WriteString("org.example.Liar");
        changed.WriteDictionary([new("Count", 6)]);
        changed.WriteArray(ReadOnlySpan<string>.Empty);
        await liar.SendAsync(changed.ToMessage());
        Assert.That(failures.TryTake(out var failure, s_timeout), Is.True);
        Assert.That(failure, Is.InstanceOf<DBusException>().And.Message.Contains("declared 's'"));
        Assert.That(delivered, Is.Zero);
        _connection.CallbackFailed -= OnFailed;

        stop.Cancel();
        Assert.CatchAsync<OperationCanceledException>(() => serving);
    }

    private static Message WithString(Message call, string value)
    {
        var writer = MessageWriter.Create(MessageHeaderFields.From(call));
        call.Dispose();
        writer.WriteString(value);
        return writer.ToMessage();
    }
}
