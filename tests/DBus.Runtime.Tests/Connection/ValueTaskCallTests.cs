namespace DBus.Runtime.Tests.Connection;

/// <summary>
/// <see cref="DBusConnection.CallValueTaskAsync{T}(Message, ReplyReader{T}, TimeSpan?, CancellationToken)"/> and its
/// forms: the task's source is pooled, so every outcome must reach its own call and a misused task must fail
/// without disturbing the calls that reuse the source.
/// </summary>
[TestFixture]
public class ValueTaskCallTests
{
    private static readonly ReplyReader<string> s_readString = static m => m.GetBodyReader().ReadString();

    [Test]
    public async Task Each_outcome_reaches_its_own_call_while_the_source_is_reused()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        for (int round = 0; round < 3; round++)
        {
            Assert.That(await pair.Client.CallValueTaskAsync(PeerPair.Echo($"value {round}"), s_readString), Is.EqualTo($"value {round}"));
            var error = Assert.ThrowsAsync<DBusException>(async () => await pair.Client.CallValueTaskAsync(PeerPair.Call("Fail"), s_readString));
            Assert.That(error!.ErrorName, Is.EqualTo("org.test.Error.Boom"));
            Assert.ThrowsAsync<DBusNoReplyException>(async () =>
                await pair.Client.CallValueTaskAsync(PeerPair.Call("Swallow"), s_readString, TimeSpan.FromMilliseconds(50)));
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
            Assert.CatchAsync<OperationCanceledException>(async () =>
                await pair.Client.CallValueTaskAsync(PeerPair.Call("Swallow"), s_readString, Timeout.InfiniteTimeSpan, cancel.Token));
            var thrown = Assert.ThrowsAsync<FormatException>(async () =>
                await pair.Client.CallValueTaskAsync<string>(PeerPair.Echo("x"), static _ => throw new FormatException("bad reply")));
            Assert.That(thrown!.Message, Is.EqualTo("bad reply"));
            int length = await pair.Client.CallValueTaskAsync(PeerPair.Echo("four"), static (reply, extra) => reply.GetBodyReader().ReadString().Length + extra, 10);
            Assert.That(length, Is.EqualTo(14));
        }
        Assert.That(pair.Client.PendingCallCount, Is.Zero);
    }

    [Test]
    public async Task The_form_without_a_value_completes_on_a_reply_and_throws_an_error_reply()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        var done = pair.Client.CallValueTaskAsync(PeerPair.Echo("ignored")).AsTask();
        await done.WaitAsync(PeerPair.Timeout);
        Assert.That(done.IsCompletedSuccessfully, Is.True);
        var error = Assert.ThrowsAsync<DBusException>(async () => await pair.Client.CallValueTaskAsync(PeerPair.Call("Fail")));
        Assert.That(error!.ErrorName, Is.EqualTo("org.test.Error.Boom"));
    }

    [Test]
    public async Task Many_calls_in_flight_each_get_their_own_reply()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        var calls = new Task<string>[200];
        for (int i = 0; i < calls.Length; i++)
        {
            calls[i] = Await(pair.Client.CallValueTaskAsync(PeerPair.Echo($"#{i}"), s_readString));
        }
        var replies = await Task.WhenAll(calls).WaitAsync(PeerPair.Timeout);
        Assert.That(replies, Is.EqualTo(Enumerable.Range(0, calls.Length).Select(i => $"#{i}")));

        static async Task<string> Await(ValueTask<string> call) => await call;
    }

    [Test]
    public async Task Callers_on_several_threads_each_get_their_own_outcomes_while_sources_move_between_them(
        [Values(false, true)] bool overUnixSocket)
    {
        // Over a Unix socket the reactor publishes outcomes: sources are taken back on reactor threads and reused on
        // the pool; over the paired transport both happen on the pool.
        IAsyncDisposable peers;
        DBusConnection client, server;
        if (overUnixSocket)
        {
            var unix = PeerPair.OverUnixSocket();
            (peers, client, server) = (unix, unix.Client, unix.Server);
        }
        else
        {
            var pair = PeerPair.Create();
            (peers, client, server) = (pair, pair.Client, pair.Server);
        }
        await using var _ = peers;
        PeerPair.ServeEcho(server);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        async Task<int> CallerAsync(int caller)
        {
            int checkedOutcomes = 0;
            for (int i = 0; i < 300; i++)
            {
                string text = $"{caller}/{i}";
                // Failure.Of, not Assert.ThrowsAsync: this may run on a reactor thread (see Failure).
                if (i % 10 == 3)
                {
                    var failure = await Failure.Of(async () => await client.CallValueTaskAsync(PeerPair.Echo(text), s_readString, null, cancelled.Token));
                    Assert.That(failure, Is.InstanceOf<OperationCanceledException>());
                }
                else if (i % 10 == 7)
                {
                    var failure = await Failure.Of(async () => await client.CallValueTaskAsync(PeerPair.Call("Fail")));
                    Assert.That(failure, Is.InstanceOf<DBusException>().With.Property(nameof(DBusException.ErrorName)).EqualTo("org.test.Error.Boom"));
                }
                else
                {
                    Assert.That(await client.CallValueTaskAsync(PeerPair.Echo(text), s_readString), Is.EqualTo(text));
                }
                checkedOutcomes++;
            }
            return checkedOutcomes;
        }
        var callers = Enumerable.Range(0, 4).Select(c => Task.Run(() => CallerAsync(c))).ToArray();
        Assert.That(await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(60)), Is.All.EqualTo(300));
        Assert.That(client.PendingCallCount, Is.Zero);
    }

    [Test]
    public async Task A_task_awaited_again_fails_and_the_call_that_reused_its_source_is_untouched()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        var first = pair.Client.CallValueTaskAsync(PeerPair.Echo("first"), s_readString);
        Assert.That(await first, Is.EqualTo("first"));
        // The source went back to the pool: the next call on this thread may well take it.
        var second = pair.Client.CallValueTaskAsync(PeerPair.Echo("second"), s_readString);
        Assert.Throws<InvalidOperationException>(() => first.GetAwaiter().GetResult());
        Assert.That(await second, Is.EqualTo("second"));
    }

    [Test]
    public async Task Reading_the_result_before_the_call_ends_is_refused_and_the_call_still_ends()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        var swallowed = pair.Client.CallValueTaskAsync(PeerPair.Call("Swallow"), s_readString, TimeSpan.FromMilliseconds(100));
        var refused = Assert.Throws<InvalidOperationException>(() => swallowed.GetAwaiter().GetResult());
        Assert.That(refused!.Message, Does.Contain("AsTask()"));
        Assert.ThrowsAsync<DBusNoReplyException>(async () => await swallowed);
        Assert.That(await pair.Client.CallValueTaskAsync(PeerPair.Echo("after"), s_readString), Is.EqualTo("after"));
    }

    [Test]
    public async Task The_continuation_runs_after_the_dispatch_turn_where_a_blocking_call_cannot_deadlock()
    {
        await using var peers = PeerPair.OverUnixSocketAnswering(1);
        var client = peers.Client;
        var both = Task.Run(async () =>
        {
            var first = await client.CallValueTaskAsync(PeerPair.Call("First"), static reply => reply.Type);
            // Continuing where the reply was read: a blocking call here needs another reply read meanwhile.
            using var second = client.Call(PeerPair.Call("Second"), PeerPair.Timeout);
            return (first, second.Type);
        });
        var (firstType, secondType) = await both.WaitAsync(PeerPair.Timeout);
        Assert.That(firstType, Is.EqualTo(MessageType.MethodReturn));
        Assert.That(secondType, Is.EqualTo(MessageType.MethodReturn));
    }

    [Test]
    public async Task A_call_allocates_at_least_a_task_less_than_the_task_returning_form()
    {
        // Both ends are in this process, so the process's allocation per call counts both; the difference between
        // the two forms is the client's task.
        await using var peers = PeerPair.OverUnixSocketAnswering(42);
        var client = peers.Client;
        static Message Call() => MessageWriter.CreateMethodCall(null, new ObjectPath("/org/test"), "org.test.Iface", "Get").ToMessage();
        static int Read(MessageView reply) => reply.GetBodyReader().ReadInt32();
        const int calls = 4000;

        async Task<double> TaskForm()
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < calls; i++)
            {
                await client.CallAsync(Call(), Read);
            }
            return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)calls;
        }

        async Task<double> ValueTaskForm()
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < calls; i++)
            {
                await client.CallValueTaskAsync(Call(), Read);
            }
            return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)calls;
        }

        // Warm both paths up (pools filled, code jitted), then take the best of three runs of each: other tests
        // running in the process only ever add to a figure.
        await TaskForm().WaitAsync(TimeSpan.FromSeconds(60));
        await ValueTaskForm().WaitAsync(TimeSpan.FromSeconds(60));
        double withTask = double.MaxValue, withValueTask = double.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            withTask = Math.Min(withTask, await TaskForm().WaitAsync(TimeSpan.FromSeconds(60)));
            withValueTask = Math.Min(withValueTask, await ValueTaskForm().WaitAsync(TimeSpan.FromSeconds(60)));
        }
        // Task<int> is 72 bytes on 64-bit .NET 10.
        TestContext.Out.WriteLine($"bytes per call, both ends: Task form {withTask:F1}, ValueTask form {withValueTask:F1}");
        Assert.That(withTask - withValueTask, Is.GreaterThanOrEqualTo(64), $"bytes per call: Task form {withTask:F1}, ValueTask form {withValueTask:F1}");
        // Three 24-byte Message handles remain: the client's call, the server's received call and its reply.
        Assert.That(withValueTask, Is.LessThanOrEqualTo(80), "bytes per call of the ValueTask form, both ends");
    }
}
