namespace DBus.Runtime.Tests.Signals;

/// <summary><see cref="CallerTracker"/> on its own, against a scripted bus: callers are fed in and leave by signal.</summary>
[TestFixture]
public class CallerTrackerTests
{
    [Test]
    public async Task A_watched_caller_that_leaves_cancels_its_token_and_the_last_release_drops_the_rule()
    {
        await using var bus = new ScriptedBus();
        bus.Owners["org.example.Caller"] = ":1.5";
        var matches = new MatchRegistry(bus.Client);
        var callers = new CallerTracker(bus.Client, matches, CancellationToken.None);

        var first = callers.Acquire(":1.5");
        var second = callers.Acquire(":1.5");
        Assert.That(second, Is.SameAs(first), "one watch per caller, shared by its calls");
        callers.Watch(first);
        callers.Watch(second);
        await first.Watched.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var rule = BusMessages.NameOwnerChangedRule(":1.5");
        Assert.That(bus.Requests, Is.EqualTo(new[] { "AddMatch " + rule, "NameHasOwner :1.5" }), "the rule first, then whether it already left");
        Assert.That(first.IsGone, Is.False);

        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = first.Token.Register(cancelled.SetResult);
        using (var other = ScriptedBus.NameOwnerChanged(":1.6", ":1.6", ""))
        {
            callers.Observe(other);
        }
        Assert.That(first.IsGone, Is.False, "another caller leaving changes nothing");
        using (var left = ScriptedBus.NameOwnerChanged(":1.5", ":1.5", ""))
        {
            callers.Observe(left);
        }
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(first.IsGone, Is.True);

        callers.Release(first);
        Assert.That(callers.Count, Is.EqualTo(1));
        Assert.That(matches.Contains(rule), Is.True);
        callers.Release(second);
        Assert.That(callers.Count, Is.Zero);
        Assert.That(matches.Contains(rule), Is.False);
        await bus.WaitForAsync("RemoveMatch " + rule);
    }

    [Test]
    public async Task A_caller_gone_before_the_rule_was_in_place_is_found_by_NameHasOwner()
    {
        await using var bus = new ScriptedBus();
        var callers = new CallerTracker(bus.Client, new MatchRegistry(bus.Client), CancellationToken.None);
        var caller = callers.Acquire(":1.7");
        callers.Watch(caller);
        await caller.Watched.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(caller.IsGone, Is.True);
        callers.Release(caller);
    }

    [Test]
    public async Task The_connection_closing_cancels_every_caller()
    {
        await using var bus = new ScriptedBus();
        using var closing = new CancellationTokenSource();
        var callers = new CallerTracker(bus.Client, new MatchRegistry(bus.Client), closing.Token);
        var caller = callers.Acquire(":1.8");
        closing.Cancel();
        Assert.That(caller.IsGone, Is.True);
        Assert.That(bus.Requests, Is.Empty, "a caller nobody asked to watch costs no bus call");
    }
}
