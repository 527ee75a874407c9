using System.Buffers.Binary;

namespace DBus.IntegrationTests;

/// <summary>
/// What a connection and a peer would do with the generated messages, done by hand with the wire API:
/// give a message its serial, parse it as received bytes, and answer a call with a copy of its body read
/// and re-written through the runtime's untyped <see cref="Variant"/> path (independent of generated code).
/// </summary>
internal static class WireHelpers
{
    /// <summary>The message as a peer receives it: its bytes with a serial patched in (the connection's job), parsed.</summary>
    public static Message Received(Message message, uint serial)
    {
        byte[] bytes = message.Bytes.ToArray();
        if (bytes[0] == (byte)'l')
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), serial);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), serial);
        }
        return Message.Parse(bytes);
    }

    /// <summary>A reply whose body repeats the call's arguments, each read as a Variant and written back as its value.</summary>
    public static Message EchoReply(Message call)
    {
        using var received = Received(call, serial: 7);
        var writer = MessageWriter.CreateMethodReturn(received, received.Signature);
        try
        {
            var reader = received.GetBodyReader();
            foreach (var type in received.Signature)
            {
                writer.WriteValue(reader.ReadValue(type));
            }
            Assert.That(reader.IsAtEnd, Is.True, "the call's body holds more than its signature says");
            using var reply = writer.ToMessage();
            return Received(reply, serial: 8);
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>A reply to <paramref name="call"/> with the body <paramref name="write"/> writes.</summary>
    public static Message Reply(Message call, Signature signature, WriteBody write)
    {
        using var received = Received(call, serial: 7);
        var writer = MessageWriter.CreateMethodReturn(received, signature);
        try
        {
            write(ref writer);
            using var reply = writer.ToMessage();
            return Received(reply, serial: 8);
        }
        finally
        {
            writer.Dispose();
        }
    }

    public delegate void WriteBody(ref MessageWriter writer);
}
