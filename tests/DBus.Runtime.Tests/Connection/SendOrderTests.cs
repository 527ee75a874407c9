using DBus.Transport;

namespace DBus.Runtime.Tests.Connection;

/// <summary>
/// Sends are written inline on the sender's thread when nothing waits, and queued otherwise (a full socket, a
/// message with descriptors): whatever path each takes, one sender's messages arrive in the order it sent them.
/// </summary>
[TestFixture]
public class SendOrderTests
{
    [Test]
    public async Task Each_senders_messages_arrive_in_order_whether_written_inline_or_queued()
    {
        var (a, b) = SocketTransport.CreatePair();
        a.EnableUnixFds();
        b.EnableUnixFds();
        const string guid = "0123456789abcdef0123456789abcdef";
        await using var sender = new MessageStream(a, guid, true, default, null);
        await using var receiver = new MessageStream(b, guid, true, default, null);
        const int senders = 3;
        const int perSender = 2_000;
        using var fdSource = UnixFd.Duplicate(0);

        // Large bodies now and then fill the socket, so later sends queue behind a write in progress; every 50th
        // message carries a descriptor, which always goes through the writer loop.
        var sending = Enumerable.Range(0, senders).Select(id => Task.Run(() =>
        {
            for (int i = 0; i < perSender; i++)
            {
                var writer = MessageWriter.CreateSignal(new ObjectPath("/order"), "org.test.Order", "S" + id,
                    new Signature(i % 50 == 0 ? "iayh" : "iay"));
                writer.WriteInt32(i);
                writer.WriteArray(new byte[i % 97 == 0 ? 200_000 : 16]);
                if (i % 50 == 0)
                {
                    writer.WriteUnixFd(fdSource);
                }
                sender.Enqueue(writer.ToMessage(), null, mayWriteInline: true);
            }
        })).ToArray();

        var next = new int[senders];
        for (int received = 0; received < senders * perSender; received++)
        {
            using var message = await receiver.ReceiveAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            int id = message.Member![1] - '0';
            int index = message.GetBodyReader().ReadInt32();
            Assert.That(index, Is.EqualTo(next[id]), $"sender {id}'s messages out of order");
            next[id]++;
        }
        await Task.WhenAll(sending);
        Assert.That(next, Is.All.EqualTo(perSender));
    }
}
