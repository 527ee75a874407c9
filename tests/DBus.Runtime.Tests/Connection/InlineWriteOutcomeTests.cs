namespace DBus.Runtime.Tests.Connection;

/// <summary>
/// A send written inline on the caller's thread reports the write's real outcome: <see cref="MessageStream.SendAsync"/>
/// completes only once the bytes were handed over, and fails when the write failed, as a queued send does.
/// The transport here fails or stalls on demand, which a real socket cannot be made to do deterministically.
/// </summary>
[TestFixture]
public class InlineWriteOutcomeTests
{
    private const string Guid = "0123456789abcdef0123456789abcdef";

    [Test]
    public async Task A_failed_inline_write_fails_the_send()
    {
        var transport = new ControlledTransport { Failure = new IOException("broken pipe") };
        await using var stream = new MessageStream(transport, Guid, false, default, null);

        var e = Assert.ThrowsAsync<DBusDisconnectedException>(async () =>
            await stream.SendAsync(PeerPair.Signal("Lost", "x")).AsTask().WaitAsync(PeerPair.Timeout));

        Assert.That(e!.InnerException, Is.TypeOf<IOException>());
        Assert.That(transport.Sends, Is.EqualTo(1), "the send was written inline");
        Assert.That(stream.IsConnected, Is.False);
    }

    [Test]
    public async Task A_stalled_inline_write_completes_the_send_only_when_the_write_completes()
    {
        var transport = new ControlledTransport { Stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var stream = new MessageStream(transport, Guid, false, default, null);

        var send = stream.SendAsync(PeerPair.Signal("Slow", "x")).AsTask();
        await transport.Started.Task.WaitAsync(PeerPair.Timeout);
        Assert.That(send.IsCompleted, Is.False, "the socket has not taken the bytes yet");

        transport.Stall.SetResult();
        Assert.That(await send.WaitAsync(PeerPair.Timeout), Is.Not.Zero);
    }

    [Test]
    public async Task A_stalled_inline_write_that_fails_fails_the_send()
    {
        var transport = new ControlledTransport { Stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var stream = new MessageStream(transport, Guid, false, default, null);

        var send = stream.SendAsync(PeerPair.Signal("Slow", "x")).AsTask();
        await transport.Started.Task.WaitAsync(PeerPair.Timeout);
        transport.Stall.SetException(new IOException("connection reset"));

        Assert.ThrowsAsync<DBusDisconnectedException>(() => send.WaitAsync(PeerPair.Timeout));
    }

    /// <summary>Sends fail at once (<see cref="Failure"/>) or wait for <see cref="Stall"/>; receives wait for shutdown.</summary>
    private sealed class ControlledTransport : DBusTransport
    {
        private readonly TaskCompletionSource _shutdown = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _sends;

        public Exception? Failure { get; init; }

        public TaskCompletionSource? Stall { get; init; }

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Sends => Volatile.Read(ref _sends);

        public override bool CanPassUnixFds => false;

        public override PeerCredentials? PeerCredentials => null;

        public override async ValueTask<int> ReceiveAsync(Memory<byte> buffer, Queue<UnixFd> fds, CancellationToken cancellationToken)
        {
            await _shutdown.Task.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return 0;
        }

        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, ReadOnlyMemory<int> fds, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _sends);
            Started.TrySetResult();
            if (Failure is not null)
            {
                return ValueTask.FromException(Failure);
            }
            return Stall is null ? default : new ValueTask(Stall.Task.WaitAsync(cancellationToken));
        }

        public override void Shutdown() => _shutdown.TrySetResult();

        public override void Dispose() => Shutdown();
    }
}
