using DBus.Transport;

namespace DBus.Runtime.Tests.Connection;

/// <summary>
/// Over a Unix socket the connection is driven by the reactor: it reads and dispatches on the reactor thread that saw
/// its socket readable, with no thread of its own; over other transports, as an async loop on the thread pool.
/// </summary>
[TestFixture]
public class DispatchThreadTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);
    private const string Guid = "0123456789abcdef0123456789abcdef";
    private static readonly DBusConnectionOptions s_peerOptions = new() { IsBus = false };

    private static void AnswerWhere(DBusConnection server, Action<Thread>? seen = null) => server.AddMessageFilter((connection, message) =>
    {
        if (message.Member != "Where")
        {
            return MessageFilterResult.NotHandled;
        }
        seen?.Invoke(Thread.CurrentThread);
        connection.Send(MessageWriter.CreateMethodReturn(message).ToMessage());
        return MessageFilterResult.Handled;
    });

    /// <summary>Makes <paramref name="server"/> keep its reply to a call of "Later" instead of sending it: the task gives
    /// it to the test, which sends it once it has attached what should run when the reply arrives.</summary>
    private static Task<Message> HoldReplyToLater(DBusConnection server)
    {
        var held = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.AddMessageFilter((_, message) =>
        {
            if (message.Member != "Later")
            {
                return MessageFilterResult.NotHandled;
            }
            held.SetResult(MessageWriter.CreateMethodReturn(message).ToMessage());
            return MessageFilterResult.Handled;
        });
        return held.Task;
    }

    private static int ProcessThreads() => Directory.GetDirectories("/proc/self/task").Length;

    [Test]
    public async Task Over_a_Unix_socket_the_connection_dispatches_on_a_reactor_thread_not_one_of_its_own()
    {
        var (client, server) = PeerPair.OverUnixSocket();
        var seen = new TaskCompletionSource<Thread>(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;
        // The second call: the first may already be there when the pump starts, and that first turn runs on the pool.
        AnswerWhere(server, thread =>
        {
            if (++calls == 2)
            {
                seen.TrySetResult(thread);
            }
        });
        (await client.CallAsync(PeerPair.Call("Where"), s_timeout)).Dispose();
        using (var reply = await client.CallAsync(PeerPair.Call("Where"), s_timeout))
        {
            Assert.That(reply.Type, Is.EqualTo(MessageType.MethodReturn));
        }
        var thread = await seen.Task.WaitAsync(s_timeout);
        Assert.That(thread.IsThreadPoolThread, Is.False);
        Assert.That(thread.Name, Is.EqualTo("D-Bus I/O"));
        await server.DisposeAsync();
        await client.DisposeAsync();
    }

    [Test]
    public async Task Two_hundred_connections_add_no_threads_and_leave_no_registration_behind()
    {
        // Warm up: the reactor and the thread pool start what they keep.
        var (warmClient, warmServer) = PeerPair.OverUnixSocket();
        AnswerWhere(warmServer);
        (await warmClient.CallAsync(PeerPair.Call("Where"), s_timeout)).Dispose();
        int registrationsBefore = SocketReactor.RegistrationCount;
        int threadsBefore = ProcessThreads();

        var pairs = Enumerable.Range(0, 200).Select(_ => PeerPair.OverUnixSocket()).ToList();
        foreach (var (_, server) in pairs)
        {
            AnswerWhere(server);
        }
        var replies = await Task.WhenAll(pairs.Select(p => p.Client.CallAsync(PeerPair.Call("Where"), s_timeout))).WaitAsync(s_timeout);
        foreach (var reply in replies)
        {
            reply.Dispose();
        }
        int threadsWith400 = ProcessThreads();
        // Earlier tests' connections may still be leaving (a server disposes departed clients in the background).
        Assert.That(SocketReactor.RegistrationCount, Is.GreaterThanOrEqualTo(400));
        // A thread per connection would add 400; the reactor and the thread pool may add a few under load.
        Assert.That(threadsWith400 - threadsBefore, Is.LessThan(24), $"threads: {threadsBefore} before, {threadsWith400} with 400 connections");
        Assert.That(SocketReactor.ThreadCount, Is.LessThanOrEqualTo(SocketReactor.MaxThreads));

        foreach (var (client, server) in pairs)
        {
            await client.DisposeAsync();
            await server.DisposeAsync();
        }
        Assert.That(SocketReactor.RegistrationCount, Is.LessThanOrEqualTo(registrationsBefore));
        await warmClient.DisposeAsync();
        await warmServer.DisposeAsync();
    }

    [Test]
    public async Task A_handler_that_blocks_on_a_reactor_thread_does_not_stop_other_connections()
    {
        var (blockedClient, blockedServer) = PeerPair.OverUnixSocket();
        var (otherClient, otherServer) = PeerPair.OverUnixSocket();
        AnswerWhere(otherServer);
        AnswerWhere(blockedServer);
        // The pump's first turn runs on the thread pool; later ones on the reactor thread that saw the socket readable.
        (await blockedClient.CallAsync(PeerPair.Call("Where"), s_timeout)).Dispose();
        using var otherAnswered = new ManualResetEventSlim();
        var blockedOn = new TaskCompletionSource<Thread>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool sawOther = false;
        blockedServer.AddMessageFilter((connection, message) =>
        {
            if (message.Member != "Block")
            {
                return MessageFilterResult.NotHandled;
            }
            blockedOn.TrySetResult(Thread.CurrentThread);
            // Blocks until the other connection has been served: only another reactor thread can serve it.
            sawOther = otherAnswered.Wait(s_timeout);
            connection.Send(MessageWriter.CreateMethodReturn(message).ToMessage());
            return MessageFilterResult.Handled;
        });
        var blocked = blockedClient.CallAsync(PeerPair.Call("Block"), s_timeout);
        Assert.That((await blockedOn.Task.WaitAsync(s_timeout)).Name, Is.EqualTo("D-Bus I/O"));

        using (var reply = await otherClient.CallAsync(PeerPair.Call("Where"), s_timeout))
        {
            Assert.That(reply.Type, Is.EqualTo(MessageType.MethodReturn));
        }
        otherAnswered.Set();
        (await blocked.WaitAsync(s_timeout)).Dispose();
        Assert.That(sawOther, Is.True);
        foreach (var connection in new[] { blockedClient, blockedServer, otherClient, otherServer })
        {
            await connection.DisposeAsync();
        }
    }

    [Test]
    public async Task A_calls_continuation_runs_on_the_reactor_thread_where_a_blocking_call_cannot_deadlock()
    {
        var (client, server) = PeerPair.OverUnixSocket();
        AnswerWhere(server);
        // The server holds the reply to "Later" until the test has attached its continuation.
        var held = HoldReplyToLater(server);
        var call = client.CallAsync(PeerPair.Call("Later"), static reply => reply.Type);
        var continuation = call.ContinueWith(_ =>
        {
            var thread = Thread.CurrentThread;
            // Blocking here holds the reactor thread that read the reply; the watchdog starts another, which reads
            // this reply.
            using var reply = client.Call(PeerPair.Call("Where"), s_timeout);
            return (thread, reply.Type);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        server.Send(await held.WaitAsync(s_timeout));
        var (continuedOn, blockingReply) = await continuation.WaitAsync(s_timeout);
        Assert.That(continuedOn.Name, Is.EqualTo("D-Bus I/O"), "the continuation ran where the reply was read");
        Assert.That(blockingReply, Is.EqualTo(MessageType.MethodReturn));
        await server.DisposeAsync();
        await client.DisposeAsync();
    }

    [Test]
    public async Task A_continuation_on_the_reactor_thread_gets_the_outcome_of_a_call_that_ends_at_once()
    {
        var (client, server) = PeerPair.OverUnixSocket();
        AnswerWhere(server);
        // The server holds the reply to "Later" until the continuation is attached, so that it runs where the reply is read.
        var held = HoldReplyToLater(server);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var outcomes = ContinueAsync(client.CallAsync(PeerPair.Call("Later"), static reply => reply.Type));
        server.Send(await held.WaitAsync(s_timeout));

        async Task<(string, Exception?, Exception?, Exception?)> ContinueAsync(Task<MessageType> first)
        {
            await first;
            string continuedOn = Thread.CurrentThread.Name ?? "";
            // Each of these calls ends before it is sent. Its outcome used to wait for this thread's next event (none
            // came): awaited, and blocked on, from the continuation the reactor thread runs after its event.
            var awaited = await Failure.Of(async () => await client.CallAsync(PeerPair.Call("Where"), static reply => reply.Type, cancelled.Token));
            var awaitedValueTask = await Failure.Of(async () => await client.CallValueTaskAsync(PeerPair.Call("Where"), static reply => reply.Type, null, cancelled.Token));
            var blocked = await Failure.Of(() =>
            {
                client.CallAsync(PeerPair.Call("Where"), static reply => reply.Type, cancelled.Token).GetAwaiter().GetResult();
                return Task.CompletedTask;
            });
            return (continuedOn, awaited, awaitedValueTask, blocked);
        }
        var (thread, awaited, awaitedValueTask, blocked) = await outcomes.WaitAsync(s_timeout);
        Assert.That(thread, Is.EqualTo("D-Bus I/O"), "the test's continuation ran on the reactor thread");
        Assert.That(awaited, Is.InstanceOf<OperationCanceledException>());
        Assert.That(awaitedValueTask, Is.InstanceOf<OperationCanceledException>());
        Assert.That(blocked, Is.InstanceOf<OperationCanceledException>());
        await server.DisposeAsync();
        await client.DisposeAsync();
    }

    [Test]
    public async Task Continuations_of_replies_read_together_run_while_the_turn_goes_on()
    {
        // The peer is a bare stream over the other end, so that two replies and a call reach the client in one write.
        var (a, b) = SocketTransport.CreatePair();
        var client = new DBusConnection(new MessageStream(a, Guid, false, default, null), s_peerOptions);
        var peer = new MessageStream(b, Guid, false, default, null);
        using var firstContinued = new ManualResetEventSlim();
        var handledOn = new TaskCompletionSource<(Thread Thread, bool SawFirstContinuation)>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.AddMessageFilter((connection, message) =>
        {
            if (message.Member != "Block")
            {
                return MessageFilterResult.NotHandled;
            }
            // Dispatched in the same turn as the replies before it: their continuations must not wait for its end.
            handledOn.TrySetResult((Thread.CurrentThread, firstContinued.Wait(TimeSpan.FromSeconds(5))));
            connection.Send(MessageWriter.CreateMethodReturn(message).ToMessage());
            return MessageFilterResult.Handled;
        });
        var first = client.CallAsync(PeerPair.Call("One"), static reply => reply.Type);
        var second = client.CallAsync(PeerPair.Call("Two"), static reply => reply.Type);
        var continued = first.ContinueWith(_ => firstContinued.Set(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        using (var one = await peer.ReceiveAsync().AsTask().WaitAsync(s_timeout))
        using (var two = await peer.ReceiveAsync().AsTask().WaitAsync(s_timeout))
        using (var block = PeerPair.Call("Block"))
        using (var replyOne = MessageWriter.CreateMethodReturn(one).ToMessage())
        using (var replyTwo = MessageWriter.CreateMethodReturn(two).ToMessage())
        {
            block.SetSerial(peer.NextSerial());
            replyOne.SetSerial(peer.NextSerial());
            replyTwo.SetSerial(peer.NextSerial());
            await b.SendAsync(replyOne.Bytes.ToArray().Concat(replyTwo.Bytes.ToArray()).Concat(block.Bytes.ToArray()).ToArray(), default, default);
        }
        using (var blockReply = await peer.ReceiveAsync().AsTask().WaitAsync(s_timeout))
        {
            Assert.That(blockReply.Type, Is.EqualTo(MessageType.MethodReturn));
        }
        var (thread, sawFirstContinuation) = await handledOn.Task.WaitAsync(s_timeout);
        Assert.That(thread.Name, Is.EqualTo("D-Bus I/O"), "the call was dispatched by the reactor");
        Assert.That(sawFirstContinuation, Is.True, "the first reply's continuation ran while the turn was still dispatching");
        Assert.That(await second.WaitAsync(s_timeout), Is.EqualTo(MessageType.MethodReturn));
        await continued.WaitAsync(s_timeout);
        await client.DisposeAsync();
        await peer.DisposeAsync();
    }

    private static readonly AsyncLocal<string?> s_leaked = new();

    [Test]
    public async Task What_a_handler_sets_on_the_reactor_thread_does_not_reach_the_next_message()
    {
        var (client, server) = PeerPair.OverUnixSocket();
        var seen = new List<(string? Local, SynchronizationContext? Context)>();
        server.AddMessageFilter((connection, message) =>
        {
            if (message.Member != "Leak")
            {
                return MessageFilterResult.NotHandled;
            }
            seen.Add((s_leaked.Value, SynchronizationContext.Current));
            s_leaked.Value = "set by an earlier message";
            SynchronizationContext.SetSynchronizationContext(new SynchronizationContext());
            connection.Send(MessageWriter.CreateMethodReturn(message).ToMessage());
            return MessageFilterResult.Handled;
        });
        for (int i = 0; i < 3; i++)
        {
            // One call at a time: each is its own event on the server's reactor thread.
            (await client.CallAsync(PeerPair.Call("Leak"), s_timeout)).Dispose();
        }
        Assert.That(seen, Has.Count.EqualTo(3));
        Assert.That(seen.Select(s => s.Local), Is.All.Null, "an AsyncLocal set by a handler");
        Assert.That(seen.Select(s => s.Context), Is.All.Null, "a SynchronizationContext set by a handler");
        await server.DisposeAsync();
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
