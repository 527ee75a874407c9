using DBus.IntegrationTests.Generated;

namespace DBus.IntegrationTests;

/// <summary>Generated property calls and readers, the <c>AllTypesProperties</c> bag, signals and descriptors.</summary>
public class PropertiesAndSignalsTests
{
    private static readonly AllTypesMessages s_messages = new("org.example.Service", "/org/example/Object");

    [Test]
    public void GetCallNamesInterfaceAndProperty()
    {
        using var call = WireHelpers.Received(s_messages.GetVolume(), 1);
        Assert.Multiple(() =>
        {
            Assert.That(call.Interface, Is.EqualTo("org.freedesktop.DBus.Properties"));
            Assert.That(call.Member, Is.EqualTo("Get"));
            Assert.That(call.Signature.Value, Is.EqualTo("ss"));
            var reader = call.GetBodyReader();
            Assert.That(reader.ReadString(), Is.EqualTo("org.example.AllTypes"));
            Assert.That(reader.ReadString(), Is.EqualTo("Volume"));
        });
    }

    [Test]
    public void SetCallCarriesTheValueInAVariantOfThePropertysSignature()
    {
        var tags = new Dictionary<string, Variant> { ["a"] = 1, ["b"] = "two" };
        using var call = WireHelpers.Received(s_messages.SetTags(tags), 1);
        Assert.That(call.Member, Is.EqualTo("Set"));
        Assert.That(call.Signature.Value, Is.EqualTo("ssv"));
        var reader = call.GetBodyReader();
        Assert.That(reader.ReadString(), Is.EqualTo("org.example.AllTypes"));
        Assert.That(reader.ReadString(), Is.EqualTo("Tags"));
        var value = reader.ReadVariant();
        Assert.That(value.Signature.Value, Is.EqualTo("a{sv}"));
        Assert.That(value.ToStringVariantDictionary(), Is.EqualTo(tags));
    }

    [Test]
    public void GetReplyIsReadAndItsVariantSignatureChecked()
    {
        using var call = s_messages.GetVolume();
        using var good = WireHelpers.Reply(call, "v", (ref MessageWriter w) => w.WriteVariant(0.25));
        Assert.That(AllTypesMessages.ReadVolume(good), Is.EqualTo(0.25));

        using var bad = WireHelpers.Reply(call, "v", (ref MessageWriter w) => w.WriteVariant("loud"));
        var ex = Assert.Throws<DBusException>(() => AllTypesMessages.ReadVolume(bad));
        Assert.That(ex.Message, Does.Contain("property 'Volume'").And.Contain("expected a value of signature 'd', got 's'"));
    }

    [Test]
    public void GetAllFillsWhatIsPresentAndSkipsUnknownNames()
    {
        using var call = WireHelpers.Received(s_messages.GetAll(), 1);
        Assert.That(call.Member, Is.EqualTo("GetAll"));
        Assert.That(call.Signature.Value, Is.EqualTo("s"));

        var body = new Dictionary<string, Variant>
        {
            ["Volume"] = 0.75,
            ["Unknown"] = Variant.CreateStruct(1, 2),
            ["Tags"] = Variant.CreateDictionary(new Dictionary<string, Variant> { ["k"] = true }),
        };
        using var reply = WireHelpers.Reply(call, "a{sv}", (ref MessageWriter w) => w.WriteDictionary(body));
        var all = AllTypesMessages.ReadGetAll(reply);
        Assert.Multiple(() =>
        {
            Assert.That(all.Volume, Is.EqualTo(0.75));
            Assert.That(all.Title, Is.Null, "absent");
            Assert.That(all.Secret, Is.Null, "absent");
            Assert.That(all.Tags, Is.EqualTo(new Dictionary<string, Variant> { ["k"] = true }));
        });
    }

    [Test]
    public void GetAllWithAValueOfTheWrongTypeNamesTheProperty()
    {
        using var call = s_messages.GetAll();
        var body = new Dictionary<string, Variant> { ["Title"] = 5 };
        using var reply = WireHelpers.Reply(call, "a{sv}", (ref MessageWriter w) => w.WriteDictionary(body));
        var ex = Assert.Throws<DBusException>(() => AllTypesMessages.ReadGetAll(reply));
        Assert.That(ex.ErrorName, Is.EqualTo("org.freedesktop.DBus.Error.InvalidSignature"));
        Assert.That(ex.Message, Does.Contain("property 'Title'").And.Contain("got 'i'"));
    }

    [Test]
    public void PropertiesChangedIsRead()
    {
        using var signal = PropertiesChanged("org.example.AllTypes", new() { ["Title"] = "new title" }, ["Volume"]);
        var (changed, invalidated) = AllTypesMessages.ReadPropertiesChanged(signal);
        Assert.That(changed.Title, Is.EqualTo("new title"));
        Assert.That(changed.Volume, Is.Null);
        Assert.That(invalidated, Is.EqualTo(new[] { "Volume" }));

        using var other = PropertiesChanged("org.example.Other", [], []);
        var ex = Assert.Throws<DBusException>(() => AllTypesMessages.ReadPropertiesChanged(other));
        Assert.That(ex.Message, Does.Contain("org.example.Other"));
    }

    [Test]
    public void SignalRoundTripsAndCanBeUnicast()
    {
        using var broadcast = s_messages.Changed("what", Variant.CreateArray("s", ["x"]));
        using var received = WireHelpers.Received(broadcast, 5);
        Assert.Multiple(() =>
        {
            Assert.That(received.Type, Is.EqualTo(MessageType.Signal));
            Assert.That(received.Path, Is.EqualTo((ObjectPath?)new ObjectPath("/org/example/Object")));
            Assert.That(received.Interface, Is.EqualTo("org.example.AllTypes"));
            Assert.That(received.Member, Is.EqualTo("Changed"));
            Assert.That(received.Destination, Is.Null);
            var (what, value) = AllTypesMessages.ReadChanged(received);
            Assert.That(what, Is.EqualTo("what"));
            Assert.That(value, Is.EqualTo(Variant.CreateArray("s", ["x"])));
        });

        using var unicast = s_messages.Changed("w", 1, destination: ":1.42");
        Assert.That(unicast.Destination, Is.EqualTo(":1.42"));

        // The argument named 'destination' keeps its name; the unicast parameter moves aside.
        using var count = s_messages.Count(destination: 3, messageDestination: ":1.7");
        Assert.That(count.Destination, Is.EqualTo(":1.7"));
        Assert.That(AllTypesMessages.ReadCount(WireHelpers.Received(count, 6)), Is.EqualTo(3u));

        var ex = Assert.Throws<DBusException>(() => AllTypesMessages.ReadCount(received));
        Assert.That(ex.Message, Does.Contain("expected a body of signature 'u', got 'sv'"));
    }

    [Test]
    public void DescriptorsAreDuplicatedOnWriteAndOwnedOnRead()
    {
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.In);
        using var writeEnd = UnixFd.Duplicate(pipe.ClientSafePipeHandle);
        using var call = s_messages.PassFds(writeEnd, [writeEnd, writeEnd]);
        Assert.That(call.UnixFdCount, Is.EqualTo(3));
        var reader = call.GetBodyReader();
        using var first = reader.ReadUnixFd();
        Assert.That(first.DangerousGetDescriptor(), Is.Not.EqualTo(writeEnd.DangerousGetDescriptor()), "the message holds a duplicate");

        using var reply = ReplyWithDescriptor(writeEnd);
        using var owned = AllTypesMessages.ReadPassFdsReply(reply);
        using (var stream = owned.ToStream(FileAccess.Write))
        {
            stream.Write("ok"u8);
        }
        var buffer = new byte[2];
        pipe.ReadExactly(buffer);
        Assert.That(buffer, Is.EqualTo("ok"u8.ToArray()));
    }

    private static Message ReplyWithDescriptor(UnixFd fd)
    {
        // Descriptors travel beside the bytes (SCM_RIGHTS), so this reply is used as built, not re-parsed;
        // it answers a call without descriptors, which can be parsed on its own.
        using var call = s_messages.Answer("fd please");
        using var received = WireHelpers.Received(call, 9);
        var writer = MessageWriter.CreateMethodReturn(received, "h");
        writer.WriteUnixFd(fd);
        return writer.ToMessage();
    }

    private static Message PropertiesChanged(string iface, Dictionary<string, Variant> changed, string[] invalidated)
    {
        var writer = MessageWriter.CreateSignal("/org/example/Object", "org.freedesktop.DBus.Properties", "PropertiesChanged", "sa{sv}as");
        writer.WriteString(iface);
        writer.WriteDictionary(changed);
        writer.WriteArray(invalidated);
        return WireHelpers.Received(writer.ToMessage(), 2);
    }
}
