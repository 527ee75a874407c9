using System.Buffers;
using System.Buffers.Binary;
using static DBus.Runtime.Tests.Wire.WireTestHelpers;

namespace DBus.Runtime.Tests.Wire;

public class FramingTests
{
    internal static byte[] SampleBytes(uint serial = 1, string text = "payload")
    {
        var writer = MessageWriter.CreateMethodCall("org.example.Dest", "/org/example", "org.example.Iface", "Do", "sai");
        writer.WriteString(text);
        writer.WriteArray([1, 2, 3]);
        using var message = writer.ToMessage();
        message.SetSerial(serial);
        return message.Bytes.ToArray();
    }

    [Test]
    public void Needs_more_until_the_message_is_whole_at_every_cut()
    {
        byte[] bytes = SampleBytes();
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            var buffer = new ReadOnlySequence<byte>(bytes, 0, cut);
            Assert.That(Message.TryRead(ref buffer, out var message), Is.False, $"cut at {cut}");
            Assert.That(message, Is.Null);
            Assert.That(buffer.Length, Is.EqualTo(cut), "nothing consumed");
        }
        var whole = new ReadOnlySequence<byte>(bytes);
        Assert.That(Message.TryRead(ref whole, out var read), Is.True);
        using (read)
        {
            Assert.That(read!.Member, Is.EqualTo("Do"));
            Assert.That(whole.Length, Is.Zero);
        }
    }

    [Test]
    public void Reads_back_to_back_messages_split_across_segments()
    {
        byte[] all = [.. SampleBytes(1, "one"), .. SampleBytes(2, "two"), .. SampleBytes(3, "three")];
        // One segment per 5 bytes, so the fixed header and every field straddle segment boundaries.
        var sequence = Segments.Of(all.Chunk(5).ToArray());
        var texts = new List<string>();
        while (Message.TryRead(ref sequence, out var message))
        {
            using (message)
            {
                texts.Add(message.GetBodyReader().ReadString());
            }
        }
        Assert.That(texts, Is.EqualTo(new[] { "one", "two", "three" }));
        Assert.That(sequence.Length, Is.Zero);
    }

    [Test]
    public void Fixed_header_gives_the_length()
    {
        byte[] bytes = SampleBytes();
        Assert.That(Message.TryGetLength(bytes.AsSpan(0, 15), out _), Is.False);
        Assert.That(Message.TryGetLength(bytes.AsSpan(0, 16), out int length), Is.True);
        Assert.That(length, Is.EqualTo(bytes.Length));
    }

    [Test]
    public void Descriptors_are_dequeued_with_their_message()
    {
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.In);
        var writer = MessageWriter.CreateSignal("/", "a.b", "C", "h");
        writer.WriteUnixFd(pipe.ClientSafePipeHandle);
        using var sent = writer.ToMessage();
        sent.SetSerial(5);
        Assert.That(sent.Header.FieldAt(sent.Header.FieldCount - 1), Is.EqualTo(MessageHeader.FieldUnixFds), "UNIX_FDS appended after the body was written");

        var queue = new Queue<UnixFd>([UnixFd.Duplicate(pipe.ClientSafePipeHandle), UnixFd.Duplicate(pipe.ClientSafePipeHandle)]);
        var buffer = new ReadOnlySequence<byte>(sent.Bytes);
        Assert.That(Message.TryRead(ref buffer, out var received, queue), Is.True);
        using (received)
        {
            Assert.That(received!.UnixFdCount, Is.EqualTo(1));
            Assert.That(queue, Has.Count.EqualTo(1), "only the one descriptor the message announced was taken");
            using var fd = received.GetBodyReader().ReadUnixFd();
            Assert.That(fd.IsValid, Is.True);
        }
        queue.Dequeue().Dispose();
    }

    private static byte[] Patch(byte[] original, Action<byte[]> change)
    {
        byte[] copy = original.ToArray();
        change(copy);
        return copy;
    }

    private static DBusProtocolException Malformed(byte[] bytes)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        return Assert.Throws<DBusProtocolException>(() =>
        {
            if (Message.TryRead(ref buffer, out var message))
            {
                using (message)
                {
                    var reader = message.GetBodyReader();
                    reader.Skip(message.Signature);
                }
            }
            else
            {
                Assert.Fail("TryRead asked for more bytes instead of rejecting the message");
            }
        })!;
    }

    [Test]
    public void Malformed_headers_are_rejected_with_the_reason_and_offset()
    {
        byte[] good = SampleBytes();
        Assert.Multiple(() =>
        {
            var e = Malformed(Patch(good, b => b[0] = (byte)'x'));
            Assert.That(e.Offset, Is.Zero);
            Assert.That(e.Message, Does.Contain("byte order"));

            e = Malformed(Patch(good, b => b[3] = 2));
            Assert.That(e.Offset, Is.EqualTo(3));
            Assert.That(e.Message, Does.Contain("version"));

            e = Malformed(Patch(good, b => b[1] = 0));
            Assert.That(e.Message, Does.Contain("type 0"));

            e = Malformed(Patch(good, b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), 0)));
            Assert.That(e.Message, Does.Contain("serial is 0"));

            e = Malformed(Patch(good, b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), uint.MaxValue)));
            Assert.That(e.Message, Does.Contain("limit"));

            e = Malformed(Patch(good, b => b[16] = 0));
            Assert.That(e.Offset, Is.EqualTo(16));
            Assert.That(e.Message, Does.Contain("code 0"));

            e = Malformed(Patch(good, b => b[18] = (byte)'s'));
            Assert.That(e.Message, Does.Contain("PATH has type 's'"));

            // The path starts with '/'; make it '_'.
            e = Malformed(Patch(good, b => b[24] = (byte)'_'));
            Assert.That(e.Message, Does.Contain("invalid object path"));
        });
    }

    [Test]
    public void Body_violations_are_rejected_with_the_offset()
    {
        var writer = MessageWriter.CreateSignal("/", "a.b", "C", "bs");
        writer.WriteBoolean(true);
        writer.WriteString("ab");
        using var message = writer.ToMessage();
        message.SetSerial(1);
        byte[] good = message.Bytes.ToArray();
        int body = good.Length - message.BodyLength;

        var e = Malformed(Patch(good, b => b[body] = 2));
        Assert.That(e.Offset, Is.EqualTo(body));
        Assert.That(e.Message, Does.Contain("boolean is 2"));

        e = Malformed(Patch(good, b => b[body + 8] = 0));
        Assert.That(e.Offset, Is.EqualTo(body + 8));
        Assert.That(e.Message, Does.Contain("NUL"));

        e = Malformed(Patch(good, b => b[body + 8] = 0xff));
        Assert.That(e.Message, Does.Contain("UTF-8"));

        e = Malformed(Patch(good, b => b[body + 10] = (byte)'x'));
        Assert.That(e.Message, Does.Contain("not NUL-terminated"));

        e = Malformed(Patch(good, b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(body + 4), 1000)));
        Assert.That(e.Offset, Is.EqualTo(body + 4));
        Assert.That(e.Message, Does.Contain("exceeds"));
    }

    [Test]
    public void Nonzero_padding_and_missing_required_fields_are_rejected()
    {
        var writer = MessageWriter.CreateSignal("/", "a.b", "C", "yi");
        writer.WriteByte(1);
        writer.WriteInt32(2);
        using var message = writer.ToMessage();
        message.SetSerial(1);
        byte[] good = message.Bytes.ToArray();
        int body = good.Length - message.BodyLength;
        var e = Malformed(Patch(good, b => b[body + 2] = 7));
        Assert.That(e.Offset, Is.EqualTo(body + 2));
        Assert.That(e.Message, Does.Contain("padding"));

        var noInterface = new MessageHeader { Type = MessageType.Signal, Path = "/", Member = "C" };
        using var bad = MessageWriter.Create(noInterface, DBusByteOrder.LittleEndian).ToMessage();
        bad.SetSerial(1);
        e = Assert.Throws<DBusProtocolException>(() => Message.Parse(bad.Bytes.Span))!;
        Assert.That(e.Message, Does.Contain("a signal has no INTERFACE"));
    }

    [Test]
    public void Unknown_header_fields_are_ignored_and_unknown_types_are_framed()
    {
        // Take the Hello fixture and append an unknown field 200 of type "as" before the padding.
        var writer = MessageWriter.CreateMethodCall(null, "/", null, "M");
        using var plain = writer.ToMessage();
        plain.SetSerial(1);
        byte[] bytes = plain.Bytes.ToArray();
        int fieldsLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        int fieldsEnd = 16 + fieldsLength;
        int aligned = (fieldsEnd + 7) & ~7;
        byte[] extra = Hex("c8 02 'as' 00 00 00 00  06 00 00 00  01 00 00 00 'x' 00");
        // Padding before the field (to 8), then the field itself; message ends right after (no body).
        var list = new List<byte>(bytes.AsSpan(0, aligned).ToArray());
        list.AddRange(extra);
        int newFieldsLength = list.Count - 16;
        while (list.Count % 8 != 0)
        {
            list.Add(0);
        }
        byte[] patched = list.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(patched.AsSpan(12), newFieldsLength);
        using var message = Message.Parse(patched);
        Assert.That(message.Member, Is.EqualTo("M"));

        patched[1] = 9;
        using var unknownType = Message.Parse(patched);
        Assert.That((int)unknownType.Type, Is.EqualTo(9));
    }

    [Test]
    public void Duplicate_header_field_is_rejected()
    {
        var header = new MessageHeader { Type = MessageType.MethodCall, Path = "/", Member = "M" };
        header.RecordField(MessageHeader.FieldPath);
        header.RecordField(MessageHeader.FieldMember);
        header.RecordField(MessageHeader.FieldMember);
        using var message = MessageWriter.Create(header, DBusByteOrder.LittleEndian).ToMessage();
        message.SetSerial(1);
        var e = Assert.Throws<DBusProtocolException>(() => Message.Parse(message.Bytes.Span))!;
        Assert.That(e.Message, Does.Contain("MEMBER appears twice"));
    }

    [Test]
    public void Array_longer_than_64_MiB_is_rejected_before_allocating()
    {
        var writer = MessageWriter.CreateSignal("/", "a.b", "C", "ay");
        writer.WriteArray(new byte[16]);
        using var message = writer.ToMessage();
        message.SetSerial(1);
        byte[] bytes = message.Bytes.ToArray();
        int body = bytes.Length - message.BodyLength;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(body), 64 * 1024 * 1024 + 1);
        var e = Malformed(bytes);
        Assert.That(e.Message, Does.Contain("exceeds the limit of 67108864"));
    }

    [Test]
    public void Variant_nesting_beyond_64_is_rejected()
    {
        // 70 nested variants around a byte: 70 * (01 'v' 00) then 01 'y' 00 then the byte.
        var body = new List<byte>();
        for (int i = 0; i < 70; i++)
        {
            body.AddRange([1, (byte)'v', 0]);
        }
        body.AddRange([1, (byte)'y', 0, 42]);
        var header = new MessageHeader { Type = MessageType.Signal, Path = "/", Interface = "a.b", Member = "C", Signature = SignatureInfo.GetValidated("v") };
        var writer = MessageWriter.Create(header, DBusByteOrder.LittleEndian);
        foreach (byte b in body)
        {
            writer.WriteByte(b);
        }
        using var message = writer.ToMessage();
        message.SetSerial(1);
        var e = Malformed(message.Bytes.ToArray());
        Assert.That(e.Message, Does.Contain("nested deeper than 64"));

        Variant deep = 1;
        for (int i = 0; i < 70; i++)
        {
            deep = Variant.FromVariant(deep);
        }
        var w = MessageWriter.CreateSignal("/", "a.b", "C", "v");
        try
        {
            bool threw = false;
            try
            {
                w.WriteVariant(deep);
            }
            catch (ArgumentException ex) when (ex.Message.Contains("deeper than 64"))
            {
                threw = true;
            }
            Assert.That(threw, Is.True, "the writer refuses to produce what a reader must reject");
        }
        finally
        {
            w.Dispose();
        }
    }
}

/// <summary>Builds multi-segment sequences.</summary>
internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Of(byte[][] chunks)
    {
        var first = new Segments(chunks[0], 0);
        var last = first;
        for (int i = 1; i < chunks.Length; i++)
        {
            var next = new Segments(chunks[i], last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
