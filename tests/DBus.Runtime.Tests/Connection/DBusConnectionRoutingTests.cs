namespace DBus.Runtime.Tests.Connection;

[TestFixture]
public class DBusConnectionRoutingTests
{
    [Test]
    public async Task Filters_run_in_the_order_added_and_Handled_stops_the_message()
    {
        await using var pair = PeerPair.Create();
        var seen = new List<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Client.AddMessageFilter((_, m) => { seen.Add("first:" + m.Member); return MessageFilterResult.NotHandled; });
        pair.Client.AddMessageFilter((_, m) => { seen.Add("second:" + m.Member); return m.Member == "Stop" ? MessageFilterResult.Handled : MessageFilterResult.NotHandled; });
        pair.Client.AddMessageFilter((_, m) => { seen.Add("third:" + m.Member); if (m.Member == "End") done.SetResult(); return MessageFilterResult.NotHandled; });
        pair.Server.Send(PeerPair.Signal("Stop", "x"));
        pair.Server.Send(PeerPair.Signal("End", "x"));
        await done.Task.WaitAsync(PeerPair.Timeout);
        Assert.That(seen, Is.EqualTo(new[] { "first:Stop", "second:Stop", "first:End", "second:End", "third:End" }));
    }

    [Test]
    public async Task A_filter_added_during_a_callback_does_not_see_the_message_in_flight()
    {
        await using var pair = PeerPair.Create();
        var lateSaw = new List<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool added = false;
        pair.Client.AddMessageFilter((c, m) =>
        {
            if (!added)
            {
                added = true;
                c.AddMessageFilter((_, m2) => { lateSaw.Add(m2.Member!); if (m2.Member == "Second") done.SetResult(); return MessageFilterResult.NotHandled; });
            }
            return MessageFilterResult.NotHandled;
        });
        pair.Server.Send(PeerPair.Signal("First", "x"));
        pair.Server.Send(PeerPair.Signal("Second", "x"));
        await done.Task.WaitAsync(PeerPair.Timeout);
        Assert.That(lateSaw, Is.EqualTo(new[] { "Second" }));
    }

    [Test]
    public async Task A_removed_filter_sees_nothing_more()
    {
        await using var pair = PeerPair.Create();
        int count = 0;
        MessageFilter filter = (_, _) => { Interlocked.Increment(ref count); return MessageFilterResult.NotHandled; };
        pair.Client.AddMessageFilter(filter);
        Assert.That(pair.Client.RemoveMessageFilter(filter), Is.True);
        Assert.That(pair.Client.RemoveMessageFilter(filter), Is.False);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Client.AddMessageFilter((_, _) => { done.TrySetResult(); return MessageFilterResult.NotHandled; });
        pair.Server.Send(PeerPair.Signal("S", "x"));
        await done.Task.WaitAsync(PeerPair.Timeout);
        Assert.That(count, Is.Zero);
    }

    [Test]
    public async Task A_throwing_filter_is_reported_and_the_connection_lives_on()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        var reported = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Client.CallbackFailed += (_, e) => reported.TrySetResult(e);
        pair.Client.AddMessageFilter((_, _) => throw new InvalidDataException("filter bug"));
        pair.Server.Send(PeerPair.Signal("S", "x"));
        Assert.That((await reported.Task.WaitAsync(PeerPair.Timeout)).Message, Is.EqualTo("filter bug"));
        using var reply = await pair.Client.CallAsync(PeerPair.Echo("alive")).WaitAsync(PeerPair.Timeout);
        Assert.That(reply.GetBodyReader().ReadString(), Is.EqualTo("alive"));
    }

    [Test]
    public async Task Signal_receivers_get_only_what_their_rule_matches_with_the_whole_context()
    {
        await using var pair = PeerPair.Create();
        var received = new List<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var rule = new MatchRule { Interface = "org.test.Iface", Member = "Changed", PathNamespace = new ObjectPath("/org/test") };
        rule.Args[0] = "wanted";
        await using var subscription = await pair.Client.AddSignalReceiverAsync(rule, s =>
        {
            received.Add($"{s.Member} {s.Path} {s.Interface} {s.GetBodyReader().ReadString()}");
        });
        await using var end = await pair.Client.AddSignalReceiverAsync(new MatchRule { Member = "End" }, _ => done.SetResult());
        pair.Server.Send(PeerPair.Signal("Changed", "wanted", "/org/test/child"));
        pair.Server.Send(PeerPair.Signal("Changed", "unwanted"));
        pair.Server.Send(PeerPair.Signal("Other", "wanted"));
        pair.Server.Send(PeerPair.Signal("Changed", "wanted", "/org/testing"));
        pair.Server.Send(PeerPair.Signal("End", "x"));
        await done.Task.WaitAsync(PeerPair.Timeout);
        Assert.That(received, Is.EqualTo(new[] { "Changed /org/test/child org.test.Iface wanted" }));
    }

    [Test]
    public async Task A_disposed_subscription_receives_nothing_more()
    {
        await using var pair = PeerPair.Create();
        int count = 0;
        var subscription = await pair.Client.AddSignalReceiverAsync(new MatchRule { Member = "S" }, _ => Interlocked.Increment(ref count));
        subscription.Dispose();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var end = await pair.Client.AddSignalReceiverAsync(new MatchRule { Member = "End" }, _ => done.SetResult());
        pair.Server.Send(PeerPair.Signal("S", "x"));
        pair.Server.Send(PeerPair.Signal("End", "x"));
        await done.Task.WaitAsync(PeerPair.Timeout);
        Assert.That(count, Is.Zero);
    }

    [Test]
    public async Task A_signal_queue_delivers_in_order_and_as_an_async_stream()
    {
        await using var pair = PeerPair.Create();
        await using var queue = await pair.Client.WatchAsync(new MatchRule { Member = "Tick" });
        for (int i = 0; i < 5; i++)
        {
            pair.Server.Send(PeerPair.Signal("Tick", "t" + i));
        }
        var got = new List<string>();
        using var cts = new CancellationTokenSource(PeerPair.Timeout);
        await foreach (var message in queue.WithCancellation(cts.Token))
        {
            using (message)
            {
                got.Add(message.GetBodyReader().ReadString());
            }
            if (got.Count == 5)
            {
                break;
            }
        }
        Assert.That(got, Is.EqualTo(new[] { "t0", "t1", "t2", "t3", "t4" }));
        Assert.That(queue.DroppedCount, Is.Zero);
    }

    [TestCase(QueueFullMode.DropOldest, new[] { "t7", "t8", "t9" })]
    [TestCase(QueueFullMode.DropNewest, new[] { "t0", "t1", "t2" })]
    public async Task A_full_queue_drops_by_its_policy_and_counts_the_drops(QueueFullMode mode, string[] expected)
    {
        await using var pair = PeerPair.Create();
        await using var queue = await pair.Client.WatchAsync(new MatchRule { Member = "Tick" }, new MessageQueueOptions { Capacity = 3, FullMode = mode });
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var end = await pair.Client.AddSignalReceiverAsync(new MatchRule { Member = "End" }, _ => done.SetResult());
        for (int i = 0; i < 10; i++)
        {
            pair.Server.Send(PeerPair.Signal("Tick", "t" + i));
        }
        pair.Server.Send(PeerPair.Signal("End", "x"));
        await done.Task.WaitAsync(PeerPair.Timeout);
        var got = new List<string>();
        while (queue.TryReceive(out var message))
        {
            using (message)
            {
                got.Add(message.GetBodyReader().ReadString());
            }
        }
        Assert.That(got, Is.EqualTo(expected));
        Assert.That(queue.DroppedCount, Is.EqualTo(7));
    }

    [Test]
    public async Task A_full_queue_that_waits_loses_nothing()
    {
        await using var pair = PeerPair.Create();
        await using var queue = await pair.Client.WatchAsync(new MatchRule { Member = "Tick" }, new MessageQueueOptions { Capacity = 2, FullMode = QueueFullMode.Wait });
        for (int i = 0; i < 20; i++)
        {
            pair.Server.Send(PeerPair.Signal("Tick", "t" + i));
        }
        for (int i = 0; i < 20; i++)
        {
            using var message = await queue.ReceiveAsync().AsTask().WaitAsync(PeerPair.Timeout);
            Assert.That(message.GetBodyReader().ReadString(), Is.EqualTo("t" + i));
        }
        Assert.That(queue.DroppedCount, Is.Zero);
    }

    [Test]
    public async Task Two_queues_matching_the_same_signal_each_get_a_readable_copy()
    {
        await using var pair = PeerPair.Create();
        await using var first = await pair.Client.WatchAsync(new MatchRule { Member = "Tick" });
        await using var second = await pair.Client.WatchAsync(new MatchRule { Interface = "org.test.Iface" });
        pair.Server.Send(PeerPair.Signal("Tick", "shared"));
        var a = await first.ReceiveAsync().AsTask().WaitAsync(PeerPair.Timeout);
        a.Dispose();
        using var b = await second.ReceiveAsync().AsTask().WaitAsync(PeerPair.Timeout);
        Assert.That(b.GetBodyReader().ReadString(), Is.EqualTo("shared"));
    }
}
