using System.Collections.Concurrent;
using DBus.Testing;

namespace DBus.Runtime.Tests.Bus;

/// <summary>Signal subscriptions as dbus-python's SignalMatch and remove_signal_receiver, and WatchAsync of every
/// message type, against a private dbus-daemon with dbus-python and gdbus peers.</summary>
[TestFixture]
[NonParallelizable]
public class SubscriptionTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);
    private PrivateBus _bus = null!;
    private PythonService _service = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _bus = await PrivateBus.StartAsync();
        _service = await PythonService.StartAsync(_bus.Address);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _service.DisposeAsync();
        await _bus.DisposeAsync();
    }

    private static Message Emit(string value, string destination = PythonService.DefaultName)
    {
        var writer = MessageWriter.CreateMethodCall(destination, PythonService.ObjectPath, PythonService.Interface, "Emit", "s");
        writer.WriteString(value);
        return writer.ToMessage();
    }

    private static Message EchoString(string value)
    {
        var writer = MessageWriter.CreateMethodCall(PythonService.DefaultName, PythonService.ObjectPath, PythonService.Interface, "Echo_s", "s");
        writer.WriteString(value);
        return writer.ToMessage();
    }

    [Test]
    public async Task A_subscription_shows_its_rule_sender_and_owner_and_tests_messages_and_follows_a_new_owner()
    {
        const string name = "org.dbusgen.Followed";
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        var first = await PythonService.StartAsync(_bus.Address, name);
        var pings = new BlockingCollection<Message>();
        await using var subscription = await connection.AddSignalReceiverAsync(
            new MatchRule { Sender = name, Interface = PythonService.Interface, Member = "Pinged" }, s => pings.Add(s.Message.AddReference()));
        var ownerChanges = new BlockingCollection<string>();
        await using var owners = await connection.AddSignalReceiverAsync(
            new MatchRule { Sender = "org.freedesktop.DBus", Member = "NameOwnerChanged", Args = { [0] = name } },
            s => { var r = s.GetBodyReader(); r.ReadString(); r.ReadString(); ownerChanges.Add(r.ReadString()); });

        Assert.That((subscription.SenderName, subscription.SenderOwner, subscription.IsActive), Is.EqualTo((name, first.UniqueName, true)));
        Assert.That(subscription.Rule.ToString(), Is.EqualTo($"type='signal',sender='{name}',interface='{PythonService.Interface}',member='Pinged'"));
        Assert.That(connection.SignalReceivers, Does.Contain(subscription));

        await connection.CallAsync(Emit("one", name), static _ => 0);
        Assert.That(pings.TryTake(out var ping, s_timeout), Is.True);
        using (ping)
        {
            Assert.That(subscription.Matches(ping!), Is.True);
            Assert.That(subscription.Rule.Matches(ping!), Is.False, "without the owner a well-known sender does not match a unique one");
            Assert.That(subscription.Rule.Matches(ping!, first.UniqueName), Is.True);
            Assert.That(new MatchRule { Member = "Other" }.Matches(ping!), Is.False);
        }

        await first.DisposeAsync();
        Assert.That(ownerChanges.TryTake(out var gone, s_timeout) ? gone : null, Is.EqualTo(""));
        Assert.That(subscription.SenderOwner, Is.Null, "the name has no owner now");
        await using var second = await PythonService.StartAsync(_bus.Address, name);
        Assert.That(ownerChanges.TryTake(out var back, s_timeout) ? back : null, Is.EqualTo(second.UniqueName));
        Assert.That(subscription.SenderOwner, Is.EqualTo(second.UniqueName), "followed to the new owner (set_sender_name_owner)");
        await connection.CallAsync(Emit("two", name), static _ => 0);
        Assert.That(pings.TryTake(out var again, s_timeout), Is.True);
        using (again)
        {
            Assert.That(again!.Sender, Is.EqualTo(second.UniqueName));
        }

        await subscription.DisposeAsync();
        Assert.That((subscription.IsActive, connection.SignalReceivers.Contains(subscription)), Is.EqualTo((false, false)));
    }

    [Test]
    public async Task A_rule_changed_after_subscribing_changes_nothing_and_leaks_no_match_on_the_bus()
    {
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        var rule = new MatchRule { Interface = PythonService.Interface, Member = "Pinged", Args = { [0] = "kept" } };
        var added = MatchRule.Parse("type='signal'," + rule);
        var subscription = await connection.AddSignalReceiverAsync(rule, _ => { });
        rule.Args[0] = "changed";
        rule.ArgPaths[1] = "/x/";
        Assert.That(subscription.Rule.Args[0], Is.EqualTo("kept"));
        var frozen = Assert.Throws<InvalidOperationException>(() => subscription.Rule.Args[0] = "again");
        Assert.That(frozen!.Message, Does.Contain("cannot change"));
        Assert.That(connection.HasMatch(added), Is.True);

        subscription.Dispose();
        Assert.That(connection.HasMatch(added), Is.False, "the rule that was added is the one removed");
        Assert.That(connection.HasMatch(MatchRule.Parse("type='signal'," + rule)), Is.False);
    }

    [Test]
    public async Task A_catch_all_rule_subscribes_and_watches()
    {
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        var pings = new BlockingCollection<string>();
        await using var all = await connection.AddSignalReceiverAsync(new MatchRule(), s =>
        {
            if (s.Member == "Pinged")
            {
                pings.Add(s.GetBodyReader().ReadString());
            }
        });
        Assert.That(all.Rule.ToString(), Is.EqualTo("type='signal'"));
        await using var queue = await connection.WatchAsync(new MatchRule());
        await connection.CallAsync(Emit("to everyone"), static _ => 0);
        Assert.That(pings.TryTake(out var value, s_timeout) ? value : null, Is.EqualTo("to everyone"));
        using var timeout = new CancellationTokenSource(s_timeout);
        while (true)
        {
            using var message = await queue.ReceiveAsync(timeout.Token);
            if (message.Member == "Pinged")
            {
                break;
            }
        }
    }

    [Test]
    public async Task Receivers_are_removed_by_handler_and_or_criteria_and_the_bus_rule_goes_with_the_last()
    {
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        int aCalls = 0;
        void A(SignalContext _) => Interlocked.Increment(ref aCalls);
        SignalHandler b = _ => { };
        var pinged = new MatchRule { Interface = PythonService.Interface, Member = "Pinged" };
        var other = new MatchRule { Interface = PythonService.Interface, Member = "Other" };
        await connection.AddSignalReceiverAsync(pinged, A);
        await connection.AddSignalReceiverAsync(other, A);
        await connection.AddSignalReceiverAsync(pinged, b);
        var pingedOnBus = MatchRule.Parse("type='signal'," + pinged);

        Assert.That(connection.RemoveSignalReceivers(A, new MatchRule { Member = "Pinged" }), Is.EqualTo(1));
        Assert.That(connection.HasMatch(pingedOnBus), Is.True, "b still uses the rule");
        Assert.That(connection.RemoveSignalReceivers(A), Is.EqualTo(1));
        Assert.That(connection.RemoveSignalReceivers(null, new MatchRule { Sender = ":1.999" }), Is.Zero);
        Assert.That(connection.RemoveSignalReceivers(null, new MatchRule { Interface = PythonService.Interface }), Is.EqualTo(1));
        Assert.That(connection.SignalReceivers, Is.Empty);
        Assert.That(connection.HasMatch(pingedOnBus), Is.False, "removed from the bus with its last receiver");

        await connection.CallAsync(Emit("nobody listens"), static _ => 0);
        await connection.CallAsync(EchoString("after the signal"), static _ => 0);
        Assert.That(aCalls, Is.Zero);
    }

    [Test]
    public async Task WatchAsync_delivers_calls_returns_and_errors_addressed_to_us_and_they_still_reach_their_consumer()
    {
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        await using var returns = await connection.WatchAsync(new MatchRule { Type = MessageType.MethodReturn });
        await using var errors = await connection.WatchAsync(new MatchRule { Type = MessageType.Error });
        await using var calls = await connection.WatchAsync(new MatchRule { Type = MessageType.MethodCall, Member = "Ping" });
        using var timeout = new CancellationTokenSource(s_timeout);

        var echo = EchoString("watched");
        string reply = await connection.CallAsync(echo, static r => r.GetBodyReader().ReadString());
        Assert.That(reply, Is.EqualTo("watched"), "the caller still gets its reply");
        using (var copy = await returns.ReceiveAsync(timeout.Token))
        {
            Assert.That((copy.Sender, copy.GetBodyReader().ReadString()), Is.EqualTo((_service.UniqueName, "watched")));
        }

        var raise = MessageWriter.CreateMethodCall(PythonService.DefaultName, PythonService.ObjectPath, PythonService.Interface, "Raise", "ss");
        raise.WriteString("org.dbusgen.Error.Watched");
        raise.WriteString("seen twice");
        var raiseCall = raise.ToMessage();
        Assert.ThrowsAsync<DBusException>(() => connection.CallAsync(raiseCall));
        using (var copy = await errors.ReceiveAsync(timeout.Token))
        {
            Assert.That(copy.ErrorName, Is.EqualTo("org.dbusgen.Error.Watched"));
        }

        var session = new Dictionary<string, string> { ["DBUS_SESSION_BUS_ADDRESS"] = _bus.Address };
        var ping = await Tools.RunWithEnvironmentAsync("gdbus", session, "call", "--session", "--dest", connection.UniqueName!,
            "--object-path", "/any", "--method", "org.freedesktop.DBus.Peer.Ping");
        Assert.That(ping, Is.EqualTo((0, "()\n")), "the built-in Peer still answered");
        using (var copy = await calls.ReceiveAsync(timeout.Token))
        {
            Assert.That((copy.Interface, copy.Member), Is.EqualTo(("org.freedesktop.DBus.Peer", "Ping")));
        }
    }
}
