namespace DBus;

/// <summary>
/// The signals that match a rule, read into typed values, from <see cref="DBusConnection.ReadSignalsAsync"/> (and the
/// generated proxies' <c>Read{Signal}Async</c>). The match is in place when the task that returned the stream
/// completes: every matching signal sent after that is queued, whenever the consumer starts reading. Read it with
/// <c>await foreach</c> or <see cref="ReceiveAsync"/>; dispose it to remove the match.
/// </summary>
/// <remarks>
/// Signals wait in a bounded <see cref="MessageQueue"/> (<see cref="MessageQueueOptions"/>: capacity and what a full
/// queue does; <see cref="DroppedCount"/> counts what it dropped). Each message is read and released before its value
/// is handed out. A signal that cannot be read (a body of another signature, a malformed body) is skipped: it is
/// counted in <see cref="SkippedCount"/> and its exception is reported through
/// <see cref="DBusConnection.CallbackFailed"/>, and the enumeration goes on. Ending an enumeration (break, cancellation)
/// does not remove the match: the stream can be read again until it is disposed.
/// </remarks>
/// <typeparam name="T">The value read from each signal.</typeparam>
public sealed class SignalStream<T> : IAsyncEnumerable<T>, IAsyncDisposable, IDisposable
{
    private readonly DBusConnection _connection;
    private readonly MessageQueue _queue;
    private readonly Func<Message, T> _read;
    private long _skipped;

    internal SignalStream(DBusConnection connection, MessageQueue queue, Func<Message, T> read)
    {
        _connection = connection;
        _queue = queue;
        _read = read;
    }

    /// <summary>The rule signals must match to enter the stream.</summary>
    public MatchRule Rule => _queue.Rule;

    /// <summary>How many signals the full queue dropped (see <see cref="MessageQueueOptions.FullMode"/>).</summary>
    public long DroppedCount => _queue.DroppedCount;

    /// <summary>How many signals were skipped because they could not be read (each reported through
    /// <see cref="DBusConnection.CallbackFailed"/>).</summary>
    public long SkippedCount => Interlocked.Read(ref _skipped);

    /// <summary>How many signals wait in the queue now, not yet read.</summary>
    public int Count => _queue.Count;

    /// <summary>Waits for the next signal that can be read, skipping (and counting) any that cannot.</summary>
    /// <param name="cancellationToken">Abandons the wait; queued signals stay queued.</param>
    /// <returns>The value read from the signal.</returns>
    /// <exception cref="DBusDisconnectedException">The connection was lost and no signal is left in the queue.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    public async ValueTask<T> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var message = await _queue.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (TryRead(message, out var value))
            {
                return value;
            }
        }
    }

    /// <summary>The signals' values as they arrive, until the stream is disposed (the enumeration then ends) or the
    /// connection is lost (it then throws <see cref="DBusDisconnectedException"/> after the last queued signal).</summary>
    /// <param name="cancellationToken">Ends the enumeration with <see cref="OperationCanceledException"/>; also passed by <c>WithCancellation</c>.</param>
    public async IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        await foreach (var message in _queue.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (TryRead(message, out var value))
            {
                yield return value;
            }
        }
    }

    /// <summary>Removes the match (and the bus rule when nothing else uses it) and releases queued signals. Idempotent.</summary>
    public void Dispose() => _queue.Dispose();

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    private bool TryRead(Message message, out T value)
    {
        try
        {
            value = _read(message);
            return true;
        }
        catch (Exception e)
        {
            // One bad signal from a peer must not end the consumer's loop: it is skipped, counted and reported, as
            // a callback receiver's failures are.
            Interlocked.Increment(ref _skipped);
            _connection.OnCallbackFailed(e);
            value = default!;
            return false;
        }
        finally
        {
            message.Dispose();
        }
    }
}
