using DBus.Runtime.Tests.Connection;

namespace DBus.Runtime.Tests.Objects;

[TestFixture]
public class SignalEmissionTests
{
    private static readonly TimeSpan s_timeout = PeerPair.Timeout;

    /// <summary>The signals a client receives, in order; each can be awaited by index.</summary>
    private sealed class SignalLog
    {
        private readonly List<TaskCompletionSource<Message>> _slots = [];
        private int _received;

        public SignalLog(DBusConnection client) => client.AddMessageFilter((_, m) =>
        {
            if (m.Type == MessageType.Signal)
            {
                Slot(Interlocked.Increment(ref _received) - 1).TrySetResult(m.AddReference());
            }
            return MessageFilterResult.NotHandled;
        });

        public int Count => Volatile.Read(ref _received);

        /// <summary>The signal number <paramref name="index"/> (from 0), once it arrived.</summary>
        public Task<Message> NextAsync(int index) => Slot(index).Task.WaitAsync(s_timeout);

        private TaskCompletionSource<Message> Slot(int index)
        {
            lock (_slots)
            {
                while (_slots.Count <= index)
                {
                    _slots.Add(new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously));
                }
                return _slots[index];
            }
        }
    }

    [Test]
    public async Task PropertiesChanged_honours_EmitsChangedSignal()
    {
        await using var pair = PeerPair.Create();
        var seen = new SignalLog(pair.Client);
        var handler = new CalculatorHandler { Count = 9 };
        pair.Server.Export("/calc", handler);
        Assert.That(pair.Server.EmitPropertiesChanged("/calc", handler, "Version"), Is.False, "const emits nothing");
        Assert.That(pair.Server.EmitPropertiesChanged("/calc", handler, "Count", "Label", "Version"), Is.True);
        Assert.Throws<ArgumentException>(() => pair.Server.EmitPropertiesChanged("/calc", handler, "Nope"));
        var signal = await seen.NextAsync(0);
        Assert.That((signal.Interface, signal.Member, signal.Path?.Value, signal.Signature.Value),
            Is.EqualTo(("org.freedesktop.DBus.Properties", "PropertiesChanged", "/calc", "sa{sv}as")));
        var reader = signal.GetBodyReader();
        Assert.That(reader.ReadString(), Is.EqualTo(CalculatorHandler.Name));
        var changed = reader.ReadValue("a{sv}").ToStringVariantDictionary();
        Assert.That(changed.Keys, Is.EqualTo(new[] { "Count" }));
        Assert.That(changed["Count"].GetInt32(), Is.EqualTo(9));
        Assert.That(reader.ReadArrayOfString(), Is.EqualTo(new[] { "Label" }));
    }

    [Test]
    public async Task Exports_below_an_object_manager_emit_InterfacesAdded_and_InterfacesRemoved()
    {
        await using var pair = PeerPair.Create();
        var seen = new SignalLog(pair.Client);
        using var manager = pair.Server.AddObjectManager("/m");
        pair.Server.Export("/elsewhere", new CalculatorHandler());
        var registration = pair.Server.Export("/m/calc", new CalculatorHandler());
        var added = await seen.NextAsync(0);
        Assert.That((added.Member, added.Path?.Value), Is.EqualTo(("InterfacesAdded", "/m")));
        var reader = added.GetBodyReader();
        Assert.That(reader.ReadObjectPath().Value, Is.EqualTo("/m/calc"));
        var interfaces = reader.ReadValue("a{sa{sv}}");
        Assert.That(interfaces.GetEntry(0).Key.GetString(), Is.EqualTo(CalculatorHandler.Name));
        registration.Dispose();
        var removed = await seen.NextAsync(1);
        Assert.That((removed.Member, removed.Path?.Value), Is.EqualTo(("InterfacesRemoved", "/m")));
        var removedReader = removed.GetBodyReader();
        Assert.That(removedReader.ReadObjectPath().Value, Is.EqualTo("/m/calc"));
        Assert.That(removedReader.ReadArrayOfString(), Is.EqualTo(new[] { CalculatorHandler.Name }));
        Assert.That(seen.Count, Is.EqualTo(2), "/elsewhere is not below the manager");
    }

    [Test]
    public async Task InterfacesAdded_GetManagedObjects_and_InterfacesRemoved_list_the_same_interfaces_and_no_standard_ones()
    {
        // As GDBus's GDBusObjectManagerServer and zbus do (sd-bus adds Peer, Introspectable and Properties).
        await using var pair = PeerPair.Create();
        var seen = new SignalLog(pair.Client);
        using var manager = pair.Server.AddObjectManager("/m");
        pair.Server.Export("/m/obj", new CalculatorHandler());
        pair.Server.Export("/m/obj", new LampHandler());

        static string[] Names(Variant interfaces) =>
            [.. Enumerable.Range(0, interfaces.Count).Select(i => interfaces.GetEntry(i).Key.GetString())];

        var first = (await seen.NextAsync(0)).GetBodyReader();
        Assert.That(first.ReadObjectPath().Value, Is.EqualTo("/m/obj"));
        Assert.That(Names(first.ReadValue("a{sa{sv}}")), Is.EqualTo(new[] { CalculatorHandler.Name }));
        var second = (await seen.NextAsync(1)).GetBodyReader();
        second.ReadObjectPath();
        var lamp = second.ReadValue("a{sa{sv}}");
        Assert.That(Names(lamp), Is.EqualTo(new[] { LampHandler.Name }), "only the interface added now");
        Assert.That(lamp.GetEntry(0).Value.ToStringVariantDictionary()["On"].GetBoolean(), Is.True);

        var call = MessageWriter.CreateMethodCall(null, "/m", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects").ToMessage();
        using (var reply = await pair.Client.CallAsync(call, s_timeout))
        {
            var objects = reply.GetBodyReader().ReadValue("a{oa{sa{sv}}}");
            Assert.That(objects.Count, Is.EqualTo(1));
            Assert.That(objects.GetEntry(0).Key.GetObjectPath().Value, Is.EqualTo("/m/obj"));
            Assert.That(Names(objects.GetEntry(0).Value), Is.EqualTo(new[] { CalculatorHandler.Name, LampHandler.Name }));
        }

        Assert.That(pair.Server.Unexport("/m/obj"), Is.True);
        var removed = (await seen.NextAsync(2)).GetBodyReader();
        removed.ReadObjectPath();
        Assert.That(removed.ReadArrayOfString(), Is.EqualTo(new[] { CalculatorHandler.Name, LampHandler.Name }));
    }

    [Test]
    public async Task EmitSignal_sends_broadcast_and_unicast_signals()
    {
        await using var pair = PeerPair.Create();
        var seen = new SignalLog(pair.Client);
        var writer = MessageWriter.CreateSignal("/calc", CalculatorHandler.Name, "Computed", "i", destination: ":1.5");
        writer.WriteInt32(42);
        pair.Server.EmitSignal(writer.ToMessage());
        var signal = await seen.NextAsync(0);
        Assert.That((signal.Member, signal.Destination, signal.GetBodyReader().ReadInt32()), Is.EqualTo(("Computed", ":1.5", 42)));
        Assert.Throws<ArgumentException>(() => pair.Server.EmitSignal(PeerPair.Call("X")));
    }

    /// <summary>A second interface with one property.</summary>
    private sealed class LampHandler : IDBusInterfaceHandler
    {
        public const string Name = "com.example.Lamp";

        public string InterfaceName => Name;

        public string IntrospectionXml => """
            <interface name="com.example.Lamp">
              <property name="On" type="b" access="read"/>
            </interface>
            """;

        public ValueTask HandleCallAsync(MethodContext context) => default;

        public void WriteProperty(string name, ref MessageWriter writer) => writer.WriteBoolean(true);

        public void SetProperty(string name, ref MessageReader reader) => throw new NotSupportedException();
    }
}
