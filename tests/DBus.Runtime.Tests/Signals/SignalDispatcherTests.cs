using DBus.Runtime.Tests.Connection;

namespace DBus.Runtime.Tests.Signals;

/// <summary>
/// <see cref="SignalDispatcher"/> on its own: signals built in memory are handed to <see cref="SignalDispatcher.Dispatch"/>
/// directly, without a router; on a bus, a scripted bus answers AddMatch and GetNameOwner.
/// </summary>
[TestFixture]
public class SignalDispatcherTests
{
    private static SignalDispatcher PeerDispatcher(PeerPair pair) => new(pair.Client, isBus: false, CancellationToken.None);

    /// <summary>Dispatches one signal, which must be delivered at once (no full queue to wait for).</summary>
    private static void Deliver(SignalDispatcher signals, Message signal) =>
        Assert.That(signals.Dispatch(signal).IsCompletedSuccessfully, Is.True);

    [Test]
    public async Task Matching_receivers_run_a_failing_one_is_reported_and_the_message_is_released_after()
    {
        await using var pair = PeerPair.Create();
        var signals = PeerDispatcher(pair);
        var failures = new List<Exception>();
        pair.Client.CallbackFailed += (_, e) => failures.Add(e);
        var seen = new List<string>();
        Message? lent = null;
        await signals.AddReceiverAsync(MatchRule.Parse("member='Tick'"), s => throw new InvalidOperationException("receiver broke"), default);
        await signals.AddReceiverAsync(MatchRule.Parse("member='Tick',arg0='a'"), s =>
        {
            seen.Add("arg0=a:" + s.GetBodyReader().ReadString());
            lent = s.Message;
            Assert.That(s.Connection, Is.SameAs(pair.Client));
        }, default);
        using var other = await signals.AddReceiverAsync(MatchRule.Parse("member='Tock'"), s => seen.Add("tock"), default);

        Assert.That(signals.Dispatch(PeerPair.Signal("Tick", "a")).IsCompletedSuccessfully, Is.True);
        Assert.That(signals.Dispatch(PeerPair.Signal("Tick", "b")).IsCompletedSuccessfully, Is.True);
        Assert.That(seen, Is.EqualTo(new[] { "arg0=a:a" }));
        Assert.That(failures.Select(f => f.Message), Is.EqualTo(new[] { "receiver broke", "receiver broke" }));
        Assert.Throws<ObjectDisposedException>(() => _ = lent!.Member, "the signal is released once delivered");

        other.Dispose();
        Deliver(signals, PeerPair.Signal("Tock", "x"));
        Assert.That(seen, Has.Count.EqualTo(1), "a disposed subscription receives nothing");
    }

    [Test]
    public async Task A_queue_keeps_its_own_reference_and_a_full_Wait_queue_holds_dispatch_back()
    {
        await using var pair = PeerPair.Create();
        var signals = PeerDispatcher(pair);
        using var queue = await signals.WatchAsync(MatchRule.Parse("member='Tick'"), new MessageQueueOptions { Capacity = 1, FullMode = QueueFullMode.Wait }, default);

        Assert.That(signals.Dispatch(PeerPair.Signal("Tick", "1")).IsCompletedSuccessfully, Is.True);
        var waiting = signals.Dispatch(PeerPair.Signal("Tick", "2"));
        Assert.That(waiting.IsCompleted, Is.False, "the queue is full: dispatch waits for room");

        using (var first = await queue.ReceiveAsync().AsTask().WaitAsync(PeerPair.Timeout))
        {
            Assert.That(first.GetBodyReader().ReadString(), Is.EqualTo("1"), "still readable after Dispatch released its own reference");
        }
        await waiting.AsTask().WaitAsync(PeerPair.Timeout);
        using var second = await queue.ReceiveAsync().AsTask().WaitAsync(PeerPair.Timeout);
        Assert.That(second.GetBodyReader().ReadString(), Is.EqualTo("2"));
    }

    [Test]
    public async Task Completing_the_queues_hands_out_what_was_queued_then_the_reason()
    {
        await using var pair = PeerPair.Create();
        var signals = PeerDispatcher(pair);
        using var queue = await signals.WatchAsync(MatchRule.Parse("member='Tick'"), null, default);
        Deliver(signals, PeerPair.Signal("Tick", "last"));
        signals.CompleteQueues(new DBusDisconnectedException("gone"));
        using (var last = await queue.ReceiveAsync().AsTask().WaitAsync(PeerPair.Timeout))
        {
            Assert.That(last.GetBodyReader().ReadString(), Is.EqualTo("last"));
        }
        var end = Assert.CatchAsync<DBusDisconnectedException>(async () => await queue.ReceiveAsync());
        Assert.That(end!.Message, Does.Contain("gone"));
    }

    [Test]
    public async Task On_a_bus_a_well_known_sender_is_matched_through_its_current_owner()
    {
        await using var bus = new ScriptedBus();
        bus.Owners["org.example.Service"] = ":1.5";
        var signals = new SignalDispatcher(bus.Client, isBus: true, CancellationToken.None);
        var senders = new List<string>();
        using var subscription = await signals.AddReceiverAsync(MatchRule.Parse("sender='org.example.Service',member='Tick'"), s => senders.Add(s.Sender!), default);
        Assert.That(bus.Requests, Is.EqualTo(new[]
        {
            "AddMatch type='signal',sender='org.example.Service',member='Tick'",
            "AddMatch " + BusMessages.NameOwnerChangedRule("org.example.Service"),
            "GetNameOwner org.example.Service",
        }));

        Deliver(signals, ScriptedBus.SignalFrom(":1.5", "Tick"));
        Deliver(signals, ScriptedBus.SignalFrom(":1.6", "Tick"));
        // The service restarts under another unique name.
        Deliver(signals, ScriptedBus.NameOwnerChanged("org.example.Service", ":1.5", ":1.9"));
        Deliver(signals, ScriptedBus.SignalFrom(":1.5", "Tick"));
        Deliver(signals, ScriptedBus.SignalFrom(":1.9", "Tick"));
        Assert.That(senders, Is.EqualTo(new[] { ":1.5", ":1.9" }));

        subscription.Dispose();
        await bus.WaitForAsync("RemoveMatch " + BusMessages.NameOwnerChangedRule("org.example.Service"));
        Assert.That(bus.Requests, Does.Contain("RemoveMatch type='signal',sender='org.example.Service',member='Tick' (no reply)"));
    }

    [Test]
    public void A_rule_of_another_type_is_refused_for_signals()
    {
        var error = Assert.Throws<ArgumentException>(() => SignalDispatcher.AsSignalRule(MatchRule.Parse("type='method_call'")));
        Assert.That(error!.Message, Does.Contain("needs a rule of type signal"));
        Assert.That(SignalDispatcher.AsSignalRule(MatchRule.Parse("member='X'")).ToString(), Is.EqualTo("type='signal',member='X'"));
    }
}
