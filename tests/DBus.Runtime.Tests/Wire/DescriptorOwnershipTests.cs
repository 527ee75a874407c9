using System.IO.Pipes;
using DBusGen.Tests.Shared;
using DBus.Transport;

namespace DBus.Runtime.Tests.Wire;

/// <summary>
/// Whatever a generic read takes out of a message is owned by the variant returned, and disposing that variant
/// closes it: 2,000 messages received over a real socket, read with ReadValue, ReadVariant and as an a{sv}, leave
/// no descriptor open, with the GC kept from running (a finalizer must not be what closes them).
/// </summary>
[NonParallelizable]
public class DescriptorOwnershipTests
{
    private const int Messages = 2000;
    private const string Guid = "00112233445566778899aabbccddeeff";

    public enum Shape
    {
        ReadValueH,
        ReadVariantOfH,
        DictionaryOfVariants,
        StructInArray,
    }

    [TestCase(Shape.ReadValueH)]
    [TestCase(Shape.ReadVariantOfH)]
    [TestCase(Shape.DictionaryOfVariants)]
    [TestCase(Shape.StructInArray)]
    public async Task Generic_reads_of_descriptors_leave_none_open_once_the_variants_are_disposed(Shape shape)
    {
        var (a, b) = SocketTransport.CreatePair();
        a.EnableUnixFds();
        b.EnableUnixFds();
        await using var sender = new MessageStream(a, Guid, true, default, null);
        await using var receiver = new MessageStream(b, Guid, true, default, null);
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        using var writeEnd = UnixFd.Duplicate(pipe.ClientSafePipeHandle);
        // One round first, so buffers and lazily opened runtime descriptors are in the baseline.
        await RoundAsync(sender, receiver, writeEnd, shape, 1);
        int before = DescriptorCount.Current();

        using (new NoGCRegion())
        {
            await RoundAsync(sender, receiver, writeEnd, shape, Messages);
            Assert.That(DescriptorCount.Current(), Is.LessThanOrEqualTo(before + 4), $"descriptors open after {Messages} messages ({shape})");
        }
    }

    [Test]
    public void A_variant_owns_its_descriptors_and_says_so()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        var fd = UnixFd.Duplicate(pipe.ClientSafePipeHandle);
        var nested = Variant.CreateStruct(1, Variant.FromVariant(Variant.CreateArray("h", [fd])));
        Variant plain = "no descriptors";
        Assert.Multiple(() =>
        {
            Assert.That(nested.HasUnixFds, Is.True);
            Assert.That(plain.HasUnixFds, Is.False);
            Assert.That(Variant.FromVariant(42).HasUnixFds, Is.False);
        });
        plain.Dispose();
        nested.Dispose();
        Assert.That(fd.IsValid, Is.False, "disposing the variant closed the descriptor nested in it");
        nested.Dispose(); // a second dispose, from a copy, is harmless
    }

    [Test]
    public void A_descriptor_handed_on_from_a_variant_outlives_it()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        Variant variant = UnixFd.Duplicate(pipe.ClientSafePipeHandle);
        using var handle = variant.GetUnixFd().ToSafeHandle();
        variant.Dispose();
        Assert.That(handle.IsClosed, Is.False);
    }

    [Test]
    public void Descriptors_read_before_a_malformed_value_are_closed()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        using var fd = UnixFd.Duplicate(pipe.ClientSafePipeHandle);
        var writer = MessageWriter.CreateSignal("/", "a.b", "C", "(hs)");
        writer.WriteStructStart();
        writer.WriteUnixFd(fd);
        writer.WriteString("text");
        using var message = writer.ToMessage();
        message.SetSerial(1);
        // Corrupt the string's terminating NUL: the struct's second field fails after its first took the descriptor.
        byte[] bytes = message.Bytes.ToArray();
        bytes[^1] = (byte)'!';
        using var copy = Message.Parse(bytes, [UnixFd.Duplicate(fd.DangerousGetDescriptor())]);
        int before = DescriptorCount.Current();
        Assert.Throws<DBusProtocolException>(() => copy.GetBodyReader().ReadValue("(hs)"));
        Assert.That(DescriptorCount.Current(), Is.EqualTo(before - 1), "the descriptor taken for the first field was closed");
    }

    private static async Task RoundAsync(MessageStream sender, MessageStream receiver, UnixFd fd, Shape shape, int count)
    {
        var sending = Task.Run(async () =>
        {
            for (int i = 0; i < count; i++)
            {
                await sender.SendAsync(Build(fd, shape));
            }
        });
        for (int i = 0; i < count; i++)
        {
            using var message = await receiver.ReceiveAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            var reader = message.GetBodyReader();
            Variant value = shape switch
            {
                Shape.ReadValueH => reader.ReadValue("h"),
                Shape.ReadVariantOfH => reader.ReadVariant(),
                Shape.DictionaryOfVariants => reader.ReadValue("a{sv}"),
                _ => reader.ReadValue("a(sh)"),
            };
            Assert.That(value.HasUnixFds, Is.True);
            value.Dispose();
        }
        await sending;
    }

    private static Message Build(UnixFd fd, Shape shape)
    {
        string signature = shape switch
        {
            Shape.ReadValueH => "h",
            Shape.ReadVariantOfH => "v",
            Shape.DictionaryOfVariants => "a{sv}",
            _ => "a(sh)",
        };
        var writer = MessageWriter.CreateSignal("/org/example", "org.example.Fds", "Fd", signature);
        switch (shape)
        {
            case Shape.ReadValueH:
                writer.WriteUnixFd(fd);
                break;
            case Shape.ReadVariantOfH:
                writer.WriteVariant(fd);
                break;
            case Shape.DictionaryOfVariants:
                writer.WriteDictionary([new("name", "log"), new("fd", fd), new("nested", Variant.FromVariant(fd))]);
                break;
            default:
                writer.WriteValue(Variant.CreateArray("(sh)", [Variant.CreateStruct("one", fd), Variant.CreateStruct("two", fd)]));
                break;
        }
        return writer.ToMessage();
    }
}
