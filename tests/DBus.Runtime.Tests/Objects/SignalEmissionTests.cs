using DBus.Runtime.Tests.Connection;

namespace DBus.Runtime.Tests.Objects;

[TestFixture]
public class SignalEmissionTests
{
    private static readonly TimeSpan s_timeout = PeerPair.Timeout;

    private static List<Message> CaptureSignals(DBusConnection client)
    {
        var seen = new List<Message>();
        client.AddMessageFilter((_, m) =>
        {
            if (m.Type == MessageType.Signal)
            {
                lock (seen) seen.Add(m.AddReference());
            }
            return MessageFilterResult.NotHandled;
        });
        return seen;
    }

    private static async Task<Message> NextAsync(List<Message> seen, int index)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (seen)
            {
                if (seen.Count > index)
                {
                    return seen[index];
                }
            }
            await Task.Delay(5);
        }
        throw new TimeoutException("no signal arrived");
    }

    [Test]
    public async Task PropertiesChanged_honours_EmitsChangedSignal()
    {
        await using var pair = PeerPair.Create();
        var seen = CaptureSignals(pair.Client);
        var handler = new CalculatorHandler { Count = 9 };
        pair.Server.Export("/calc", handler);
        Assert.That(pair.Server.EmitPropertiesChanged("/calc", handler, "Version"), Is.False, "const emits nothing");
        Assert.That(pair.Server.EmitPropertiesChanged("/calc", handler, "Count", "Label", "Version"), Is.True);
        Assert.Throws<ArgumentException>(() => pair.Server.EmitPropertiesChanged("/calc", handler, "Nope"));
        var signal = await NextAsync(seen, 0);
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
        var seen = CaptureSignals(pair.Client);
        using var manager = pair.Server.AddObjectManager("/m");
        pair.Server.Export("/elsewhere", new CalculatorHandler());
        var registration = pair.Server.Export("/m/calc", new CalculatorHandler());
        var added = await NextAsync(seen, 0);
        Assert.That((added.Member, added.Path?.Value), Is.EqualTo(("InterfacesAdded", "/m")));
        var reader = added.GetBodyReader();
        Assert.That(reader.ReadObjectPath().Value, Is.EqualTo("/m/calc"));
        var interfaces = reader.ReadValue("a{sa{sv}}");
        Assert.That(interfaces.GetEntry(0).Key.GetString(), Is.EqualTo(CalculatorHandler.Name));
        registration.Dispose();
        var removed = await NextAsync(seen, 1);
        Assert.That((removed.Member, removed.Path?.Value), Is.EqualTo(("InterfacesRemoved", "/m")));
        var removedReader = removed.GetBodyReader();
        Assert.That(removedReader.ReadObjectPath().Value, Is.EqualTo("/m/calc"));
        Assert.That(removedReader.ReadArrayOfString(), Is.EqualTo(new[] { CalculatorHandler.Name }));
        lock (seen)
        {
            Assert.That(seen, Has.Count.EqualTo(2), "/elsewhere is not below the manager");
        }
    }

    [Test]
    public async Task EmitSignal_sends_broadcast_and_unicast_signals()
    {
        await using var pair = PeerPair.Create();
        var seen = CaptureSignals(pair.Client);
        var writer = MessageWriter.CreateSignal("/calc", CalculatorHandler.Name, "Computed", "i", destination: ":1.5");
        writer.WriteInt32(42);
        pair.Server.EmitSignal(writer.ToMessage());
        var signal = await NextAsync(seen, 0);
        Assert.That((signal.Member, signal.Destination, signal.GetBodyReader().ReadInt32()), Is.EqualTo(("Computed", ":1.5", 42)));
        Assert.Throws<ArgumentException>(() => pair.Server.EmitSignal(PeerPair.Call("X")));
    }
}
