namespace DBus.Runtime.Tests.Connection;

/// <summary><see cref="DBusConnection.ReadSignalsAsync"/> and <see cref="SignalStream{T}"/> over a paired connection.</summary>
[TestFixture]
public class SignalStreamTests
{
    private static string ReadTick(Message signal)
    {
        string value = signal.GetBodyReader().ReadString();
        return value.StartsWith("bad", StringComparison.Ordinal) ? throw new DBusException(DBusErrorNames.InvalidArgs, "unreadable " + value) : value;
    }

    [Test]
    public async Task Signals_sent_before_reading_are_queued_and_an_unreadable_one_is_skipped_counted_and_reported()
    {
        await using var pair = PeerPair.Create();
        var failures = new List<Exception>();
        pair.Client.CallbackFailed += (_, e) => { lock (failures) { failures.Add(e); } };
        await using var ticks = await pair.Client.ReadSignalsAsync(new MatchRule { Member = "Tick" }, ReadTick);
        foreach (var value in new[] { "t0", "bad1", "t2", "bad3", "t4" })
        {
            pair.Server.Send(PeerPair.Signal("Tick", value));
        }

        var got = new List<string>();
        using var cts = new CancellationTokenSource(PeerPair.Timeout);
        await foreach (string value in ticks.WithCancellation(cts.Token))
        {
            got.Add(value);
            if (value == "t4")
            {
                break;
            }
        }
        Assert.Multiple(() =>
        {
            Assert.That(got, Is.EqualTo(new[] { "t0", "t2", "t4" }));
            Assert.That(ticks.SkippedCount, Is.EqualTo(2));
            Assert.That(ticks.DroppedCount, Is.Zero);
            Assert.That(ticks.Rule.Type, Is.EqualTo(MessageType.Signal));
            lock (failures)
            {
                Assert.That(failures.Select(f => ((DBusException)f).ErrorMessage), Is.EqualTo(new[] { "unreadable bad1", "unreadable bad3" }));
            }
        });

        // The loop's end kept the match: the next signal is still read.
        pair.Server.Send(PeerPair.Signal("Tick", "t5"));
        Assert.That(await ticks.ReceiveAsync(cts.Token), Is.EqualTo("t5"));
    }

    [Test]
    public async Task The_loss_of_the_connection_ends_the_stream_after_the_queued_signals()
    {
        var pair = PeerPair.Create();
        await using var ticks = await pair.Client.ReadSignalsAsync(new MatchRule { Member = "Tick" }, ReadTick);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var end = await pair.Client.AddSignalReceiverAsync(new MatchRule { Member = "End" }, _ => done.SetResult());
        pair.Server.Send(PeerPair.Signal("Tick", "last"));
        pair.Server.Send(PeerPair.Signal("End", "x"));
        await done.Task.WaitAsync(PeerPair.Timeout);
        await pair.DisposeAsync();

        using var cts = new CancellationTokenSource(PeerPair.Timeout);
        Assert.That(await ticks.ReceiveAsync(cts.Token), Is.EqualTo("last"));
        Assert.That(async () => await ticks.ReceiveAsync(cts.Token), Throws.InstanceOf<DBusDisconnectedException>());
    }

    [Test]
    public async Task Disposing_ends_a_running_enumeration_and_later_reads_throw()
    {
        await using var pair = PeerPair.Create();
        var ticks = await pair.Client.ReadSignalsAsync(new MatchRule { Member = "Tick" }, ReadTick);
        using var cts = new CancellationTokenSource(PeerPair.Timeout);
        var enumeration = Task.Run(async () =>
        {
            var got = new List<string>();
            await foreach (string value in ticks.WithCancellation(cts.Token))
            {
                got.Add(value);
            }
            return got;
        });
        pair.Server.Send(PeerPair.Signal("Tick", "t0"));
        await ticks.DisposeAsync();
        // The enumeration ends normally (no exception), whether or not it saw the signal before the disposal.
        Assert.That(await enumeration.WaitAsync(PeerPair.Timeout), Has.Count.AtMost(1));
        Assert.That(async () => await ticks.ReceiveAsync(cts.Token), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public async Task A_rule_of_another_type_is_refused()
    {
        await using var pair = PeerPair.Create();
        Assert.Multiple(() =>
        {
            Assert.That(() => pair.Client.ReadSignalsAsync(new MatchRule { Type = MessageType.MethodCall }, ReadTick), Throws.ArgumentException);
            Assert.That(() => pair.Client.ReadSignalsAsync(null!, ReadTick), Throws.ArgumentNullException);
            Assert.That(() => pair.Client.ReadSignalsAsync<string>(new MatchRule(), null!), Throws.ArgumentNullException);
        });
    }
}
