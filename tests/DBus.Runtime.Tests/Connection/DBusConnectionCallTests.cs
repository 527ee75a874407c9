namespace DBus.Runtime.Tests.Connection;

[TestFixture]
public class DBusConnectionCallTests
{
    [Test]
    public async Task A_call_gets_its_reply()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        using var reply = await pair.Client.CallAsync(PeerPair.Echo("hello")).WaitAsync(PeerPair.Timeout);
        Assert.That(reply.Type, Is.EqualTo(MessageType.MethodReturn));
        Assert.That(reply.GetBodyReader().ReadString(), Is.EqualTo("hello"));
    }

    [Test]
    public async Task A_reader_turns_the_reply_into_a_value()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        string text = await pair.Client.CallAsync(PeerPair.Echo("typed"), static m => m.GetBodyReader().ReadString()).WaitAsync(PeerPair.Timeout);
        Assert.That(text, Is.EqualTo("typed"));
    }

    [Test]
    public async Task Sixty_four_calls_in_flight_each_get_their_own_reply()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        var calls = Enumerable.Range(0, 64)
            .Select(i => pair.Client.CallAsync(PeerPair.Echo("n" + i), static m => m.GetBodyReader().ReadString()))
            .ToArray();
        var replies = await Task.WhenAll(calls).WaitAsync(PeerPair.Timeout);
        Assert.That(replies, Is.EqualTo(Enumerable.Range(0, 64).Select(i => "n" + i)));
    }

    [Test]
    public async Task Typed_calls_from_many_threads_over_many_rounds_never_get_each_others_outcome()
    {
        // The typed call path reuses its pending-call objects: a mix-up would show as a wrong value or error.
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        static string Read(MessageView m) => m.GetBodyReader().ReadString();
        var workers = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (int round = 0; round < 50; round++)
            {
                var echoes = Enumerable.Range(0, 16).Select(i => pair.Client.CallAsync(PeerPair.Echo($"{worker}/{round}/{i}"), Read)).ToArray();
                var failure = pair.Client.CallAsync(PeerPair.Call("Fail"), Read);
                var texts = await Task.WhenAll(echoes);
                Assert.That(texts, Is.EqualTo(Enumerable.Range(0, 16).Select(i => $"{worker}/{round}/{i}")));
                var e = Assert.ThrowsAsync<DBusException>(() => failure);
                Assert.That(e!.ErrorName, Is.EqualTo("org.test.Error.Boom"));
            }
        })).ToArray();
        await Task.WhenAll(workers).WaitAsync(PeerPair.Timeout);
        Assert.That(pair.Client.PendingCallCount, Is.Zero);
    }

    [Test]
    public async Task A_typed_calls_continuation_does_not_run_on_the_dispatch_thread()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        await pair.Client.CallAsync(PeerPair.Echo("first"), static m => m.GetBodyReader().ReadString()).WaitAsync(PeerPair.Timeout);
        // On the dispatch thread a blocking call fails at once; here it must work.
        using var reply = pair.Client.Call(PeerPair.Echo("blocking"), PeerPair.Timeout);
        Assert.That(reply.GetBodyReader().ReadString(), Is.EqualTo("blocking"));
    }

    [Test]
    public async Task A_reader_that_throws_fails_only_its_own_call()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        var bad = pair.Client.CallAsync<int>(PeerPair.Echo("unreadable"), static _ => throw new InvalidDataException("cannot read this"));
        var e = Assert.ThrowsAsync<InvalidDataException>(() => bad.WaitAsync(PeerPair.Timeout));
        Assert.That(e!.Message, Is.EqualTo("cannot read this"));
        string text = await pair.Client.CallAsync(PeerPair.Echo("fine"), static m => m.GetBodyReader().ReadString()).WaitAsync(PeerPair.Timeout);
        Assert.That(text, Is.EqualTo("fine"));
    }

    [Test]
    public async Task An_error_reply_throws_with_its_name_and_text()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        var e = Assert.ThrowsAsync<DBusException>(() => pair.Client.CallAsync(PeerPair.Call("Fail")).WaitAsync(PeerPair.Timeout));
        Assert.That(e!.ErrorName, Is.EqualTo("org.test.Error.Boom"));
        Assert.That(e.ErrorMessage, Is.EqualTo("it went boom"));
    }

    [Test]
    public async Task A_call_nobody_handles_gets_the_standard_error_as_a_typed_exception()
    {
        await using var pair = PeerPair.Create();
        var e = Assert.ThrowsAsync<DBusUnknownObjectException>(() => pair.Client.CallAsync(PeerPair.Call("Nothing")).WaitAsync(PeerPair.Timeout));
        Assert.That(e!.Message, Does.Contain("/org/test"));
    }

    [Test]
    public async Task Peer_Ping_and_GetMachineId_are_answered_on_any_path()
    {
        await using var pair = PeerPair.Create();
        using var pong = await pair.Client.CallAsync(PeerPair.Call("Ping", "org.freedesktop.DBus.Peer", "/any/path")).WaitAsync(PeerPair.Timeout);
        Assert.That(pong.Type, Is.EqualTo(MessageType.MethodReturn));
        if (File.Exists("/etc/machine-id") || File.Exists("/var/lib/dbus/machine-id"))
        {
            string expected = (File.Exists("/etc/machine-id") ? File.ReadAllText("/etc/machine-id") : File.ReadAllText("/var/lib/dbus/machine-id")).Trim();
            using var id = await pair.Client.CallAsync(PeerPair.Call("GetMachineId", "org.freedesktop.DBus.Peer")).WaitAsync(PeerPair.Timeout);
            Assert.That(id.GetBodyReader().ReadString(), Is.EqualTo(expected));
        }
        Assert.ThrowsAsync<DBusUnknownMethodException>(() => pair.Client.CallAsync(PeerPair.Call("Pong", "org.freedesktop.DBus.Peer")).WaitAsync(PeerPair.Timeout));
    }

    [Test]
    public async Task A_call_without_a_reply_times_out_and_leaves_nothing_pending()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        var started = Environment.TickCount64;
        var e = Assert.ThrowsAsync<DBusNoReplyException>(() => pair.Client.CallAsync(PeerPair.Call("Swallow"), TimeSpan.FromMilliseconds(200)).WaitAsync(PeerPair.Timeout));
        Assert.That(Environment.TickCount64 - started, Is.GreaterThanOrEqualTo(190));
        Assert.That(e!.ErrorName, Is.EqualTo(DBusErrorNames.NoReply));
        Assert.That(pair.Client.PendingCallCount, Is.Zero);
    }

    [Test]
    public async Task A_short_timeout_fires_even_while_a_longer_one_is_pending()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        var slow = pair.Client.CallAsync(PeerPair.Call("Swallow"), TimeSpan.FromSeconds(30));
        var quick = pair.Client.CallAsync(PeerPair.Call("Swallow"), TimeSpan.FromMilliseconds(100));
        Assert.ThrowsAsync<DBusNoReplyException>(() => quick.WaitAsync(PeerPair.Timeout));
        Assert.That(slow.IsCompleted, Is.False);
    }

    [Test]
    public async Task Cancelling_a_call_ends_it_and_its_late_reply_is_dropped()
    {
        await using var pair = PeerPair.Create();
        var held = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Server.AddMessageFilter((_, m) =>
        {
            if (m.Member == "Hold")
            {
                held.TrySetResult(MessageWriter.CreateMethodReturn(m).ToMessage());
                return MessageFilterResult.Handled;
            }
            return MessageFilterResult.NotHandled;
        });
        pair.ServeEcho();
        using var cts = new CancellationTokenSource();
        var call = pair.Client.CallAsync(PeerPair.Call("Hold"), cts.Token);
        var lateReply = await held.Task.WaitAsync(PeerPair.Timeout);
        cts.Cancel();
        Assert.CatchAsync<OperationCanceledException>(() => call.WaitAsync(PeerPair.Timeout));
        pair.Server.Send(lateReply);
        // The connection carries on: the late reply went nowhere and the next call works.
        using var reply = await pair.Client.CallAsync(PeerPair.Echo("after")).WaitAsync(PeerPair.Timeout);
        Assert.That(reply.GetBodyReader().ReadString(), Is.EqualTo("after"));
        Assert.That(pair.Client.PendingCallCount, Is.Zero);
    }

    [Test]
    public async Task StartCall_runs_the_reply_handler_or_the_error_handler()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        var replied = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var failed = new TaskCompletionSource<DBusException>(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Client.StartCall(PeerPair.Echo("cb"), m => replied.SetResult(m.GetBodyReader().ReadString()), e => replied.SetException(e));
        pair.Client.StartCall(PeerPair.Call("Fail"), _ => failed.SetException(new AssertionException("no reply expected")), e => failed.SetResult(e));
        Assert.That(await replied.Task.WaitAsync(PeerPair.Timeout), Is.EqualTo("cb"));
        Assert.That((await failed.Task.WaitAsync(PeerPair.Timeout)).ErrorName, Is.EqualTo("org.test.Error.Boom"));
    }

    [Test]
    public async Task A_pending_call_can_be_cancelled_once()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        var pending = pair.Client.SendWithReply(PeerPair.Call("Swallow"));
        Assert.That(pending.Serial, Is.Not.Zero);
        Assert.That(pending.Cancel(), Is.True);
        Assert.That(pending.Cancel(), Is.False);
        Assert.CatchAsync<OperationCanceledException>(() => pending.Reply.WaitAsync(PeerPair.Timeout));
    }

    [Test]
    public async Task Send_returns_increasing_serials()
    {
        await using var pair = PeerPair.Create();
        uint first = pair.Client.Send(PeerPair.Signal("S", "a"));
        uint second = pair.Client.Send(PeerPair.Signal("S", "b"));
        Assert.That(second, Is.GreaterThan(first));
        await pair.Client.FlushAsync().WaitAsync(PeerPair.Timeout);
    }

    [Test]
    public async Task A_blocking_call_works_from_another_thread()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        var text = await Task.Run(() =>
        {
            using var reply = pair.Client.Call(PeerPair.Echo("blocking"));
            return reply.GetBodyReader().ReadString();
        }).WaitAsync(PeerPair.Timeout);
        Assert.That(text, Is.EqualTo("blocking"));
    }

    [Test]
    public async Task A_blocking_call_on_the_dispatch_thread_fails_at_once_instead_of_deadlocking()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        var outcome = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await pair.Client.AddSignalReceiverAsync(new MatchRule { Member = "Go" }, signal =>
        {
            try
            {
                using var reply = signal.Connection.Call(PeerPair.Echo("never"));
                outcome.SetResult(null);
            }
            catch (Exception e)
            {
                outcome.SetResult(e);
            }
        });
        pair.Server.Send(PeerPair.Signal("Go", "x"));
        var error = await outcome.Task.WaitAsync(PeerPair.Timeout);
        Assert.That(error, Is.TypeOf<InvalidOperationException>());
        Assert.That(error!.Message, Does.Contain("dispatch thread").And.Contain("deadlock"));
    }
}
