namespace DBus.Runtime.Tests.Connection;

/// <summary>
/// The router on its own (<see cref="MessageRouter"/>, <see cref="MessageFilterChain"/>), over the in-memory paired
/// transport: what reaches the object server's seam (<see cref="IMethodCallHandler"/>), in which order, and who
/// disposes each call.
/// </summary>
[TestFixture]
public class MessageRouterTests
{
    /// <summary>Stands at the seam instead of the object server and records what the router hands it.</summary>
    private sealed class RecordingHandler(bool keep) : IMethodCallHandler
    {
        public List<(DBusConnection Connection, Message Call)> Calls { get; } = [];

        public bool HandleMethodCall(DBusConnection connection, Message call)
        {
            lock (Calls)
            {
                Calls.Add((connection, call));
            }
            if (call.Member == "Answer")
            {
                connection.Send(MessageWriter.CreateMethodReturn(call).ToMessage());
            }
            return keep;
        }
    }

    /// <summary>Sends a signal from the client and waits until the server's filters saw it: every message sent
    /// before it has been dispatched by then (dispatch is in order, one at a time).</summary>
    private static async Task DrainAsync(PeerPair pair)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        MessageFilter marker = (_, m) =>
        {
            if (m.Member == "Drained")
            {
                seen.TrySetResult();
            }
            return MessageFilterResult.NotHandled;
        };
        pair.Server.AddMessageFilter(marker);
        pair.Client.Send(PeerPair.Signal("Drained", "x"));
        await seen.Task.WaitAsync(PeerPair.Timeout);
        pair.Server.RemoveMessageFilter(marker);
    }

    [Test]
    public async Task A_method_call_reaches_the_seam_with_its_connection_and_is_disposed_after_unless_kept()
    {
        await using var pair = PeerPair.Create();
        var handler = new RecordingHandler(keep: false);
        pair.Server.Router.MethodCalls = handler;

        using var reply = await pair.Client.CallAsync(PeerPair.Call("Answer"), PeerPair.Timeout);
        await DrainAsync(pair);
        Assert.That(handler.Calls, Has.Count.EqualTo(1));
        Assert.That(handler.Calls[0].Connection, Is.SameAs(pair.Server));
        Assert.Throws<ObjectDisposedException>(() => _ = handler.Calls[0].Call.Member, "the router disposes a call the seam did not keep");
    }

    [Test]
    public async Task A_call_the_seam_keeps_stays_readable_until_its_owner_disposes_it()
    {
        await using var pair = PeerPair.Create();
        var handler = new RecordingHandler(keep: true);
        pair.Server.Router.MethodCalls = handler;

        using var reply = await pair.Client.CallAsync(PeerPair.Call("Answer"), PeerPair.Timeout);
        await DrainAsync(pair);
        var kept = handler.Calls.Single().Call;
        Assert.That(kept.Member, Is.EqualTo("Answer"));
        kept.Dispose();
    }

    [Test]
    public async Task Filters_run_first_and_replies_to_pending_calls_reach_neither_filters_nor_the_seam()
    {
        await using var pair = PeerPair.Create();
        var handler = new RecordingHandler(keep: false);
        pair.Server.Router.MethodCalls = handler;
        pair.Server.AddMessageFilter((_, m) => m.Member == "Filtered" ? MessageFilterResult.Handled : MessageFilterResult.NotHandled);
        var clientSaw = new List<MessageType>();
        pair.Client.AddMessageFilter((_, m) =>
        {
            lock (clientSaw)
            {
                clientSaw.Add(m.Type);
            }
            return MessageFilterResult.NotHandled;
        });

        pair.Client.Send(MessageWriter.CreateMethodCall(null, "/org/test", "org.test.Iface", "Filtered", flags: MessageFlags.NoReplyExpected).ToMessage());
        using var reply = await pair.Client.CallAsync(PeerPair.Call("Answer"), PeerPair.Timeout);
        await DrainAsync(pair);
        Assert.That(handler.Calls, Has.Count.EqualTo(1), "the filtered call never reached the seam");
        Assert.That(clientSaw, Is.Empty, "the reply went to its pending call, not to the client's filters");
    }

    [Test]
    public async Task Hello_is_answered_by_the_router_only_on_a_server_s_client_connection()
    {
        await using var pair = PeerPair.Create();
        var handler = new RecordingHandler(keep: false);
        pair.Server.Router.MethodCalls = handler;

        var notAnswered = Assert.ThrowsAsync<DBusNoReplyException>(() => pair.Client.CallAsync(BusMessages.Call("Hello"), TimeSpan.FromMilliseconds(200)));
        Assert.That(notAnswered, Is.Not.Null);
        await DrainAsync(pair);
        Assert.That(handler.Calls, Has.Count.EqualTo(1), "without AnswersHello, Hello is an ordinary call");

        pair.Server.AnswersHello = true;
        string name = await pair.Client.CallAsync(BusMessages.Call("Hello"), BusMessages.ReadString, PeerPair.Timeout);
        Assert.That(name, Does.StartWith(":1."));
        Assert.That(pair.Server.UniqueName, Is.EqualTo(name));
        Assert.That(handler.Calls, Has.Count.EqualTo(1), "the router answered Hello itself");
    }

    [Test]
    public async Task The_filter_chain_runs_in_order_reports_a_throwing_filter_and_removes_the_last_occurrence()
    {
        await using var pair = PeerPair.Create();
        var chain = new MessageFilterChain();
        var failures = new List<Exception>();
        pair.Server.CallbackFailed += (_, e) => failures.Add(e);
        var seen = new List<string>();
        MessageFilter first = (_, _) => { seen.Add("first"); return MessageFilterResult.NotHandled; };
        chain.Add(first);
        chain.Add((_, _) => throw new InvalidOperationException("broken filter"));
        chain.Add(first);
        chain.Add((_, m) => { seen.Add("last"); return m.Member == "Stop" ? MessageFilterResult.Handled : MessageFilterResult.NotHandled; });

        using var stop = PeerPair.Signal("Stop", "x");
        Assert.That(chain.Run(pair.Server, stop), Is.True);
        Assert.That(seen, Is.EqualTo(new[] { "first", "first", "last" }));
        Assert.That(failures.Single().Message, Is.EqualTo("broken filter"));

        Assert.That(chain.Remove(first), Is.True);
        Assert.That(chain.Remove(first), Is.True);
        Assert.That(chain.Remove(first), Is.False);
        seen.Clear();
        using var go = PeerPair.Signal("Go", "x");
        Assert.That(chain.Run(pair.Server, go), Is.False);
        Assert.That(seen, Is.EqualTo(new[] { "last" }));
    }
}
