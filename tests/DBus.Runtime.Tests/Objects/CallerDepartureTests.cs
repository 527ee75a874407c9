using DBusGen.Tests.Shared;
using DBus.Testing;

namespace DBus.Runtime.Tests.Objects;

/// <summary>A service on a private bus whose callers leave while their calls are in progress.</summary>
[TestFixture]
[NonParallelizable]
public class CallerDepartureTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    private static Message Slow(string destination, string text)
    {
        var writer = MessageWriter.CreateMethodCall(destination, "/calc", CalculatorHandler.Name, "Slow", "s");
        writer.WriteString(text);
        return writer.ToMessage();
    }

    private static Message Add(string destination, int a, int b)
    {
        var writer = MessageWriter.CreateMethodCall(destination, "/calc", CalculatorHandler.Name, "Add", "ii");
        writer.WriteInt32(a);
        writer.WriteInt32(b);
        return writer.ToMessage();
    }

    private static MatchRule OwnerRule(string name)
    {
        var rule = MatchRule.Parse("type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged'");
        rule.Args[0] = name;
        return rule;
    }

    private static async Task<int> AddAsync(DBusConnection client, string destination, int a, int b)
    {
        using var reply = await client.CallAsync(Add(destination, a, b), s_timeout);
        return reply.GetBodyReader().ReadInt32();
    }

    [Test]
    public async Task A_caller_leaving_the_bus_cancels_its_call_and_the_service_serves_others()
    {
        await using var bus = await PrivateBus.StartAsync();
        await using var service = await DBusConnection.ConnectAsync(bus.Address);
        var failures = new List<Exception>();
        service.CallbackFailed += (_, e) => { lock (failures) failures.Add(e); };
        var handler = new CalculatorHandler();
        service.Export("/calc", handler);
        string name = service.UniqueName!;

        var leaving = await DBusConnection.ConnectAsync(bus.Address);
        string leavingName = leaving.UniqueName!;
        var pending = leaving.CallAsync(Slow(name, "x"), s_timeout);
        await handler.SlowStarted.Task.WaitAsync(s_timeout);
        Assert.That(handler.SlowCancelled.Task.IsCompleted, Is.False, "the caller is still there");
        await leaving.DisposeAsync();
        Assert.ThrowsAsync<DBusDisconnectedException>(() => pending);

        Assert.That(await handler.SlowCancelled.Task.WaitAsync(s_timeout), Is.True, "the handler's token fired");
        Assert.That(service.IsConnected, Is.True);
        await using var other = await DBusConnection.ConnectAsync(bus.Address);
        Assert.That(await AddAsync(other, name, 40, 2), Is.EqualTo(42));

        // The handler answers anyway; the reply to the departed caller is dropped quietly.
        handler.SlowGate.SetResult("!");
        await handler.SlowReplied.Task.WaitAsync(s_timeout);
        Assert.That(await AddAsync(other, name, 1, 1), Is.EqualTo(2));
        Assert.That(service.Callers.Find(leavingName), Is.Null, "the departed caller is forgotten");
        Assert.That(service.HasMatch(OwnerRule(leavingName)), Is.False);
        lock (failures)
        {
            Assert.That(failures, Is.Empty);
        }
    }

    [Test]
    public async Task A_dbus_python_caller_that_exits_mid_call_cancels_it()
    {
        await using var bus = await PrivateBus.StartAsync();
        await using var service = await DBusConnection.ConnectAsync(bus.Address);
        var handler = new CalculatorHandler();
        service.Export("/calc", handler);
        const string script = """
            import os, sys, dbus
            conn = dbus.bus.BusConnection(sys.argv[1])
            # No handlers: dbus-python just sends the call (a reply is still expected by the protocol).
            conn.call_async(sys.argv[2], '/calc', 'com.example.Calculator', 'Slow', 's', ('x',), None, None)
            conn.flush()
            # Wait for the service to start the call (it answers Add only after dispatching Slow), then vanish.
            print(conn.call_blocking(sys.argv[2], '/calc', 'com.example.Calculator', 'Add', 'ii', (1, 2)))
            sys.stdout.flush()
            os._exit(0)
            """;
        var result = await ExternalTool.PythonAsync(script, bus.Address, service.UniqueName!);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output.Trim(), Is.EqualTo("3"), result.ToString());
        await handler.SlowStarted.Task.WaitAsync(s_timeout);
        Assert.That(await handler.SlowCancelled.Task.WaitAsync(s_timeout), Is.True, "the handler's token fired");
        handler.SlowGate.SetResult("");
    }

    [Test]
    public async Task The_watch_is_only_for_calls_still_running_and_leaves_the_bus_with_the_last_one()
    {
        await using var bus = await PrivateBus.StartAsync();
        await using var service = await DBusConnection.ConnectAsync(bus.Address);
        var handler = new CalculatorHandler();
        service.Export("/calc", handler);
        string name = service.UniqueName!;
        await using var caller = await DBusConnection.ConnectAsync(bus.Address);
        var rule = OwnerRule(caller.UniqueName!);

        // A handler that finishes without yielding costs no watch.
        Assert.That(await AddAsync(caller, name, 2, 3), Is.EqualTo(5));
        Assert.That(service.Callers.Count, Is.Zero);
        Assert.That(service.HasMatch(rule), Is.False);

        // Two slow calls from one caller share one watch.
        var first = caller.CallAsync(Slow(name, "a"), s_timeout);
        var second = caller.CallAsync(Slow(name, "b"), s_timeout);
        // Answered after both Slow calls were dispatched (calls from one connection are dispatched in order).
        Assert.That(await AddAsync(caller, name, 0, 0), Is.Zero);
        var watched = service.Callers.Find(caller.UniqueName!);
        Assert.That(watched, Is.Not.Null);
        await watched!.Watched.Task.WaitAsync(s_timeout);
        Assert.That(service.HasMatch(rule), Is.True, "the watch's rule is in place while the calls run");
        Assert.That(watched.IsGone, Is.False, "NameHasOwner found the caller");

        handler.SlowGate.SetResult("!");
        using (var a = await first.WaitAsync(s_timeout))
        using (var b = await second.WaitAsync(s_timeout))
        {
            Assert.That((a.GetBodyReader().ReadString(), b.GetBodyReader().ReadString()), Is.EqualTo(("a!", "b!")));
        }
        // The hold is dropped before the reply is sent, so both are gone by now.
        Assert.That(service.Callers.Count, Is.Zero);
        Assert.That(service.HasMatch(rule), Is.False);
        // The RemoveMatch went to the bus before the last reply: removing the rule again finds nothing there.
        var remove = MessageWriter.CreateMethodCall("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "RemoveMatch", "s");
        remove.WriteString(rule.ToString());
        var removeCall = remove.ToMessage();
        var e = Assert.ThrowsAsync(Is.InstanceOf<DBusException>(), () => service.CallAsync(removeCall, s_timeout))!;
        Assert.That(((DBusException)e).ErrorName, Is.EqualTo("org.freedesktop.DBus.Error.MatchRuleNotFound"));
    }
}
