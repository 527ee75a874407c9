namespace DBus.Runtime.Tests.Connection;

/// <summary>
/// A large incoming message (at least the receive buffer's initial 64 KiB) takes over the buffer it was read into
/// instead of being copied out of it: reads stop at its end once its length is known, and after it only the next
/// fixed header is read. These tests send large and small messages run together in single writes, split at awkward
/// places and pipelined over a real socket with descriptors, and check every byte that comes out.
/// </summary>
[TestFixture]
public class LargeMessageReceiveTests
{
    private const string Guid = "0123456789abcdef0123456789abcdef";

    [Test]
    public async Task Large_and_small_messages_in_one_write_arrive_whole_and_in_order()
    {
        int[] sizes = [16, 200_000, 8, 65_536, 70_000, 3, 1_000_000, 64];
        byte[] wire = Concatenate(sizes.Select((size, i) => Bytes(Build(i, size))));

        var (_, b) = PairedTransport.CreatePair();
        await using var receiver = new MessageStream(b, Guid, false, default, null);
        // Not awaited first: the in-memory pipe holds back a writer until the reader takes what it wrote.
        var injecting = b.InjectAsync(wire);

        await ReceiveAllAsync(receiver, sizes, injecting);
    }

    [Test]
    public async Task A_message_split_right_behind_a_large_one_is_completed_by_the_next_read()
    {
        byte[] large = Bytes(Build(0, 300_000));
        byte[] small = Bytes(Build(1, 40));
        // The large message and the first half of the small one's fixed header, then the rest of the small one.
        byte[] first = Concatenate([large, small[..7]]);

        var (_, b) = PairedTransport.CreatePair();
        await using var receiver = new MessageStream(b, Guid, false, default, null);
        var injecting = b.InjectAsync(first);
        using (var message = await receiver.ReceiveAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)))
        {
            AssertContent(message, 0, 300_000);
        }
        await injecting.WaitAsync(TimeSpan.FromSeconds(10));
        var second = receiver.ReceiveAsync().AsTask();
        await b.InjectAsync(small[7..]).WaitAsync(TimeSpan.FromSeconds(10));
        using (var message = await second.WaitAsync(TimeSpan.FromSeconds(10)))
        {
            AssertContent(message, 1, 40);
        }
    }

    [Test]
    public async Task A_received_large_message_stays_intact_while_later_messages_are_read()
    {
        // The first message keeps the buffer it was read into; reading the next ones must not write over it.
        byte[] wire = Concatenate([Bytes(Build(0, 500_000)), Bytes(Build(1, 500_000)), Bytes(Build(2, 100))]);

        var (_, b) = PairedTransport.CreatePair();
        await using var receiver = new MessageStream(b, Guid, false, default, null);
        var injecting = b.InjectAsync(wire);
        using var first = await receiver.ReceiveAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        using var second = await receiver.ReceiveAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        using var third = await receiver.ReceiveAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        await injecting.WaitAsync(TimeSpan.FromSeconds(10));
        AssertContent(first, 0, 500_000);
        AssertContent(second, 1, 500_000);
        AssertContent(third, 2, 100);
    }

    [Test]
    public async Task Reads_stop_at_the_end_of_a_large_message_and_after_one_ask_for_the_next_fixed_header_only()
    {
        // What makes a stream of large messages free of copies: no read takes bytes of the next message along once
        // a large message's length is known (the buffer goes to the message whole), and the read after a large
        // message takes only the next fixed header (the next large message then starts in a buffer of its size).
        int[] sizes = [200_000, 300_000, 40, 90_000];
        byte[][] messages = sizes.Select((size, i) => Bytes(Build(i, size))).ToArray();
        byte[] wire = Concatenate(messages);

        var (_, b) = PairedTransport.CreatePair();
        await using var receiver = new MessageStream(b, Guid, false, default, null);
        var injecting = b.InjectAsync(wire);
        await ReceiveAllAsync(receiver, sizes, injecting);

        long afterFirst = messages[0].Length;
        long afterSecond = afterFirst + messages[1].Length;
        long offset = 0;
        var readsAt = new Dictionary<long, int>();
        foreach (var (asked, got) in b.Reads)
        {
            readsAt[offset] = asked;
            Assert.That(offset < afterFirst && offset + got > afterFirst, Is.False, $"a read from {offset} took {got} bytes across the end of the first message ({afterFirst})");
            Assert.That(offset < afterSecond && offset + got > afterSecond, Is.False, $"a read from {offset} took {got} bytes across the end of the second message ({afterSecond})");
            offset += got;
        }
        Assert.That(offset, Is.EqualTo(wire.Length));
        Assert.That(readsAt[afterFirst], Is.EqualTo(Message.FixedHeaderLength), "the read after the first (large) message");
        Assert.That(readsAt[afterSecond], Is.EqualTo(Message.FixedHeaderLength), "the read after the second (large) message");
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public async Task Messages_of_every_size_cut_into_random_pieces_arrive_whole_and_in_order(int seed)
    {
        // Pieces from 1 byte to 200 KB land anywhere: in a fixed header read alone, across the end of a large
        // message, inside the next one's header.
        var random = new Random(seed);
        int[] sizes = Enumerable.Range(0, 40).Select(_ => random.Next(4) switch
        {
            0 => random.Next(0, 100),
            1 => random.Next(60_000, 70_000),
            2 => random.Next(100_000, 400_000),
            _ => random.Next(100, 10_000),
        }).ToArray();
        byte[] wire = Concatenate(sizes.Select((size, i) => Bytes(Build(i, size))));

        var (_, b) = PairedTransport.CreatePair();
        await using var receiver = new MessageStream(b, Guid, false, default, null);
        var injecting = Task.Run(async () =>
        {
            for (int at = 0; at < wire.Length;)
            {
                int piece = Math.Min(wire.Length - at, random.Next(3) == 0 ? random.Next(1, 40) : random.Next(1, 200_000));
                await b.InjectAsync(wire[at..(at + piece)]);
                at += piece;
            }
        });

        await ReceiveAllAsync(receiver, sizes, injecting);
    }

    [Test]
    public async Task Large_and_small_calls_with_descriptors_pipelined_over_a_unix_socket_come_back_whole()
    {
        // The reactor's read path (TryReceiveData) with real recvmsg: sizes around the 64 KiB line, descriptors right
        // behind large messages (they come with the next message's first byte, in its 16-byte header read), eight
        // calls in flight, every reply echoing the call's bytes so both ends receive the mix.
        await using var peers = PeerPair.OverUnixSocket();
        peers.Server.AddMessageFilter((connection, message) =>
        {
            if (message.Type != MessageType.MethodCall || message.Member != "Check")
            {
                return MessageFilterResult.NotHandled;
            }
            var reader = message.GetBodyReader();
            byte[] bytes = reader.ReadArrayOfByte();
            string text = "";
            if (message.Signature.ToString() == "ayh")
            {
                using var fd = reader.ReadUnixFd();
                using var stream = new StreamReader(fd.ToStream(FileAccess.Read));
                text = stream.ReadToEnd();
            }
            var reply = MessageWriter.CreateMethodReturn(message, new Signature("ays"));
            reply.WriteArray(bytes);
            reply.WriteString(text);
            connection.Send(reply.ToMessage());
            return MessageFilterResult.Handled;
        });
        string path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "passed along");
            int[] sizes = [0, 1, 15, 100, 4_000, 65_400, 65_536, 70_000, 300_000, 1_000_000];
            var random = new Random(1234);
            var calls = Enumerable.Range(0, 120).Select(i => (Index: i, Size: sizes[random.Next(sizes.Length)], WithFd: random.Next(3) == 0)).ToArray();
            using var inFlight = new SemaphoreSlim(8);
            var results = await Task.WhenAll(calls.Select(async call =>
            {
                await inFlight.WaitAsync();
                try
                {
                    var writer = MessageWriter.CreateMethodCall(null, new ObjectPath("/large"), "org.test.Large", "Check", new Signature(call.WithFd ? "ayh" : "ay"));
                    writer.WriteArray(Pattern(call.Index, call.Size));
                    if (call.WithFd)
                    {
                        using var file = File.OpenHandle(path);
                        writer.WriteUnixFd(file);
                    }
                    return await peers.Client.CallAsync(writer.ToMessage(), (MessageView reply) =>
                    {
                        var reader = reply.GetBodyReader();
                        return (Bytes: reader.ReadArrayOfByte(), Text: reader.ReadString());
                    }).WaitAsync(PeerPair.Timeout);
                }
                finally
                {
                    inFlight.Release();
                }
            }));

            for (int i = 0; i < calls.Length; i++)
            {
                Assert.That(results[i].Bytes, Is.EqualTo(Pattern(i, calls[i].Size)), $"the bytes of call {i} ({calls[i].Size})");
                Assert.That(results[i].Text, Is.EqualTo(calls[i].WithFd ? "passed along" : ""), $"what call {i}'s descriptor read");
            }
            Assert.That(calls.Count(c => c.Size >= 65_536), Is.GreaterThan(20), "the seed gives a mix");
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Receives the messages <see cref="Build"/> made for <paramref name="sizes"/> and checks each, then waits
    /// for the bytes' writer.</summary>
    private static async Task ReceiveAllAsync(MessageStream receiver, int[] sizes, Task injecting)
    {
        for (int i = 0; i < sizes.Length; i++)
        {
            using var message = await receiver.ReceiveAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            AssertContent(message, i, sizes[i]);
        }
        await injecting.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>A signal whose body is its index and <paramref name="size"/> bytes that depend on both.</summary>
    private static Message Build(int index, int size)
    {
        var writer = MessageWriter.CreateSignal(new ObjectPath("/large"), "org.test.Large", "M", new Signature("iay"));
        writer.WriteInt32(index);
        writer.WriteArray(Pattern(index, size));
        var message = writer.ToMessage();
        message.SetSerial((uint)index + 1);
        return message;
    }

    private static byte[] Pattern(int index, int size) =>
        Enumerable.Range(0, size).Select(i => (byte)(i * 31 + index * 7 + (i >> 8))).ToArray();

    private static byte[] Bytes(Message message)
    {
        using (message)
        {
            return message.Bytes.ToArray();
        }
    }

    private static byte[] Concatenate(IEnumerable<byte[]> parts) => parts.SelectMany(part => part).ToArray();

    private static void AssertContent(Message message, int index, int size)
    {
        Assert.That(message.Serial, Is.EqualTo((uint)index + 1));
        var reader = message.GetBodyReader();
        Assert.That(reader.ReadInt32(), Is.EqualTo(index));
        Assert.That(reader.ReadArrayOfByte(), Is.EqualTo(Pattern(index, size)), $"the body of message {index} ({size} bytes)");
    }
}
