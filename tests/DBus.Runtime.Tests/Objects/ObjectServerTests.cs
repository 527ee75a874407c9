using System.Threading.Channels;
using DBus.Runtime.Tests.Connection;

namespace DBus.Runtime.Tests.Objects;

/// <summary>
/// The object server on its own: calls built in memory are handed to <see cref="ObjectServer.HandleMethodCall"/>
/// directly (no router in between), and the answers are read where they arrive, on the other end of an in-memory pair.
/// </summary>
[TestFixture]
public class ObjectServerTests
{
    private static uint s_serial = 100;

    /// <summary>The client end of a pair, collecting the replies and signals the object server sends it.</summary>
    private sealed class Receiver
    {
        private readonly Channel<Message> _received = Channel.CreateUnbounded<Message>();

        public Receiver(PeerPair pair)
        {
            pair.Client.AddMessageFilter((_, m) =>
            {
                // A copy: the filter's message is released after it returns.
                _received.Writer.TryWrite(Message.Parse(m.Bytes.Span));
                return MessageFilterResult.Handled;
            });
        }

        public async Task<Message> NextAsync() => await _received.Reader.ReadAsync().AsTask().WaitAsync(PeerPair.Timeout);
    }

    private delegate void WriteArguments(ref MessageWriter writer);

    private static Message Call(string path, string? iface, string member, string signature = "", WriteArguments? write = null)
    {
        var writer = MessageWriter.CreateMethodCall(null, path, iface, member, signature);
        write?.Invoke(ref writer);
        var call = writer.ToMessage();
        call.SetSerial(Interlocked.Increment(ref s_serial));
        return call;
    }

    /// <summary>Hands a call to the server as the router would: it disposes a call the server did not keep.</summary>
    private static bool Handle(ObjectServer server, DBusConnection connection, Message call)
    {
        bool kept = server.HandleMethodCall(connection, call);
        if (!kept)
        {
            call.Dispose();
        }
        return kept;
    }

    [Test]
    public async Task Calls_that_match_nothing_get_the_standard_errors_and_Peer_answers_everywhere()
    {
        await using var pair = PeerPair.Create();
        var replies = new Receiver(pair);
        var server = new ObjectServer(() => [pair.Server]);
        server.Export("/calc", [new CalculatorHandler()], fallback: false);

        (string Path, string? Iface, string Member, string Signature, string Expected)[] cases =
        [
            ("/nothing", CalculatorHandler.Name, "Add", "", DBusErrorNames.UnknownObject),
            ("/calc", "org.example.Other", "Add", "", DBusErrorNames.UnknownInterface),
            ("/calc", null, "Subtract", "", DBusErrorNames.UnknownMethod),
            ("/calc", CalculatorHandler.Name, "Subtract", "", DBusErrorNames.UnknownMethod),
            ("/calc", CalculatorHandler.Name, "Add", "s", DBusErrorNames.InvalidArgs),
            ("/calc", "org.freedesktop.DBus.Peer", "Reboot", "", DBusErrorNames.UnknownMethod),
        ];
        foreach (var (path, iface, member, signature, expected) in cases)
        {
            Assert.That(Handle(server, pair.Server, Call(path, iface, member, signature, (ref MessageWriter w) => { if (signature == "s") { w.WriteString("x"); } })), Is.False);
            using var error = await replies.NextAsync();
            Assert.That(error.ErrorName, Is.EqualTo(expected), $"{path} {iface}.{member}({signature})");
        }

        Handle(server, pair.Server, Call("/anywhere/at/all", "org.freedesktop.DBus.Peer", "Ping"));
        using var pong = await replies.NextAsync();
        Assert.That(pong.Type, Is.EqualTo(MessageType.MethodReturn));
    }

    [Test]
    public async Task A_handler_that_yields_keeps_the_call_and_answers_later_and_a_crash_answers_with_its_message_only()
    {
        await using var pair = PeerPair.Create();
        var replies = new Receiver(pair);
        var failures = new List<Exception>();
        pair.Server.CallbackFailed += (_, e) => failures.Add(e);
        var server = new ObjectServer(() => [pair.Server]);
        var calc = new CalculatorHandler();
        server.Export("/calc", [calc], fallback: false);

        var slow = Call("/calc", CalculatorHandler.Name, "Slow", "s", (ref MessageWriter w) => w.WriteString("a"));
        Assert.That(Handle(server, pair.Server, slow), Is.True, "the handler is still running and owns the call");
        calc.SlowGate.SetResult("b");
        using (var echo = await replies.NextAsync())
        {
            Assert.That(echo.GetBodyReader().ReadString(), Is.EqualTo("ab"));
        }

        Assert.That(Handle(server, pair.Server, Call("/calc", CalculatorHandler.Name, "Crash")), Is.False);
        using var crash = await replies.NextAsync();
        Assert.That(crash.ErrorName, Is.EqualTo(DBusErrorNames.Failed));
        Assert.That(crash.GetBodyReader().ReadString(), Is.EqualTo("the calculator broke"), "the message, no stack trace");
        Assert.That(failures.Single(), Is.TypeOf<InvalidOperationException>());
    }

    [Test]
    public async Task Exports_under_a_manager_are_announced_to_every_connection_of_the_audience()
    {
        await using var one = PeerPair.Create();
        await using var two = PeerPair.Create();
        var first = new Receiver(one);
        var second = new Receiver(two);
        var server = new ObjectServer(() => [one.Server, two.Server]);
        server.Export("/unmanaged", [new CalculatorHandler()], fallback: false).Dispose();
        using var manager = server.AddObjectManager("/org");
        Assert.Throws<InvalidOperationException>(() => server.AddObjectManager("/org"));

        var registration = server.Export("/org/calc", [new CalculatorHandler()], fallback: false);
        foreach (var receiver in new[] { first, second })
        {
            using var added = await receiver.NextAsync();
            Assert.That((added.Member, added.Path?.Value), Is.EqualTo(("InterfacesAdded", "/org")), "nothing was sent for /unmanaged");
            var reader = added.GetBodyReader();
            Assert.That(reader.ReadObjectPath().Value, Is.EqualTo("/org/calc"));
        }
        registration.Dispose();
        foreach (var receiver in new[] { first, second })
        {
            using var removed = await receiver.NextAsync();
            Assert.That(removed.Member, Is.EqualTo("InterfacesRemoved"));
            var reader = removed.GetBodyReader();
            Assert.That(reader.ReadObjectPath().Value, Is.EqualTo("/org/calc"));
            Assert.That(reader.ReadArrayOfString(), Is.EqualTo(new[] { CalculatorHandler.Name }));
        }
    }

    [Test]
    public async Task A_connection_s_own_objects_come_before_the_shared_ones_and_listings_merge_both()
    {
        await using var pair = PeerPair.Create();
        var replies = new Receiver(pair);
        var shared = new ObjectServer(() => [pair.Server]);
        var own = new ObjectServer(() => [pair.Server], shared);
        var sharedCalc = new CalculatorHandler();
        shared.Export("/shared", [sharedCalc], fallback: false);
        shared.Export("/own/inner", [new CalculatorHandler()], fallback: false);
        using var managed = shared.AddObjectManager("/");
        own.Export("/own", [new CalculatorHandler()], fallback: true);

        Handle(own, pair.Server, Call("/shared", CalculatorHandler.Name, "Where"));
        using (var where = await replies.NextAsync())
        {
            Assert.That(where.GetBodyReader().ReadObjectPath().Value, Is.EqualTo("/shared"));
        }
        Assert.That(sharedCalc.LastPath?.Value, Is.EqualTo("/shared"), "answered by the shared handler");

        // The connection's own fallback at /own covers /own/inner, which the shared server also exports.
        Handle(own, pair.Server, Call("/own/inner", "org.freedesktop.DBus.Properties", "GetAll", "s", (ref MessageWriter w) => w.WriteString(CalculatorHandler.Name)));
        using (var all = await replies.NextAsync())
        {
            Assert.That(all.Type, Is.EqualTo(MessageType.MethodReturn));
        }
        Assert.That(own.ListChildren("/"), Is.EqualTo(new[] { "own", "shared" }));

        Handle(own, pair.Server, Call("/", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects"));
        using (var objects = await replies.NextAsync())
        {
            Assert.That(objects.Type, Is.EqualTo(MessageType.MethodReturn), "the shared manager answers at /");
        }
        Handle(own, pair.Server, Call("/", "org.freedesktop.DBus.Introspectable", "Introspect"));
        using var xml = await replies.NextAsync();
        Assert.That(xml.GetBodyReader().ReadString(), Does.Contain("<node name=\"own\"/>").And.Contain("<node name=\"shared\"/>")
            .And.Contain("org.freedesktop.DBus.ObjectManager"));
    }

    [Test]
    public void PropertiesChanged_follows_each_property_s_annotation()
    {
        var calc = new CalculatorHandler { Count = 5 };
        using (var signal = BuiltInProperties.CreatePropertiesChanged("/calc", calc, ["Count", "Label", "Version"]))
        {
            Assert.That(signal, Is.Not.Null);
            Assert.That((signal!.Interface, signal.Member, signal.Signature.ToString()), Is.EqualTo(("org.freedesktop.DBus.Properties", "PropertiesChanged", "sa{sv}as")));
            var reader = signal.GetBodyReader();
            Assert.That(reader.ReadString(), Is.EqualTo(CalculatorHandler.Name));
            var end = reader.ReadArrayStart(DBusType.DictEntry);
            reader.AlignStruct();
            Assert.That(reader.ReadString(), Is.EqualTo("Count"));
            Assert.That(reader.ReadVariant(), Is.EqualTo(new Variant(5)));
            Assert.That(reader.HasNext(end), Is.False, "Version is const: not sent");
            Assert.That(reader.ReadArrayOfString(), Is.EqualTo(new[] { "Label" }), "Label only invalidates");
        }
        Assert.That(BuiltInProperties.CreatePropertiesChanged("/calc", calc, ["Version"]), Is.Null);
        var unknown = Assert.Throws<ArgumentException>(() => BuiltInProperties.CreatePropertiesChanged("/calc", calc, ["Nope"]));
        Assert.That(unknown!.Message, Does.Contain("declares no property 'Nope'"));
    }

    [Test]
    public void Introspection_lists_the_standard_interfaces_the_node_has_and_its_children()
    {
        string bare = BuiltInIntrospectable.Describe(null, ["a", "b"], manager: false);
        Assert.That(bare, Does.Contain("org.freedesktop.DBus.Peer").And.Contain("org.freedesktop.DBus.Introspectable")
            .And.Not.Contain("org.freedesktop.DBus.Properties").And.Not.Contain("org.freedesktop.DBus.ObjectManager"));
        Assert.That(bare, Does.Contain("<node name=\"a\"/>").And.Contain("<node name=\"b\"/>"));
        var tree = new ObjectTree();
        tree.Add("/calc", [new ExportedInterface(new CalculatorHandler(), InterfaceDescription.Get(new CalculatorHandler().IntrospectionXml))], fallback: false);
        string full = BuiltInIntrospectable.Describe(tree.Find("/calc"), [], manager: true);
        Assert.That(full, Does.Contain("org.freedesktop.DBus.Properties").And.Contain("org.freedesktop.DBus.ObjectManager")
            .And.Contain("<interface name=\"com.example.Calculator\">"));
    }
}
