using System.Buffers;

namespace DBus.Runtime.Tests.Auth;

internal static class AuthTestHelpers
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Sends Hello right after the handshake and returns the unique name the bus assigns.</summary>
    public static async Task<string> HelloAsync(DBusTransport transport, AuthResult auth)
    {
        Message hello;
        {
            var writer = MessageWriter.CreateMethodCall("org.freedesktop.DBus", new ObjectPath("/org/freedesktop/DBus"), "org.freedesktop.DBus", "Hello");
            hello = writer.ToMessage();
        }
        using (hello)
        {
            hello.SetSerial(1);
            await transport.SendAsync(hello.Bytes, ReadOnlyMemory<int>.Empty, CancellationToken.None);
        }
        using Message reply = await ReadMessageAsync(transport, auth.ReadAhead, auth.ReadAheadFds);
        Assert.That(reply.Type, Is.EqualTo(MessageType.MethodReturn), reply.ToString());
        Assert.That(reply.ReplySerial, Is.EqualTo(1u));
        return reply.GetBodyReader().ReadString();
    }

    /// <summary>Reads one whole message, starting from bytes already received.</summary>
    public static async Task<Message> ReadMessageAsync(DBusTransport transport, ReadOnlyMemory<byte> readAhead, Queue<UnixFd> fds)
    {
        var received = new List<byte>(readAhead.ToArray());
        var buffer = new byte[4096];
        while (true)
        {
            var sequence = new ReadOnlySequence<byte>(received.ToArray());
            if (Message.TryRead(ref sequence, out Message? message, fds))
            {
                return message;
            }
            int n = await transport.ReceiveAsync(buffer, fds, CancellationToken.None).AsTask().WaitAsync(Timeout);
            if (n == 0)
            {
                throw new EndOfStreamException("the peer closed before a whole message arrived");
            }
            received.AddRange(buffer.AsSpan(0, n).ToArray());
        }
    }
}
