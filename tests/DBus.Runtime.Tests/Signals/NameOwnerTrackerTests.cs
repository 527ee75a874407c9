namespace DBus.Runtime.Tests.Signals;

/// <summary><see cref="NameOwnerTracker"/> on its own: a scripted bus answers, NameOwnerChanged signals are fed in directly.</summary>
[TestFixture]
public class NameOwnerTrackerTests
{
    [Test]
    public async Task A_tracked_name_starts_with_its_owner_and_follows_changes_from_the_bus_only()
    {
        await using var bus = new ScriptedBus();
        bus.Owners["org.example.Name"] = ":1.5";
        var matches = new MatchRegistry(bus.Client);
        var owners = new NameOwnerTracker(bus.Client, matches);

        await owners.TrackAsync("org.example.Name", default);
        Assert.That(bus.Requests, Is.EqualTo(new[]
        {
            "AddMatch " + BusMessages.NameOwnerChangedRule("org.example.Name"),
            "GetNameOwner org.example.Name",
        }), "the rule first, so no change between the two is missed");
        Assert.That(owners.GetOwner("org.example.Name"), Is.EqualTo(":1.5"));

        using (var changed = ScriptedBus.NameOwnerChanged("org.example.Name", ":1.5", ":1.9"))
        {
            owners.Observe(changed);
        }
        Assert.That(owners.GetOwner("org.example.Name"), Is.EqualTo(":1.9"));

        // The same signal from anyone but the bus is a forgery and changes nothing.
        var forged = MessageWriter.CreateSignal("/org/freedesktop/DBus", "org.freedesktop.DBus", "NameOwnerChanged", "sss");
        forged.WriteString("org.example.Name");
        forged.WriteString(":1.9");
        forged.WriteString(":1.66");
        using (var message = forged.ToMessage())
        {
            owners.Observe(message);
        }
        Assert.That(owners.GetOwner("org.example.Name"), Is.EqualTo(":1.9"));

        using (var lost = ScriptedBus.NameOwnerChanged("org.example.Name", ":1.9", ""))
        {
            owners.Observe(lost);
        }
        Assert.That(owners.GetOwner("org.example.Name"), Is.Null);
    }

    [Test]
    public async Task A_name_nobody_owns_is_tracked_with_no_owner_and_its_last_user_drops_the_rule()
    {
        await using var bus = new ScriptedBus();
        var matches = new MatchRegistry(bus.Client);
        var owners = new NameOwnerTracker(bus.Client, matches);
        await owners.TrackAsync("org.example.Nobody", default);
        await owners.TrackAsync("org.example.Nobody", default);
        Assert.That(owners.GetOwner("org.example.Nobody"), Is.Null);
        Assert.That(bus.Requests.Count(r => r.StartsWith("GetNameOwner", StringComparison.Ordinal)), Is.EqualTo(1), "the second user shares the first's lookup");

        owners.Untrack("org.example.Nobody");
        Assert.That(matches.Contains(BusMessages.NameOwnerChangedRule("org.example.Nobody")), Is.True);
        owners.Untrack("org.example.Nobody");
        Assert.That(matches.Contains(BusMessages.NameOwnerChangedRule("org.example.Nobody")), Is.False);
        await bus.WaitForAsync("RemoveMatch");
    }
}
