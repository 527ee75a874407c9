using System.Buffers;
using System.Reflection;

namespace DBus.Runtime.Tests.Wire;

/// <summary>
/// Messages written by real peers (dbus-daemon, gdbus/GDBus, busctl/sd-bus, dbus-python/libdbus), captured with
/// <c>dbus-monitor --binary</c> by Fixtures/capture-peers.sh: we frame and read every one, and re-encoding each
/// (same header fields in the same order, body values read into variants and written back) gives the same bytes.
/// </summary>
public class PeerCaptureTests
{
    private static byte[] Capture()
    {
        string root = typeof(PeerCaptureTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "RepositoryRoot").Value!;
        return File.ReadAllBytes(Path.Combine(root, "tests/DBus.Runtime.Tests/Wire/Fixtures/peers.bin"));
    }

    private static List<Message> ReadAll()
    {
        var buffer = new ReadOnlySequence<byte>(Capture());
        var messages = new List<Message>();
        while (Message.TryRead(ref buffer, out var message))
        {
            messages.Add(message);
        }
        Assert.That(buffer.Length, Is.Zero, "the capture ends on a message boundary");
        return messages;
    }

    [Test]
    public void Every_captured_message_is_read()
    {
        var messages = ReadAll();
        try
        {
            Assert.That(messages, Has.Count.GreaterThan(20));
            foreach (var message in messages)
            {
                var reader = message.GetBodyReader();
                foreach (var type in message.Signature)
                {
                    reader.ReadValue(type);
                }
                Assert.That(reader.IsAtEnd, Is.True, message.ToString());
            }

            var gdbus = messages.Single(m => m.Member == "Changed");
            var gReader = gdbus.GetBodyReader();
            var dict = gReader.ReadValue("a{sv}").ToStringVariantDictionary();
            Assert.That(dict["a"].GetInt32(), Is.EqualTo(1));
            Assert.That(dict["b"].GetByteArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
            var tuple = gReader.ReadValue("(ntdog)");
            Assert.That(tuple[0].GetInt16(), Is.EqualTo(-2));
            Assert.That(tuple[4].GetSignature().Value, Is.EqualTo("a{sv}"));
            Assert.That(gReader.ReadArrayOfInt64(), Is.EqualTo(new long[] { 1, -1 }));

            var busctl = messages.Single(m => m.Member == "Sig");
            Assert.That(busctl.Signature.Value, Is.EqualTo("a{sv}(yb)aasv"));
            var bReader = busctl.GetBodyReader();
            Assert.That(bReader.ReadValue("a{sv}").ToStringVariantDictionary()["k"].GetInt32(), Is.EqualTo(5));

            var python = messages.Single(m => m.Member == "Everything");
            var pReader = python.GetBodyReader();
            Assert.That(pReader.ReadByte(), Is.EqualTo(255));
            Assert.That(pReader.ReadBoolean(), Is.True);
            pReader.Skip("nqiuxtd");
            Assert.That(pReader.ReadString(), Is.EqualTo("snow ☃"));
            Assert.That(pReader.ReadObjectPath().Value, Is.EqualTo("/p/q"));

            var error = messages.First(m => m.Type == MessageType.Error);
            Assert.That(error.ErrorName, Is.EqualTo("org.freedesktop.DBus.Error.UnknownMethod"));
            Assert.That(error.ReplySerial, Is.Not.Null);
        }
        finally
        {
            messages.ForEach(m => m.Dispose());
        }
    }

    [Test]
    public void Re_encoding_every_captured_message_gives_the_same_bytes()
    {
        var messages = ReadAll();
        try
        {
            foreach (var original in messages)
            {
                var writer = MessageWriter.Create(original.Header, original.ByteOrder, original.Length);
                var reader = original.GetBodyReader();
                foreach (var type in original.Signature)
                {
                    writer.WriteValue(reader.ReadValue(type));
                }
                using var again = writer.ToMessage();
                Assert.That(WireTestHelpers.ToHex(again.Bytes.Span), Is.EqualTo(WireTestHelpers.ToHex(original.Bytes.Span)), original.ToString());
            }
        }
        finally
        {
            messages.ForEach(m => m.Dispose());
        }
    }
}
