using System.Buffers;
using System.Reflection;
using DBus.Runtime.Tests.Bus;
using DBus.Testing;

namespace DBus.Runtime.Tests.Wire;

/// <summary>
/// The public API builds any message with the whole header (MessageWriter.Create(MessageHeaderFields)), and a
/// message from a real peer re-encodes byte for byte through it and the reader/writer twins.
/// </summary>
[NonParallelizable]
public class WholeMessageTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    [Test]
    public void Every_header_field_and_flag_is_settable_on_every_type_and_parses_back()
    {
        var header = new MessageHeaderFields
        {
            Type = MessageType.Error,
            Flags = MessageFlags.NoReplyExpected | MessageFlags.NoAutoStart,
            Serial = 77,
            ReplySerial = 12,
            ErrorName = "org.example.Error.Odd",
            Destination = ":1.5",
            Sender = "org.example.Sender",
            Path = new ObjectPath("/where"),
            Signature = "s",
        };
        var writer = MessageWriter.Create(header, DBusByteOrder.BigEndian);
        writer.WriteString("text");
        using var built = writer.ToMessage();
        using var parsed = Message.Parse(built.Bytes.Span);
        Assert.Multiple(() =>
        {
            Assert.That(parsed.Type, Is.EqualTo(MessageType.Error));
            Assert.That(parsed.Flags, Is.EqualTo(MessageFlags.NoReplyExpected | MessageFlags.NoAutoStart));
            Assert.That(parsed.Serial, Is.EqualTo(77));
            Assert.That(parsed.ReplySerial, Is.EqualTo(12));
            Assert.That(parsed.ErrorName, Is.EqualTo("org.example.Error.Odd"));
            Assert.That(parsed.Destination, Is.EqualTo(":1.5"));
            Assert.That(parsed.Sender, Is.EqualTo("org.example.Sender"));
            Assert.That(parsed.Path?.Value, Is.EqualTo("/where"));
            Assert.That(parsed.ByteOrder, Is.EqualTo(DBusByteOrder.BigEndian));
            Assert.That(parsed.GetBodyReader().ReadString(), Is.EqualTo("text"));
        });

        using var signal = MessageWriter.CreateSignal("/s", "org.example.I", "Changed", flags: MessageFlags.NoAutoStart).ToMessage();
        Assert.That(signal.Flags, Is.EqualTo(MessageFlags.NoAutoStart));
    }

    [Test]
    public void Field_order_is_kept_and_checked()
    {
        var order = new[] { MessageHeaderField.Sender, MessageHeaderField.Member, MessageHeaderField.Path };
        using var call = MessageWriter.Create(new MessageHeaderFields
        {
            Serial = 3, Path = new ObjectPath("/p"), Member = "Go", Sender = ":1.9", FieldOrder = order,
        }).ToMessage();
        Assert.That(MessageHeaderFields.From(call).FieldOrder, Is.EqualTo(order));
        // PATH written after SENDER: the first field code on the wire (offset 16) is SENDER's 7.
        Assert.That(call.Bytes.Span[16], Is.EqualTo(7));

        var e = Assert.Throws<ArgumentException>(() => MessageWriter.Create(new MessageHeaderFields
        {
            Path = new ObjectPath("/p"), Member = "Go", FieldOrder = [MessageHeaderField.Path],
        }));
        Assert.That(e!.Message, Does.Contain("Member is set but FieldOrder does not list it"));
        e = Assert.Throws<ArgumentException>(() => MessageWriter.Create(new MessageHeaderFields { Type = MessageType.Signal, Path = new ObjectPath("/p"), Member = "M" }));
        Assert.That(e!.Message, Does.Contain("a signal needs Path, Interface and Member"));
        e = Assert.Throws<ArgumentException>(() => MessageWriter.Create(new MessageHeaderFields { Path = new ObjectPath("/p"), Member = "M", Sender = "not a name" }));
        Assert.That(e!.Message, Does.Contain("'not a name' is not a valid sender bus name"));
    }

    [Test]
    public void A_declared_descriptor_count_must_match_the_body()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
        {
            var writer = MessageWriter.Create(new MessageHeaderFields { Path = new ObjectPath("/p"), Member = "M", UnixFdCount = 1 });
            try
            {
                writer.ToMessage();
            }
            finally
            {
                writer.Dispose();
            }
        });
        Assert.That(e!.Message, Does.Contain("announces 1 descriptor(s) but the body wrote 0"));
    }

    [Test]
    public void Parse_reads_a_writers_own_output_before_it_has_a_serial()
    {
        using var call = MessageWriter.CreateMethodCall("org.example", "/p", null, "M").ToMessage();
        Assert.That(call.Serial, Is.Zero);
        using var parsed = Message.Parse(call.Bytes.Span);
        Assert.That(parsed.Member, Is.EqualTo("M"));
        Assert.That(parsed.Bytes.ToArray(), Is.EqualTo(call.Bytes.ToArray()));
    }

    [Test]
    public void Every_captured_peer_message_re_encodes_byte_for_byte_through_the_public_api()
    {
        string root = typeof(WholeMessageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "RepositoryRoot").Value!;
        var buffer = new ReadOnlySequence<byte>(File.ReadAllBytes(Path.Combine(root, "tests/DBus.Runtime.Tests/Wire/Fixtures/peers.bin")));
        int count = 0;
        while (Message.TryRead(ref buffer, out var original))
        {
            using (original)
            using (var again = BodyCopier.ReEncode(original))
            {
                Assert.That(WireTestHelpers.ToHex(again.Bytes.Span), Is.EqualTo(WireTestHelpers.ToHex(original.Bytes.Span)), original.ToString());
            }
            count++;
        }
        Assert.That(count, Is.GreaterThan(20));
    }

    [Test]
    public async Task Messages_from_a_live_daemon_and_dbus_python_re_encode_byte_for_byte_and_gdbus_takes_a_reply_built_from_numbers()
    {
        await using var bus = await PrivateBus.StartAsync();
        await using var service = await PythonService.StartAsync(bus.Address);
        await using var stream = await MessageStream.ConnectAsync(bus.Address);
        using var timeout = new CancellationTokenSource(s_timeout);

        await stream.SendAsync(MessageWriter.CreateMethodCall("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello").ToMessage());
        using var hello = await stream.ReceiveAsync(timeout.Token);
        string uniqueName = hello.GetBodyReader().ReadString();
        using var acquired = await stream.ReceiveAsync(timeout.Token);
        Assert.That(acquired.Member, Is.EqualTo("NameAcquired"));

        var echo = MessageWriter.CreateMethodCall(PythonService.DefaultName, PythonService.ObjectPath, PythonService.Interface, "Echo_nested", "a{sa(iv)}");
        var dict = echo.WriteArrayStart(DBusType.DictEntry);
        echo.WriteDictEntryStart();
        echo.WriteString("k");
        var inner = echo.WriteArrayStart(DBusType.Struct);
        echo.WriteStructStart();
        echo.WriteInt32(7);
        echo.WriteVariantStart("as");
        echo.WriteArray(["x", "yz"]);
        echo.WriteArrayEnd(inner);
        echo.WriteArrayEnd(dict);
        await stream.SendAsync(echo.ToMessage());
        using var reply = await stream.ReceiveAsync(timeout.Token);
        Assert.That(reply.Type, Is.EqualTo(MessageType.MethodReturn), reply.ToString());

        foreach (var original in new[] { hello, acquired, reply })
        {
            using var again = BodyCopier.ReEncode(original);
            Assert.That(WireTestHelpers.ToHex(again.Bytes.Span), Is.EqualTo(WireTestHelpers.ToHex(original.Bytes.Span)), original.ToString());
        }

        // gdbus calls us (Introspect first, to learn the signature, then Greet); each answer is built from the call's
        // serial and sender alone, with a serial of our choosing.
        var session = new Dictionary<string, string> { ["DBUS_SESSION_BUS_ADDRESS"] = bus.Address };
        var gdbus = Tools.RunWithEnvironmentAsync("gdbus", session, "call", "--session", "--dest", uniqueName,
            "--object-path", "/any", "--method", "org.example.Any.Greet");
        uint serial = 4242;
        while (true)
        {
            uint callSerial;
            string caller, member;
            using (var call = await stream.ReceiveAsync(timeout.Token))
            {
                if (call.Type != MessageType.MethodCall)
                {
                    continue;
                }
                (callSerial, caller, member) = (call.Serial, call.Sender!, call.Member!);
            }
            bool greet = member == "Greet";
            var answer = MessageWriter.Create(new MessageHeaderFields
            {
                Type = greet ? MessageType.MethodReturn : MessageType.Error,
                ErrorName = greet ? null : "org.freedesktop.DBus.Error.UnknownMethod",
                Serial = serial, ReplySerial = callSerial, Destination = caller, Signature = "s",
            });
            answer.WriteString(greet ? "built without the call" : "no " + member);
            Assert.That(await stream.SendAsync(answer.ToMessage()), Is.EqualTo(serial++));
            if (greet)
            {
                break;
            }
        }
        Assert.That(await gdbus, Is.EqualTo((0, "('built without the call',)\n")));
    }
}
