using DBus.Runtime.Tests.Connection;

namespace DBus.Runtime.Tests.Objects;

/// <summary><see cref="MethodContext.MethodIndex"/>: the called method's position among the XML's methods, overloads
/// told apart by signature, so that a handler need not compare names again.</summary>
[TestFixture]
public class MethodIndexTests
{
    private sealed class Recorder : IDBusInterfaceHandler
    {
        public List<(string Member, int Index)> Calls { get; } = [];

        public string InterfaceName => "org.test.Indexed";

        public string IntrospectionXml => """
            <interface name="org.test.Indexed">
              <property name="Ignored" type="s" access="read"/>
              <method name="First"/>
              <signal name="AlsoIgnored"/>
              <method name="Twice"><arg type="s" direction="in"/></method>
              <method name="Twice"><arg type="i" direction="in"/><arg type="s" direction="out"/></method>
              <method name="Last"><arg type="s" direction="out"/></method>
            </interface>
            """;

        public ValueTask HandleCallAsync(MethodContext context)
        {
            lock (Calls)
            {
                Calls.Add((context.Member, context.MethodIndex));
            }
            return default;
        }

        public void WriteProperty(string name, ref MessageWriter writer) => writer.WriteString("x");
    }

    private static Message Call(string member, string signature = "")
    {
        var writer = MessageWriter.CreateMethodCall(null, new ObjectPath("/org/test"), "org.test.Indexed", member, new Signature(signature));
        if (signature == "s")
        {
            writer.WriteString("text");
        }
        else if (signature == "i")
        {
            writer.WriteInt32(7);
        }
        return writer.ToMessage();
    }

    [Test]
    public async Task Each_call_carries_the_position_of_the_declaration_it_matched()
    {
        await using var pair = PeerPair.Create();
        var handler = new Recorder();
        using var export = pair.Server.Export(new ObjectPath("/org/test"), handler);
        foreach (var call in new[] { Call("Last"), Call("Twice", "i"), Call("First"), Call("Twice", "s") })
        {
            using var reply = await pair.Client.CallAsync(call).WaitAsync(PeerPair.Timeout);
        }
        Assert.That(handler.Calls, Is.EqualTo(new[] { ("Last", 3), ("Twice", 2), ("First", 0), ("Twice", 1) }));
    }

    /// <summary>A handler of an interface without properties implements no property hooks.</summary>
    private sealed class NoProperties : IDBusInterfaceHandler
    {
        public string InterfaceName => "org.test.Bare";

        public string IntrospectionXml => """<interface name="org.test.Bare"><method name="Do"/></interface>""";

        public ValueTask HandleCallAsync(MethodContext context) => default;
    }

    [Test]
    public async Task A_handler_without_properties_needs_no_property_hooks()
    {
        await using var pair = PeerPair.Create();
        IDBusInterfaceHandler handler = new NoProperties();
        using var export = pair.Server.Export(new ObjectPath("/org/test"), handler);
        var getAll = MessageWriter.CreateMethodCall(null, new ObjectPath("/org/test"), "org.freedesktop.DBus.Properties", "GetAll", new Signature("s"));
        getAll.WriteString("org.test.Bare");
        using var reply = await pair.Client.CallAsync(getAll.ToMessage()).WaitAsync(PeerPair.Timeout);
        var body = reply.GetBodyReader();
        var entries = body.ReadArrayStart(DBusType.DictEntry);
        Assert.That(body.HasNext(entries), Is.False, "GetAll of an interface without properties is empty");

        // Called anyway (by hand), the defaults refuse with the property errors rather than crash.
        var writer = MessageWriter.CreateMethodCall(null, new ObjectPath("/"), null, "X");
        try
        {
            handler.WriteProperty("Nope", ref writer);
            Assert.Fail("the default WriteProperty returned");
        }
        catch (DBusException e)
        {
            Assert.That(e.ErrorName, Is.EqualTo(DBusErrorNames.UnknownProperty));
        }
        finally
        {
            writer.Dispose();
        }
    }
}
