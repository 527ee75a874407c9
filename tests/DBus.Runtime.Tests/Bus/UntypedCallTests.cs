using System.Collections.Concurrent;
using DBus.Testing;

namespace DBus.Runtime.Tests.Bus;

/// <summary>dbus-python's call_async without handlers, PendingCall.Reply of a StartCall, call_blocking in one line,
/// and Jeepney's blocking receives on a raw MessageStream, against a private dbus-daemon and a dbus-python service.</summary>
[TestFixture]
[NonParallelizable]
public class UntypedCallTests
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

    private static Message Echo(string value)
    {
        var writer = MessageWriter.CreateMethodCall(PythonService.DefaultName, PythonService.ObjectPath, PythonService.Interface, "Echo_s", "s");
        writer.WriteString(value);
        return writer.ToMessage();
    }

    [Test]
    public async Task StartCall_without_handlers_sends_no_reply_expected_and_nothing_waits()
    {
        await using var caller = await DBusConnection.ConnectAsync(_bus.Address);
        await using var callee = await DBusConnection.ConnectAsync(_bus.Address);
        var flags = new BlockingCollection<MessageFlags>();
        callee.AddMessageFilter((_, m) =>
        {
            if (m.Member == "Fire")
            {
                flags.Add(m.Flags);
            }
            return MessageFilterResult.NotHandled;
        });
        var call = MessageWriter.CreateMethodCall(callee.UniqueName, "/any", "org.example.Any", "Fire").ToMessage();
        var pending = caller.StartCall(call, null, null);
        Assert.That(pending.Serial, Is.Not.Zero);
        Assert.That(flags.TryTake(out var seen, s_timeout), Is.True);
        Assert.That(seen & MessageFlags.NoReplyExpected, Is.EqualTo(MessageFlags.NoReplyExpected));
        var noReply = Assert.ThrowsAsync<InvalidOperationException>(() => pending.Reply);
        Assert.That(noReply!.Message, Does.Contain("NO_REPLY_EXPECTED"));
        Assert.That(pending.Cancel(), Is.False);
        Assert.Throws<ArgumentNullException>(() => caller.StartCall(Echo("x"), _ => { }, null));
    }

    [Test]
    public async Task PendingCall_Reply_of_a_StartCall_completes_with_the_reply_or_the_error()
    {
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        var handled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Reply must be read before the reply arrives. Replies are dispatched on the dispatch thread, so a call started
        // and asked for its Reply there (in another call's reply handler) cannot lose that race.
        var started = new TaskCompletionSource<Task<Message>>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.StartCall(Echo("first"), _ =>
        {
            var pending = connection.StartCall(Echo("both"), r => handled.TrySetResult(r.GetBodyReader().ReadString()), e => handled.TrySetException(e));
            started.SetResult(pending.Reply);
        }, e => started.TrySetException(e));
        using (var reply = await (await started.Task.WaitAsync(s_timeout)).WaitAsync(s_timeout))
        {
            Assert.That(reply.GetBodyReader().ReadString(), Is.EqualTo("both"));
        }
        Assert.That(await handled.Task.WaitAsync(s_timeout), Is.EqualTo("both"), "the handler got it too");

        var late = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var unread = connection.StartCall(Echo("handler only"), _ => late.SetResult(), e => late.SetException(e));
        await late.Task.WaitAsync(s_timeout);
        var gone = Assert.ThrowsAsync<InvalidOperationException>(() => unread.Reply.WaitAsync(s_timeout));
        Assert.That(gone!.Message, Does.Contain("went to the reply handler"));

        var raise = MessageWriter.CreateMethodCall(PythonService.DefaultName, PythonService.ObjectPath, PythonService.Interface, "Raise", "ss");
        raise.WriteString("org.dbusgen.Error.Both");
        raise.WriteString("to both");
        var failing = connection.StartCall(raise.ToMessage(), _ => { }, _ => { });
        var error = Assert.ThrowsAsync<DBusException>(() => failing.Reply.WaitAsync(s_timeout));
        Assert.That(error!.ErrorName, Is.EqualTo("org.dbusgen.Error.Both"));
    }

    [Test]
    public async Task A_one_line_untyped_call_converts_values_with_the_signature_blocking_and_async()
    {
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        var values = await connection.CallMethodAsync(PythonService.DefaultName, PythonService.ObjectPath, PythonService.Interface,
            "Echo_asv", "a{sv}", new Dictionary<string, object> { ["n"] = 1, ["list"] = new[] { "a", "b" } });
        Assert.That(values[0].ToObject(), Is.EqualTo(new Dictionary<string, object?> { ["n"] = 1, ["list"] = new[] { "a", "b" } }));

        var blocking = await Task.Run(() => connection.CallMethod(PythonService.DefaultName, PythonService.ObjectPath, PythonService.Interface,
            "Echo_struct", "(isv)", (3L, "three", new Variant(3.0))));
        Assert.That(blocking[0].ToObject(), Is.EqualTo((object)((object)3, (object)"three", (object)3.0)), "a long converted to the 'i' of the signature");

        var wrong = Assert.Throws<ArgumentException>(() => connection.CallMethodAsync(PythonService.DefaultName, PythonService.ObjectPath,
            PythonService.Interface, "Echo_i", "i", "not a number"));
        Assert.That(wrong!.Message, Does.Contain("argument 0 of Echo_i"));
        Assert.ThrowsAsync<DBusUnknownMethodException>(() => connection.CallMethodAsync(PythonService.DefaultName, PythonService.ObjectPath,
            PythonService.Interface, "NoSuchMethod", ""));
    }

    [Test]
    public async Task A_raw_stream_receives_blocking_with_a_timeout_and_until_a_filter_setting_the_rest_aside_in_order()
    {
        await using var stream = await MessageStream.ConnectAsync(_bus.Address);
        var timeout = Assert.Throws<TimeoutException>(() => stream.Receive(TimeSpan.FromMilliseconds(100)));
        Assert.That(timeout!.Message, Does.Contain("no message arrived"));

        uint hello = await stream.SendAsync(MessageWriter.CreateMethodCall("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello").ToMessage());
        uint first = await stream.SendAsync(Echo("first"));
        uint second = await stream.SendAsync(Echo("second"));

        using (var reply = await Task.Run(() => stream.ReceiveUntil(m => m.ReplySerial == second, s_timeout)))
        {
            Assert.That(reply.GetBodyReader().ReadString(), Is.EqualTo("second"));
        }
        Assert.That(stream.SetAsideCount, Is.EqualTo(3));
        using var helloReply = stream.Receive(s_timeout);
        using var acquired = stream.Receive(s_timeout);
        using var firstReply = await stream.ReceiveAsync();
        Assert.That((helloReply.ReplySerial, acquired.Member, firstReply.ReplySerial), Is.EqualTo(((uint?)hello, "NameAcquired", (uint?)first)),
            "what arrived before the filtered message comes back in order, nothing dropped");
        Assert.That(stream.SetAsideCount, Is.Zero);

        var none = Assert.Throws<TimeoutException>(() => stream.ReceiveUntil(m => m.Member == "Never", TimeSpan.FromMilliseconds(100)));
        Assert.That(none!.Message, Does.Contain("no matching message"));
    }
}
