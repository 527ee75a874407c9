namespace DBus.Runtime.Tests.Connection;

/// <summary>
/// <see cref="DBusConnection.Call{T}(Message, ReplyReader{T}, TimeSpan?)"/> (the dispatch thread wakes the caller
/// directly) and the readers that take a state.
/// </summary>
[TestFixture]
public class BlockingTypedCallTests
{
    private static readonly ReplyReader<string> s_readString = static m => m.GetBodyReader().ReadString();

    [Test]
    public async Task A_blocking_typed_call_returns_the_value_and_each_error_as_its_exception()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        await Task.Run(() =>
        {
            Assert.That(pair.Client.Call(PeerPair.Echo("blocking"), s_readString), Is.EqualTo("blocking"));
            var error = Assert.Throws<DBusException>(() => pair.Client.Call(PeerPair.Call("Fail"), s_readString));
            Assert.That(error!.ErrorName, Is.EqualTo("org.test.Error.Boom"));
            Assert.Throws<DBusNoReplyException>(() => pair.Client.Call(PeerPair.Call("Swallow"), s_readString, TimeSpan.FromMilliseconds(50)));
            var thrown = Assert.Throws<FormatException>(() => pair.Client.Call<string>(PeerPair.Echo("x"), static _ => throw new FormatException("bad reply")));
            Assert.That(thrown!.Message, Is.EqualTo("bad reply"));
            // The thread's pending reply is reused: the next call must not see any of the outcomes above.
            Assert.That(pair.Client.Call(PeerPair.Echo("again"), s_readString), Is.EqualTo("again"));
        }).WaitAsync(PeerPair.Timeout);
        Assert.That(pair.Client.PendingCallCount, Is.Zero);
    }

    [Test]
    public async Task A_blocking_typed_call_ends_when_the_connection_is_lost()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        var call = Task.Run(() => pair.Client.Call(PeerPair.Call("Swallow"), s_readString, Timeout.InfiniteTimeSpan));
        await pair.Server.DisposeAsync();
        Assert.That(async () => await call.WaitAsync(PeerPair.Timeout), Throws.InstanceOf<DBusDisconnectedException>());
    }

    [Test]
    public async Task A_blocking_typed_call_on_the_dispatch_thread_is_refused()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        var refused = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Client.AddMessageFilter((connection, message) =>
        {
            if (message.Type == MessageType.Signal && message.Member == "Go")
            {
                try
                {
                    connection.Call(PeerPair.Echo("deadlock"), s_readString);
                    refused.TrySetResult(null);
                }
                catch (Exception e)
                {
                    refused.TrySetResult(e);
                }
                return MessageFilterResult.Handled;
            }
            return MessageFilterResult.NotHandled;
        });
        pair.Server.Send(PeerPair.Signal("Go", "now"));
        Assert.That(await refused.Task.WaitAsync(PeerPair.Timeout), Is.InstanceOf<InvalidOperationException>());
    }

    [Test]
    public async Task Over_a_Unix_socket_blocking_calls_queue_no_thread_pool_work_and_allocate_only_the_message()
    {
        await using var peers = PeerPair.OverUnixSocketAnswering(42);
        var client = peers.Client;
        static Message Call() => MessageWriter.CreateMethodCall(null, new ObjectPath("/org/test"), "org.test.Iface", "Get").ToMessage();
        const int calls = 2000;
        var (poolItems, bytesPerCall) = await Task.Factory.StartNew(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                client.Call(Call(), static m => m.GetBodyReader().ReadInt32());
            }
            long itemsBefore = ThreadPool.CompletedWorkItemCount;
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            int sum = 0;
            for (int i = 0; i < calls; i++)
            {
                sum += client.Call(Call(), static m => m.GetBodyReader().ReadInt32());
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            Assert.That(sum, Is.EqualTo(42 * calls));
            return (ThreadPool.CompletedWorkItemCount - itemsBefore, allocated / (double)calls);
        }, TaskCreationOptions.LongRunning).WaitAsync(TimeSpan.FromSeconds(60));
        // A typed CallAsync queues one work item per call to publish its outcome; the blocking form queues none
        // (a few may come from elsewhere in the test run).
        Assert.That(poolItems, Is.LessThan(calls / 4), "thread-pool work items during the blocking calls");
        // The call's Message handle (24 B) is all the calling thread allocates.
        Assert.That(bytesPerCall, Is.LessThanOrEqualTo(32), "bytes allocated per call on the calling thread");
    }

    [Test]
    public async Task A_reader_with_state_gets_the_state_passed_with_the_call()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        var prefix = new System.Text.StringBuilder("got ");
        string text = await pair.Client.CallAsync(PeerPair.Echo("state"),
            static (reply, builder) => builder.Append(reply.GetBodyReader().ReadString()).ToString(), prefix).WaitAsync(PeerPair.Timeout);
        Assert.That(text, Is.EqualTo("got state"));
        int length = await Task.Run(() => pair.Client.Call(PeerPair.Echo("four"), static (reply, extra) => reply.GetBodyReader().ReadString().Length + extra, 10))
            .WaitAsync(PeerPair.Timeout);
        Assert.That(length, Is.EqualTo(14));
    }
}
