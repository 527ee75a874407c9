using System.IO.Pipes;
using static DBus.Runtime.Tests.Wire.WireTestHelpers;

namespace DBus.Runtime.Tests.Wire;

public class ReadWriteTests
{
    private static readonly DBusByteOrder[] s_orders = [DBusByteOrder.LittleEndian, DBusByteOrder.BigEndian];

    [TestCaseSource(nameof(s_orders))]
    public void Every_basic_type_round_trips(DBusByteOrder order)
    {
        var writer = MessageWriter.CreateSignal("/a/b", "org.example.I", "S", "ybnqiuxtdsogv", byteOrder: order);
        writer.WriteByte(0xfe);
        writer.WriteBoolean(true);
        writer.WriteInt16(-2);
        writer.WriteUInt16(65000);
        writer.WriteInt32(int.MinValue);
        writer.WriteUInt32(uint.MaxValue);
        writer.WriteInt64(long.MinValue);
        writer.WriteUInt64(ulong.MaxValue);
        writer.WriteDouble(-1.5e300);
        writer.WriteString("héllo ☃ 𝄞");
        writer.WriteObjectPath("/org/example/Obj_1");
        writer.WriteSignature("a{sv}(ii)");
        writer.WriteVariant(Variant.CreateStruct(1, "x"));
        using var message = Reparse(writer.ToMessage());

        Assert.That(message.ByteOrder, Is.EqualTo(order));
        var reader = message.GetBodyReader();
        Assert.That(reader.ReadByte(), Is.EqualTo(0xfe));
        Assert.That(reader.ReadBoolean(), Is.True);
        Assert.That(reader.ReadInt16(), Is.EqualTo(-2));
        Assert.That(reader.ReadUInt16(), Is.EqualTo(65000));
        Assert.That(reader.ReadInt32(), Is.EqualTo(int.MinValue));
        Assert.That(reader.ReadUInt32(), Is.EqualTo(uint.MaxValue));
        Assert.That(reader.ReadInt64(), Is.EqualTo(long.MinValue));
        Assert.That(reader.ReadUInt64(), Is.EqualTo(ulong.MaxValue));
        Assert.That(reader.ReadDouble(), Is.EqualTo(-1.5e300));
        Assert.That(reader.ReadString(), Is.EqualTo("héllo ☃ 𝄞"));
        Assert.That(reader.ReadObjectPath().Value, Is.EqualTo("/org/example/Obj_1"));
        Assert.That(reader.ReadSignature().Value, Is.EqualTo("a{sv}(ii)"));
        Assert.That(reader.ReadVariant(), Is.EqualTo(Variant.CreateStruct(1, "x")));
        Assert.That(reader.IsAtEnd, Is.True);
    }

    [TestCaseSource(nameof(s_orders))]
    public void Fixed_arrays_use_the_fast_paths_both_ways(DBusByteOrder order)
    {
        byte[] bytes = [1, 2, 3];
        short[] shorts = [-1, 2, short.MaxValue];
        int[] ints = [int.MinValue, 0, 7];
        ulong[] ulongs = [ulong.MaxValue, 1];
        double[] doubles = [0.5, double.NaN];
        bool[] bools = [true, false, true];
        var writer = MessageWriter.CreateSignal("/", "a.b", "C", "ayanaiatadabasao", byteOrder: order);
        writer.WriteArray(bytes);
        writer.WriteArray(shorts);
        writer.WriteArray(ints);
        writer.WriteArray(ulongs);
        writer.WriteArray(doubles);
        writer.WriteArray(bools);
        writer.WriteArray(["a", "", "c"]);
        writer.WriteArray([new ObjectPath("/x"), ObjectPath.Root]);
        using var message = Reparse(writer.ToMessage());

        var reader = message.GetBodyReader();
        Assert.That(reader.ReadArrayOfByte(), Is.EqualTo(bytes));
        Assert.That(reader.ReadArrayOfInt16(), Is.EqualTo(shorts));
        Assert.That(reader.ReadArrayOfInt32(), Is.EqualTo(ints));
        Assert.That(reader.ReadArrayOfUInt64(), Is.EqualTo(ulongs));
        Assert.That(reader.ReadArrayOfDouble(), Is.EqualTo(doubles));
        Assert.That(reader.ReadArrayOfBoolean(), Is.EqualTo(bools));
        Assert.That(reader.ReadArrayOfString(), Is.EqualTo(new[] { "a", "", "c" }));
        Assert.That(reader.ReadArrayOfObjectPath(), Is.EqualTo(new[] { new ObjectPath("/x"), ObjectPath.Root }));
        Assert.That(reader.IsAtEnd, Is.True);

        // The same body read generically gives the same values.
        var generic = message.GetBodyReader();
        Assert.That(generic.ReadValue("ay").GetByteArray(), Is.EqualTo(bytes));
        Assert.That(generic.ReadValue("an"), Is.EqualTo(Variant.CreateArray("n", shorts.Select(s => new Variant(s)).ToArray())));
        Assert.That(generic.ReadValue("ai")[0].GetInt32(), Is.EqualTo(int.MinValue));
        generic.Skip("atadabasao");
        Assert.That(generic.IsAtEnd, Is.True);
    }

    [Test]
    public void Span_access_without_copy_when_the_byte_order_matches()
    {
        var writer = MessageWriter.CreateSignal("/", "a.b", "C", "ai");
        writer.WriteArray([1, 2, 3]);
        using var le = Reparse(writer.ToMessage());
        var reader = le.GetBodyReader();
        Assert.That(reader.TryReadArrayAsSpan(out ReadOnlySpan<int> span), Is.True);
        Assert.That(span.ToArray(), Is.EqualTo(new[] { 1, 2, 3 }));

        var big = MessageWriter.CreateSignal("/", "a.b", "C", "ai", byteOrder: DBusByteOrder.BigEndian);
        big.WriteArray([1, 2, 3]);
        using var be = Reparse(big.ToMessage());
        var beReader = be.GetBodyReader();
        Assert.That(beReader.TryReadArrayAsSpan(out ReadOnlySpan<int> _), Is.False);
        Assert.That(beReader.ReadArrayOfInt32(), Is.EqualTo(new[] { 1, 2, 3 }), "nothing was consumed by the failed try");
    }

    [Test]
    public void Structs_and_nested_arrays_with_manual_iteration()
    {
        var writer = MessageWriter.CreateSignal("/", "a.b", "C", "a(ias)");
        var outer = writer.WriteArrayStart(DBusType.Struct);
        for (int i = 0; i < 3; i++)
        {
            writer.WriteStructStart();
            writer.WriteInt32(i);
            var inner = writer.WriteArrayStart(DBusType.String);
            for (int j = 0; j < i; j++)
            {
                writer.WriteString($"s{j}");
            }
            writer.WriteArrayEnd(inner);
        }
        writer.WriteArrayEnd(outer);
        using var message = Reparse(writer.ToMessage());

        var reader = message.GetBodyReader();
        var end = reader.ReadArrayStart(DBusType.Struct);
        var seen = new List<string>();
        while (reader.HasNext(end))
        {
            reader.AlignStruct();
            int n = reader.ReadInt32();
            seen.Add($"{n}:{string.Join(",", reader.ReadArrayOfString())}");
        }
        Assert.That(seen, Is.EqualTo(new[] { "0:", "1:s0", "2:s0,s1" }));
        Assert.That(reader.IsAtEnd, Is.True);
    }

    [Test]
    public void Writer_rejects_what_the_specification_forbids()
    {
        var writer = MessageWriter.CreateSignal("/", "a.b", "C", "s");
        try
        {
            var nul = Assert.Throws<ArgumentException>(() => WriteString("a\0b"));
            Assert.That(nul!.Message, Does.Contain("NUL"));
            var surrogate = Assert.Throws<ArgumentException>(() => WriteString("a\ud800b"));
            Assert.That(surrogate!.Message, Does.Contain("surrogate"));
        }
        finally
        {
            writer.Dispose();
        }

        Assert.That(() => MessageWriter.CreateMethodCall("no dots", "/", null, "M"), Throws.ArgumentException.With.Message.Contains("bus name"));
        Assert.That(() => MessageWriter.CreateMethodCall(null, "/", "bad..iface", "M"), Throws.ArgumentException.With.Message.Contains("interface"));
        Assert.That(() => MessageWriter.CreateMethodCall(null, "/", null, "1member"), Throws.ArgumentException.With.Message.Contains("member"));
        Assert.That(() => MessageWriter.CreateSignal("/", "a.b", "M", "a"), Throws.ArgumentException.With.Message.Contains("signature"));
        Assert.That(() => new ObjectPath("/a//b"), Throws.ArgumentException.With.Message.Contains("//"));
        Assert.That(() => new Signature("a{vs}"), Throws.ArgumentException.With.Message.Contains("basic"));

        static void WriteString(string s)
        {
            var w = MessageWriter.CreateSignal("/", "a.b", "C", "s");
            try
            {
                w.WriteString(s);
            }
            finally
            {
                w.Dispose();
            }
        }
    }

    [Test]
    public void Replies_and_errors_address_the_call()
    {
        using var call = HandCheckedFixtureTests.CallWithSerialAndSender(41, ":1.9");
        using var reply = Reparse(MessageWriter.CreateMethodReturn(call).ToMessage());
        Assert.That(reply.Type, Is.EqualTo(MessageType.MethodReturn));
        Assert.That(reply.ReplySerial, Is.EqualTo(41u));
        Assert.That(reply.Destination, Is.EqualTo(":1.9"));

        using var error = Reparse(MessageWriter.CreateError(call, "org.example.Error.Failed", "it broke").ToMessage());
        Assert.That(error.Type, Is.EqualTo(MessageType.Error));
        Assert.That(error.ErrorName, Is.EqualTo("org.example.Error.Failed"));
        Assert.That(error.Signature.Value, Is.EqualTo("s"));
        Assert.That(error.GetBodyReader().ReadString(), Is.EqualTo("it broke"));

        using var bare = Reparse(MessageWriter.CreateError(call, "org.example.E", null).ToMessage());
        Assert.That(bare.BodyLength, Is.Zero);

        using var unsent = MessageWriter.CreateMethodCall(null, "/", null, "M").ToMessage();
        Assert.That(() => MessageWriter.CreateMethodReturn(unsent), Throws.ArgumentException.With.Message.Contains("serial"));
    }

    [Test]
    public void Unix_fds_are_duplicated_on_write_and_handed_over_on_read()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        using var mine = UnixFd.Duplicate(pipe.ClientSafePipeHandle);

        var writer = MessageWriter.CreateMethodCall(null, "/", null, "TakeFd", "hh");
        writer.WriteUnixFd(mine);
        writer.WriteUnixFd(mine);
        using var sent = writer.ToMessage();
        sent.SetSerial(3);
        Assert.That(sent.UnixFdCount, Is.EqualTo(2));
        Assert.That(mine.IsValid, Is.True, "the caller keeps its descriptor");
        Assert.That(sent.UnixFds[0]!.DangerousGetDescriptor(), Is.Not.EqualTo(mine.DangerousGetDescriptor()));

        // What a transport would do: pass duplicates beside the bytes.
        var arrived = new List<UnixFd> { UnixFd.Duplicate(sent.UnixFds[0]!.DangerousGetDescriptor()), UnixFd.Duplicate(sent.UnixFds[1]!.DangerousGetDescriptor()) };
        using var received = Message.Parse(sent.Bytes.Span, arrived);
        Assert.That(received.UnixFdCount, Is.EqualTo(2));
        var reader = received.GetBodyReader();
        using var first = reader.ReadUnixFd();
        Assert.That(first, Is.SameAs(arrived[0]));
        Assert.That(reader.ReadUnixFdIndex(), Is.EqualTo(1));

        using (var stream = first.ToStream(FileAccess.Write))
        {
            stream.WriteByte(9);
        }
        Assert.That(pipe.ReadByte(), Is.EqualTo(9), "the descriptor read from the message reaches the caller's pipe");
        received.Dispose();
        Assert.That(arrived[1].IsValid, Is.False, "disposing the message closes descriptors nobody took");

        var again = received;
        Assert.That(() => again.GetBodyReader(), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void Too_few_descriptors_is_a_protocol_error_and_closes_those_given()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        var writer = MessageWriter.CreateMethodCall(null, "/", null, "M", "h");
        writer.WriteUnixFd(pipe.ClientSafePipeHandle);
        using var sent = writer.ToMessage();
        sent.SetSerial(1);
        var ex = Assert.Throws<DBusProtocolException>(() => Message.Parse(sent.Bytes.Span));
        Assert.That(ex!.Message, Does.Contain("1 descriptor(s) but 0 arrived"));
    }
}
