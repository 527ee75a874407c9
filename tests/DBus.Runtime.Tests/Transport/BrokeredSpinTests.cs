using System.Collections.Concurrent;
using DBus.Runtime.Tests.Connection;
using DBus.Testing;
using DBus.Transport;

namespace DBus.Runtime.Tests.Transport;

/// <summary>
/// A reactor thread does not spin after a message of a connection to a bus that has at most one call of its own
/// waiting (the next message needs dbus-daemon and a peer to run first), and may after a peer-to-peer message or while
/// a stream of answers is on its way. Read from the reply readers, which run in the dispatch turn on the reactor thread.
/// </summary>
[TestFixture]
[NonParallelizable]
public class BrokeredSpinTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);
    private static readonly ReplyReader<bool> s_readNoted = _ => SocketReactor.BrokeredNoted;

    [Test]
    public async Task The_reply_to_the_only_call_waiting_on_a_bus_connection_says_no_spin()
    {
        await using var bus = await PrivateBus.StartAsync();
        await using var server = await DBusConnection.ConnectAsync(bus.Address);
        PeerPair.ServeEcho(server);
        await using var client = await DBusConnection.ConnectAsync(bus.Address);

        bool noted = await client.CallAsync(EchoTo(server.UniqueName!), s_readNoted).WaitAsync(s_timeout);

        Assert.That(noted, Is.True);
    }

    [Test]
    public async Task A_peer_to_peer_reply_leaves_the_spin_to_the_policy()
    {
        await using var peers = PeerPair.OverUnixSocket();
        PeerPair.ServeEcho(peers.Server);

        bool noted = await peers.Client.CallAsync(PeerPair.Echo("p2p"), s_readNoted).WaitAsync(s_timeout);

        Assert.That(noted, Is.False);
    }

    [Test]
    public async Task Replies_with_more_calls_waiting_on_a_bus_connection_leave_the_spin_to_the_policy()
    {
        await using var bus = await PrivateBus.StartAsync();
        await using var server = await DBusConnection.ConnectAsync(bus.Address);
        // Holds the replies to three calls, then sends them together, so the first replies arrive with others still waiting.
        var held = new ConcurrentQueue<Message>();
        server.AddMessageFilter((connection, message) =>
        {
            if (message.Type != MessageType.MethodCall || message.Member != "Echo")
            {
                return MessageFilterResult.NotHandled;
            }
            held.Enqueue(MessageWriter.CreateMethodReturn(message).ToMessage());
            if (held.Count == 3)
            {
                while (held.TryDequeue(out var reply))
                {
                    connection.Send(reply);
                }
            }
            return MessageFilterResult.Handled;
        });
        await using var client = await DBusConnection.ConnectAsync(bus.Address);

        var calls = Enumerable.Range(0, 3).Select(_ => client.CallAsync(EchoTo(server.UniqueName!), s_readNoted)).ToArray();
        bool[] noted = await Task.WhenAll(calls).WaitAsync(s_timeout);

        Assert.That(noted, Is.EqualTo(new[] { false, false, true }), "three waiting, two waiting, the last one");
    }

    private static Message EchoTo(string destination)
    {
        var writer = MessageWriter.CreateMethodCall(destination, new ObjectPath("/org/test"), "org.test.Iface", "Echo", new Signature("s"));
        writer.WriteString("via the bus");
        return writer.ToMessage();
    }
}
