namespace DBus.Runtime.Tests.Bus;

/// <summary>The bus daemon's methods as a message generator (<see cref="BusMessages"/>): messages and replies in memory, no bus.</summary>
[TestFixture]
public class BusMessagesTests
{
    [Test]
    public void A_call_is_addressed_to_the_bus_with_its_arguments()
    {
        using var call = BusMessages.Call("RequestName", "org.example.Name", 4);
        Assert.That(call.Type, Is.EqualTo(MessageType.MethodCall));
        Assert.That(call.Destination, Is.EqualTo("org.freedesktop.DBus"));
        Assert.That(call.Path?.Value, Is.EqualTo("/org/freedesktop/DBus"));
        Assert.That(call.Interface, Is.EqualTo("org.freedesktop.DBus"));
        Assert.That(call.Member, Is.EqualTo("RequestName"));
        Assert.That(call.Signature.ToString(), Is.EqualTo("su"));
        var reader = call.GetBodyReader();
        Assert.That(reader.ReadString(), Is.EqualTo("org.example.Name"));
        Assert.That(reader.ReadUInt32(), Is.EqualTo(4u));

        using var list = BusMessages.Call("ListNames");
        Assert.That(list.Signature.IsEmpty, Is.True);
        Assert.That(list.Flags, Is.EqualTo(MessageFlags.None));
    }

    [Test]
    public void RemoveMatch_in_the_background_asks_for_no_reply()
    {
        using var call = BusMessages.RemoveMatchNoReply("type='signal'");
        Assert.That(call.Member, Is.EqualTo("RemoveMatch"));
        Assert.That(call.Flags & MessageFlags.NoReplyExpected, Is.EqualTo(MessageFlags.NoReplyExpected));
        Assert.That(call.GetBodyReader().ReadString(), Is.EqualTo("type='signal'"));
    }

    [Test]
    public void BecomeMonitor_goes_to_the_monitoring_interface_with_the_rules_as_text()
    {
        using var call = BusMessages.BecomeMonitor([MatchRule.Parse("type='signal'"), MatchRule.Parse("member='Ping'")]);
        Assert.That(call.Interface, Is.EqualTo("org.freedesktop.DBus.Monitoring"));
        Assert.That(call.Signature.ToString(), Is.EqualTo("asu"));
        var reader = call.GetBodyReader();
        Assert.That(reader.ReadArrayOfString(), Is.EqualTo(new[] { "type='signal'", "member='Ping'" }));
        Assert.That(reader.ReadUInt32(), Is.Zero);
    }

    [Test]
    public void The_owner_rule_matches_NameOwnerChanged_for_one_name_only()
    {
        var rule = BusMessages.NameOwnerChangedRule("org.example.Name");
        Assert.That(rule.ToString(), Is.EqualTo(
            "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',path='/org/freedesktop/DBus',arg0='org.example.Name'"));
    }

    [Test]
    public void Hello_is_recognised_only_as_the_bus_s_method_and_answered_with_the_name()
    {
        using var hello = BusMessages.Call("Hello");
        hello.SetSerial(3);
        Assert.That(BusMessages.IsHello(hello), Is.True);
        using var elsewhere = MessageWriter.CreateMethodCall(null, "/other", "org.freedesktop.DBus", "Hello").ToMessage();
        Assert.That(BusMessages.IsHello(elsewhere), Is.False, "a Hello to another path is an ordinary method call");
        using var withArgs = BusMessages.Call("Hello", "x");
        Assert.That(BusMessages.IsHello(withArgs), Is.False);

        using var reply = BusMessages.HelloReply(hello, ":1.7");
        Assert.That(reply.Type, Is.EqualTo(MessageType.MethodReturn));
        Assert.That(reply.ReplySerial, Is.EqualTo(3u));
        Assert.That(BusMessages.ReadString(reply), Is.EqualTo(":1.7"));
    }

    [Test]
    public void Replies_are_read_into_their_values()
    {
        using var call = BusMessages.Call("GetConnectionCredentials", ":1.1");
        call.SetSerial(1);
        var writer = MessageWriter.CreateMethodReturn(call, "a{sv}");
        writer.WriteDictionary([new("UnixUserID", new Variant(1000u)), new("ProcessID", new Variant(42u))]);
        using var credentials = writer.ToMessage();
        var read = BusMessages.ReadVariantDictionary(credentials);
        Assert.That(read.Keys, Is.EquivalentTo(new[] { "UnixUserID", "ProcessID" }));
        Assert.That(read["ProcessID"], Is.EqualTo(new Variant(42u)));

        var names = MessageWriter.CreateMethodReturn(call, "as");
        names.WriteArray(new[] { ":1.1", "org.example" });
        using var namesReply = names.ToMessage();
        Assert.That(BusMessages.ReadStrings(namesReply), Is.EqualTo(new[] { ":1.1", "org.example" }));
    }

    [TestCase("")]
    [TestCase("no-dots")]
    [TestCase("org..example")]
    public void A_bad_bus_name_is_refused_before_anything_is_sent(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => BusMessages.CheckBusName(name, "name"));
        Assert.That(error!.Message, Does.Contain($"'{name}' is not a valid bus name"));
        Assert.That(error.ParamName, Is.EqualTo("name"));
    }
}
