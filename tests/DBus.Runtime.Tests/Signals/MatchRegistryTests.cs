namespace DBus.Runtime.Tests.Signals;

/// <summary><see cref="MatchRegistry"/> on its own, against a scripted bus over the in-memory transport.</summary>
[TestFixture]
public class MatchRegistryTests
{
    private static readonly MatchRule s_rule = MatchRule.Parse("type='signal',member='Tick'");

    [Test]
    public async Task Identical_rules_share_one_AddMatch_and_the_last_user_removes_it()
    {
        await using var bus = new ScriptedBus();
        var matches = new MatchRegistry(bus.Client);
        await matches.AddAsync(s_rule, default);
        await matches.AddAsync(MatchRule.Parse("type='signal',member='Tick'"), default);
        Assert.That(bus.Requests, Is.EqualTo(new[] { "AddMatch type='signal',member='Tick'" }));

        matches.Release(s_rule);
        Assert.That(matches.Contains(s_rule), Is.True, "one user is left");
        matches.Release(s_rule);
        Assert.That(matches.Contains(s_rule), Is.False);
        await bus.WaitForAsync("RemoveMatch");
        Assert.That(bus.Requests, Is.EqualTo(new[] { "AddMatch type='signal',member='Tick'", "RemoveMatch type='signal',member='Tick' (no reply)" }));
        matches.Release(s_rule);
        Assert.That(bus.Requests, Has.Length.EqualTo(2), "a release too many sends nothing");
    }

    [Test]
    public async Task A_refused_AddMatch_is_not_counted_and_the_next_user_asks_again()
    {
        await using var bus = new ScriptedBus { FailNextAddMatch = true };
        var matches = new MatchRegistry(bus.Client);
        var refused = Assert.CatchAsync<DBusException>(() => matches.AddAsync(s_rule, default));
        Assert.That(refused!.ErrorName, Is.EqualTo("org.freedesktop.DBus.Error.OOM"));
        Assert.That(matches.Contains(s_rule), Is.False);

        await matches.AddAsync(s_rule, default);
        Assert.That(bus.Requests, Is.EqualTo(new[] { "AddMatch type='signal',member='Tick'", "AddMatch type='signal',member='Tick'" }));
        Assert.That(matches.Contains(s_rule), Is.True);
    }

    [Test]
    public async Task RemoveAsync_waits_for_the_bus_to_remove_the_rule()
    {
        await using var bus = new ScriptedBus();
        var matches = new MatchRegistry(bus.Client);
        await matches.AddAsync(s_rule, default);
        await matches.RemoveAsync(s_rule, default);
        Assert.That(bus.Requests, Is.EqualTo(new[] { "AddMatch type='signal',member='Tick'", "RemoveMatch type='signal',member='Tick'" }));
    }

    [Test]
    public async Task The_last_user_giving_up_while_AddMatch_is_pending_takes_the_rule_off_once_the_bus_added_it()
    {
        await using var bus = new ScriptedBus();
        bus.HoldAddMatch();
        var matches = new MatchRegistry(bus.Client);
        using var giveUp = new CancellationTokenSource();
        var adding = matches.AddAsync(s_rule, giveUp.Token);
        await bus.WaitForAsync("AddMatch");
        giveUp.Cancel();
        Assert.CatchAsync<OperationCanceledException>(() => adding);
        Assert.That(matches.Contains(s_rule), Is.False);
        Assert.That(bus.Requests.Any(r => r.StartsWith("RemoveMatch", StringComparison.Ordinal)), Is.False, "not before the bus added it");

        bus.ReleaseAddMatch();
        await bus.WaitForAsync("RemoveMatch");
        Assert.That(bus.Requests[^1], Is.EqualTo("RemoveMatch type='signal',member='Tick' (no reply)"));
    }
}
