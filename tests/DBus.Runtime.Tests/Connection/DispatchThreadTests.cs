using DBus.Transport;

namespace DBus.Runtime.Tests.Connection;

/// <summary>
/// Over a Unix socket the connection reads and dispatches on a thread of its own (it sleeps in poll between
/// messages); over other transports, as an async loop on the thread pool.
/// </summary>
[TestFixture]
public class DispatchThreadTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    [Test]
    public async Task Over_a_Unix_socket_the_connection_dispatches_on_its_own_thread_which_ends_with_it()
    {
        var (a, b) = SocketTransport.CreatePair();
        const string guid = "0123456789abcdef0123456789abcdef";
        var options = new DBusConnectionOptions { IsBus = false };
        var client = new DBusConnection(new MessageStream(a, guid, false, default, null), options);
        var server = new DBusConnection(new MessageStream(b, guid, false, default, null), options);
        var seen = new TaskCompletionSource<Thread>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.AddMessageFilter((connection, message) =>
        {
            if (message.Member != "Where")
            {
                return MessageFilterResult.NotHandled;
            }
            seen.TrySetResult(Thread.CurrentThread);
            connection.Send(MessageWriter.CreateMethodReturn(message).ToMessage());
            return MessageFilterResult.Handled;
        });
        using (var reply = await client.CallAsync(PeerPair.Call("Where"), s_timeout))
        {
            Assert.That(reply.Type, Is.EqualTo(MessageType.MethodReturn));
        }
        var thread = await seen.Task.WaitAsync(s_timeout);
        Assert.That(thread.IsThreadPoolThread, Is.False);
        Assert.That(thread.Name, Is.EqualTo("D-Bus dispatch"));

        // Disposing (from another thread) wakes the thread out of poll, and it ends.
        await server.DisposeAsync();
        Assert.That(thread.Join(s_timeout), Is.True, "the dispatch thread ended");
        await client.DisposeAsync();
    }

    [Test]
    public async Task Over_another_transport_the_connection_dispatches_on_the_thread_pool()
    {
        await using var pair = PeerPair.Create();
        var seen = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Server.AddMessageFilter((connection, message) =>
        {
            if (message.Member != "Where")
            {
                return MessageFilterResult.NotHandled;
            }
            seen.TrySetResult(Thread.CurrentThread.IsThreadPoolThread);
            connection.Send(MessageWriter.CreateMethodReturn(message).ToMessage());
            return MessageFilterResult.Handled;
        });
        using var reply = await pair.Client.CallAsync(PeerPair.Call("Where"), s_timeout);
        Assert.That(await seen.Task.WaitAsync(s_timeout), Is.True);
    }
}
