using DBus.Runtime.Tests.Connection;

namespace DBus.Runtime.Tests.Objects;

[TestFixture]
public class ObjectDispatchTests
{
    private static readonly TimeSpan s_timeout = PeerPair.Timeout;

    private static Message Call(string member, string path = "/calc", string? iface = CalculatorHandler.Name, string signature = "", MessageFlags flags = MessageFlags.None) =>
        MessageWriter.CreateMethodCall(null, new ObjectPath(path), iface, member, new Signature(signature), flags).ToMessage();

    private static Message Add(int a, int b, string? iface = CalculatorHandler.Name)
    {
        var writer = MessageWriter.CreateMethodCall(null, new ObjectPath("/calc"), iface, "Add", new Signature("ii"));
        writer.WriteInt32(a);
        writer.WriteInt32(b);
        return writer.ToMessage();
    }

    private static async Task<string> ErrorOf(DBusConnection client, Message call)
    {
        var e = Assert.ThrowsAsync(Is.InstanceOf<DBusException>(), () => client.CallAsync(call, s_timeout))!;
        await Task.CompletedTask;
        return ((DBusException)e).ErrorName;
    }

    [Test]
    public async Task A_hand_written_handler_answers_with_and_without_the_interface_name()
    {
        await using var pair = PeerPair.Create();
        pair.Server.Export("/calc", new CalculatorHandler());
        using var reply = await pair.Client.CallAsync(Add(2, 40), s_timeout);
        using var reply2 = await pair.Client.CallAsync(Add(1, 1, iface: null), s_timeout);
        Assert.That(reply.GetBodyReader().ReadInt32(), Is.EqualTo(42));
        Assert.That(reply2.GetBodyReader().ReadInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task Calls_that_match_nothing_get_the_standard_errors()
    {
        await using var pair = PeerPair.Create();
        pair.Server.Export("/calc", new CalculatorHandler());
        Assert.That(await ErrorOf(pair.Client, Call("Add", path: "/nothing", signature: "")), Is.EqualTo(DBusErrorNames.UnknownObject));
        Assert.That(await ErrorOf(pair.Client, Call("Add", iface: "com.example.Other")), Is.EqualTo(DBusErrorNames.UnknownInterface));
        Assert.That(await ErrorOf(pair.Client, Call("Subtract")), Is.EqualTo(DBusErrorNames.UnknownMethod));
        Assert.That(await ErrorOf(pair.Client, Call("Subtract", iface: null)), Is.EqualTo(DBusErrorNames.UnknownMethod));
        Assert.That(await ErrorOf(pair.Client, Call("Add")), Is.EqualTo(DBusErrorNames.InvalidArgs));
        Assert.That(await ErrorOf(pair.Client, Call("Frob", iface: "org.freedesktop.DBus.Properties")), Is.EqualTo(DBusErrorNames.UnknownMethod));
        Assert.That(await ErrorOf(pair.Client, Call("GetManagedObjects", iface: "org.freedesktop.DBus.ObjectManager")), Is.EqualTo(DBusErrorNames.UnknownInterface));
    }

    [Test]
    public async Task Handler_exceptions_become_error_replies_and_the_connection_lives_on()
    {
        await using var pair = PeerPair.Create();
        var failures = new List<Exception>();
        pair.Server.CallbackFailed += (_, e) => { lock (failures) failures.Add(e); };
        pair.Server.Export("/calc", new CalculatorHandler());
        var refused = Assert.ThrowsAsync<DBusException>(() => pair.Client.CallAsync(Call("Fail"), s_timeout))!;
        Assert.That(refused.ErrorName, Is.EqualTo("com.example.Error.Refused"));
        Assert.That(refused.ErrorMessage, Is.EqualTo("no, thanks"));
        var crashed = Assert.ThrowsAsync<DBusException>(() => pair.Client.CallAsync(Call("Crash"), s_timeout))!;
        Assert.That(crashed.ErrorName, Is.EqualTo(DBusErrorNames.Failed));
        Assert.That(crashed.ErrorMessage, Is.EqualTo("the calculator broke"), "the message only, no stack trace");
        using var reply = await pair.Client.CallAsync(Add(1, 2), s_timeout);
        Assert.That(reply.GetBodyReader().ReadInt32(), Is.EqualTo(3));
        lock (failures)
        {
            Assert.That(failures.Select(f => f.Message), Is.EqualTo(new[] { "the calculator broke" }));
        }
    }

    [Test]
    public async Task An_awaiting_handler_does_not_hold_up_other_calls_and_replies_later()
    {
        await using var pair = PeerPair.Create();
        var handler = new CalculatorHandler();
        pair.Server.Export("/calc", handler);
        var writer = MessageWriter.CreateMethodCall(null, new ObjectPath("/calc"), CalculatorHandler.Name, "Slow", new Signature("s"));
        writer.WriteString("hello");
        var slow = pair.Client.CallAsync(writer.ToMessage(), s_timeout);
        await handler.SlowStarted.Task.WaitAsync(s_timeout);
        using (var reply = await pair.Client.CallAsync(Add(5, 5), s_timeout))
        {
            Assert.That(reply.GetBodyReader().ReadInt32(), Is.EqualTo(10));
        }
        Assert.That(slow.IsCompleted, Is.False);
        handler.SlowGate.SetResult(" world");
        using var slowReply = await slow.WaitAsync(s_timeout);
        Assert.That(slowReply.GetBodyReader().ReadString(), Is.EqualTo("hello world"));
    }

    [Test]
    public async Task The_context_token_fires_when_the_caller_connection_goes_away()
    {
        var pair = PeerPair.Create();
        var handler = new CalculatorHandler();
        pair.Server.Export("/calc", handler);
        var writer = MessageWriter.CreateMethodCall(null, new ObjectPath("/calc"), CalculatorHandler.Name, "Slow", new Signature("s"));
        writer.WriteString("x");
        _ = pair.Client.CallAsync(writer.ToMessage(), s_timeout);
        await handler.SlowStarted.Task.WaitAsync(s_timeout);
        await pair.Client.DisposeAsync();
        Assert.That(await handler.SlowCancelled.Task.WaitAsync(s_timeout), Is.True);
        handler.SlowGate.SetResult("");
        await pair.DisposeAsync();
    }

    [Test]
    public async Task No_reply_is_sent_when_none_is_expected()
    {
        await using var pair = PeerPair.Create();
        var handler = new CalculatorHandler();
        pair.Server.Export("/calc", handler);
        var replies = new List<uint>();
        pair.Client.AddMessageFilter((_, m) =>
        {
            if (m.Type is MessageType.MethodReturn or MessageType.Error)
            {
                lock (replies) replies.Add(m.ReplySerial!.Value);
            }
            return MessageFilterResult.NotHandled;
        });
        uint notify = pair.Client.Send(Call("Notify", flags: MessageFlags.NoReplyExpected));
        uint fail = pair.Client.Send(Call("Fail", flags: MessageFlags.NoReplyExpected));
        uint unknown = pair.Client.Send(Call("Nope", flags: MessageFlags.NoReplyExpected));
        using (await pair.Client.CallAsync(Add(0, 0), s_timeout))
        {
        }
        Assert.That(handler.NotifyCount, Is.EqualTo(1));
        lock (replies)
        {
            // Replies to pending calls never reach filters, so any reply seen here would be one of the three.
            Assert.That(replies, Has.None.AnyOf(notify, fail, unknown));
        }
    }

    [Test]
    public async Task A_fallback_serves_the_subtree_and_an_exact_object_wins()
    {
        await using var pair = PeerPair.Create();
        pair.Server.Export("/calc", [new CalculatorHandler()], fallback: true);
        var exact = new CalculatorHandler();
        pair.Server.Export("/calc/special", exact);
        using (var reply = await pair.Client.CallAsync(Call("Where", path: "/calc/a/b"), s_timeout))
        {
            Assert.That(reply.GetBodyReader().ReadObjectPath().Value, Is.EqualTo("/calc/a/b"));
        }
        using (await pair.Client.CallAsync(Call("Where", path: "/calc/special"), s_timeout))
        {
        }
        Assert.That(exact.LastPath?.Value, Is.EqualTo("/calc/special"));
        Assert.That(await ErrorOf(pair.Client, Call("Where", path: "/other")), Is.EqualTo(DBusErrorNames.UnknownObject));
    }

    [Test]
    public async Task Several_interfaces_share_a_path_and_unexport_removes_them()
    {
        await using var pair = PeerPair.Create();
        var registration = pair.Server.Export("/calc", new CalculatorHandler());
        pair.Server.Export("/calc", new EchoHandler());
        Assert.Throws<InvalidOperationException>(() => pair.Server.Export("/calc", new CalculatorHandler()));
        var echo = MessageWriter.CreateMethodCall(null, new ObjectPath("/calc"), EchoHandler.Name, "Echo", new Signature("s"));
        echo.WriteString("hi");
        using (var reply = await pair.Client.CallAsync(echo.ToMessage(), s_timeout))
        {
            Assert.That(reply.GetBodyReader().ReadString(), Is.EqualTo("hi"));
        }
        registration.Dispose();
        Assert.That(await ErrorOf(pair.Client, Add(1, 1)), Is.EqualTo(DBusErrorNames.UnknownInterface));
        Assert.That(pair.Server.Unexport("/calc"), Is.True);
        Assert.That(await ErrorOf(pair.Client, Add(1, 1)), Is.EqualTo(DBusErrorNames.UnknownObject));
    }

    [Test]
    public void Export_refuses_invalid_handlers()
    {
        var (a, _) = PairedTransport.CreatePair();
        using var connection = new DBusConnection(new MessageStream(a, "0123456789abcdef0123456789abcdef", false, default, null), new DBusConnectionOptions { IsBus = false });
        Assert.Throws<ArgumentException>(() => connection.Export("/x", new EchoHandler("com.example.Wrong")));
        Assert.Throws<ArgumentException>(() => connection.Export("/x", new EchoHandler("org.freedesktop.DBus.Properties")));
        Assert.Throws<ArgumentException>(() => connection.Export("/x", new EchoHandler(xml: "<interface name='com.example.Echo'><property name='P' type='ii'/></interface>")));
    }

    [Test]
    public async Task Exported_children_are_listed()
    {
        await using var pair = PeerPair.Create();
        pair.Server.Export("/a/b", new EchoHandler());
        pair.Server.Export("/a/c/d", new EchoHandler());
        pair.Server.Export("/z", new EchoHandler());
        Assert.That(pair.Server.ListExportedChildObjects("/"), Is.EqualTo(new[] { "a", "z" }));
        Assert.That(pair.Server.ListExportedChildObjects("/a"), Is.EqualTo(new[] { "b", "c" }));
        Assert.That(pair.Server.ListExportedChildObjects("/a/b"), Is.Empty);
    }

    /// <summary>A second interface; its name and XML can be broken on purpose.</summary>
    private sealed class EchoHandler(string name = EchoHandler.Name, string? xml = null) : IDBusInterfaceHandler
    {
        public const string Name = "com.example.Echo";

        public string InterfaceName => name;

        public string IntrospectionXml => xml ?? """
            <interface name="com.example.Echo">
              <method name="Echo"><arg type="s" direction="in"/><arg type="s" direction="out"/></method>
            </interface>
            """;

        public ValueTask HandleCallAsync(MethodContext context)
        {
            var reply = context.CreateReply("s");
            reply.WriteString(context.Request.GetBodyReader().ReadString());
            context.Reply(reply.ToMessage());
            return default;
        }

        public void WriteProperty(string name, ref MessageWriter writer) => throw new NotSupportedException();

        public void SetProperty(string name, ref MessageReader reader) => throw new NotSupportedException();
    }
}
