using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace DBus;

public sealed partial class MessageStream
{
    // Small messages are copied into one buffer and written with one system call; a message at least this
    // large is written straight from its own buffer instead.
    private const int BatchBufferSize = 64 * 1024;

    private readonly Channel<OutgoingMessage> _sendQueue;
    private readonly Task _writerLoop;
    // Held by whoever writes to the transport: the writer loop, or a sender writing inline on its own thread.
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    // Items in _sendQueue (counted before they are added, uncounted as the writer loop takes them): a sender
    // may write inline only when it is zero. The single-reader channel cannot count for itself.
    private int _queued;
    // What the messages in _sendQueue cost (QueuedCost), bounded by MaxOutgoingBytes.
    private long _queuedBytes;
    // Set when the stream was closed because the peer did not read: its backlog is released with a collection.
    private int _droppedForBacklog;

    // What a queued message costs besides its buffer: the Message and its data, the queue's slot, the reply's share of
    // the dispatch that made it. Measured with a peer that never reads 64-byte replies (tests/DBus.ScaleTests): about
    // 600 bytes each besides the buffer, so counting message lengths alone let such a peer hold 5.6 times
    // MaxOutgoingBytes.
    private const int QueuedMessageOverhead = 640;
    private int _lastSerial;

    /// <summary>A queued message, what it counts for in <see cref="_queuedBytes"/>, and, when a caller waits for it,
    /// the completion to signal once it is written.</summary>
    private readonly record struct OutgoingMessage(Message Message, TaskCompletionSource? Written, long Cost = 0);

    /// <summary>What a message holds while it waits: its whole buffer (a pooled buffer is up to twice the message,
    /// a growing writer's up to twice again), not only its bytes, and its objects.</summary>
    private static long QueuedCost(Message message) => (long)message.BufferSize + QueuedMessageOverhead;

    /// <summary>The most bytes that may wait in the send queue (see <see cref="DBusConnectionOptions.MaxOutgoingBytes"/>).</summary>
    internal long MaxOutgoingBytes { get; set; } = DBusConnectionOptions.Default.MaxOutgoingBytes;

    /// <summary>
    /// Sends <paramref name="message"/> and completes once it was handed to the operating system. A message
    /// without a serial gets the next one; the stream owns the message from now on and disposes it.
    /// </summary>
    /// <returns>The message's serial.</returns>
    /// <exception cref="DBusDisconnectedException">The stream is closed.</exception>
    /// <exception cref="InvalidOperationException">The message carries descriptors but the peer did not agree to fd passing,
    /// or a reader took one of its descriptors (a received message cannot be forwarded after that).</exception>
    public async ValueTask<uint> SendAsync(Message message, CancellationToken cancellationToken = default)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        uint serial = Enqueue(message, written, mayWriteInline: true);
        await written.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return serial;
    }

    /// <summary>Gives <paramref name="message"/> a serial (unless it has one), then writes it at once on this thread
    /// or queues it for the writer loop.</summary>
    /// <param name="message">The message; the stream owns it from now on.</param>
    /// <param name="written">Completed once the message was written, if not null.</param>
    /// <param name="mayWriteInline">False when more sends are known to follow at once (calls already in flight,
    /// replies to messages already received): queued, they share one socket write, which beats a write each.
    /// A message larger than a batch is written at once all the same when nothing is queued before it.</param>
    internal uint Enqueue(Message message, TaskCompletionSource? written, bool mayWriteInline)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.UnixFdCount > 0 && !UnixFdsEnabled)
        {
            message.Dispose();
            ThrowHelper.ThrowInvalidOperation("the message carries Unix file descriptors, but this connection does not pass them (enable EnableFds on a Unix socket transport)");
        }
        if (message.UnixFdCount > 0 && HasTakenUnixFd(message))
        {
            // Caught here, not by the socket: a failed write would end the whole stream.
            message.Dispose();
            ThrowHelper.ThrowInvalidOperation("a Unix file descriptor of this message was taken by a reader (ReadUnixFd), so it cannot be sent again: build a new message");
        }
        uint serial = message.Serial;
        if (serial == 0)
        {
            serial = NextSerial();
            message.SetSerial(serial);
        }
        Telemetry.MessageSent(message.Length);
        // A message too large to share a batch is written alone by the writer loop anyway: writing it here when
        // nothing is queued saves the hop to the loop's pool thread, whose idle spin after every write cost more
        // than the write (a 400 KB call with 4 in flight, docs/performance.md).
        if ((mayWriteInline || message.Length > BatchBufferSize) && TryWriteInline(message, written))
        {
            return serial;
        }
        long cost = QueuedCost(message);
        long backlog = Interlocked.Add(ref _queuedBytes, cost) - cost;
        if (backlog > 0 && backlog + cost > MaxOutgoingBytes)
        {
            Interlocked.Add(ref _queuedBytes, -cost);
            message.Dispose();
            Volatile.Write(ref _droppedForBacklog, 1);
            Close(new DBusDisconnectedException(
                $"the peer does not read what is sent to it: the messages waiting to be written hold {backlog} bytes and the limit is {MaxOutgoingBytes} (DBusConnectionOptions.MaxOutgoingBytes)"));
            throw ClosedException();
        }
        if (!TryQueue(new OutgoingMessage(message, written, cost)))
        {
            Interlocked.Add(ref _queuedBytes, -cost);
            message.Dispose();
            throw ClosedException();
        }
        return serial;
    }

    private static bool HasTakenUnixFd(Message message)
    {
        foreach (var fd in message.UnixFds)
        {
            if (fd is null)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Writes <paramref name="message"/> on the caller's thread when nothing is queued before it and no write is
    /// in progress: most sends then cost no hop to the writer loop, which is most of a sequential call's latency.
    /// Order is kept because the writer loop takes messages off the queue only while it holds the write lock.
    /// <paramref name="written"/> gets the write's real outcome, as from the writer loop: completed once the socket
    /// took the bytes (later, when it was full), failed when the write failed.
    /// </summary>
    /// <returns>False when the message must be queued instead.</returns>
    private bool TryWriteInline(Message message, TaskCompletionSource? written)
    {
        if (message.UnixFdCount > 0 || Volatile.Read(ref _queued) != 0 || _closeReason is not null || !_writeLock.Wait(0))
        {
            return false;
        }
        if (Volatile.Read(ref _queued) != 0)
        {
            _writeLock.Release();
            return false;
        }
        ValueTask send;
        try
        {
            send = _transport.SendAsync(message.Bytes, default, _closing.Token);
        }
        catch (Exception e)
        {
            message.Dispose();
            _writeLock.Release();
            OnInlineWriteFailed(e, written);
            return true;
        }
        if (!send.IsCompleted)
        {
            // The socket buffer is full: finish in the background, holding the lock so nothing overtakes it.
            _ = CompleteInlineWriteAsync(send, message, written);
            return true;
        }
        Exception? failure = null;
        try
        {
            send.GetAwaiter().GetResult(); // also hands a pooled operation back to the socket before anyone else writes
        }
        catch (Exception e)
        {
            failure = e;
        }
        FinishInlineWrite(message, written, failure);
        return true;
    }

    private bool TryQueue(OutgoingMessage item)
    {
        Interlocked.Increment(ref _queued);
        if (_sendQueue.Writer.TryWrite(item))
        {
            return true;
        }
        Interlocked.Decrement(ref _queued);
        return false;
    }

    // Never faults: the outcome goes to the waiter and, for a failure, closes the stream.
    private async Task CompleteInlineWriteAsync(ValueTask send, Message message, TaskCompletionSource? written)
    {
        Exception? failure = null;
        try
        {
            await send.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
        }
        FinishInlineWrite(message, written, failure);
    }

    /// <summary>Ends an inline write: the message goes, the lock is free for the next writer, the waiter learns the outcome.</summary>
    private void FinishInlineWrite(Message message, TaskCompletionSource? written, Exception? failure)
    {
        message.Dispose();
        _writeLock.Release();
        if (failure is null)
        {
            written?.TrySetResult();
        }
        else
        {
            OnInlineWriteFailed(failure, written);
        }
    }

    /// <summary>Closes the stream for a failed inline write and fails its waiter with the reason, as the writer loop does.</summary>
    private void OnInlineWriteFailed(Exception e, TaskCompletionSource? written)
    {
        OnWriteFailed(e);
        written?.TrySetException(ClosedException());
    }

    /// <summary>A failed write ends the stream: the bytes of a message may be half sent, so nothing after it can follow.</summary>
    private void OnWriteFailed(Exception e)
    {
        var reason = e is OperationCanceledException && _closing.IsCancellationRequested ? null : e;
        Close(reason is null ? null : new DBusDisconnectedException("writing to the connection failed: " + reason.Message, reason));
    }

    /// <summary>Reserves the next serial; zero is skipped when the counter wraps.</summary>
    internal uint NextSerial()
    {
        uint serial;
        do
        {
            serial = unchecked((uint)Interlocked.Increment(ref _lastSerial));
        }
        while (serial == 0);
        return serial;
    }

    /// <summary>Completes once everything queued before the call was written.</summary>
    internal Task FlushAsync()
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!TryQueue(new OutgoingMessage(null!, written)))
        {
            return Task.FromException(ClosedException());
        }
        return written.Task;
    }

    private DBusDisconnectedException ClosedException() =>
        _closeReason as DBusDisconnectedException ?? new DBusDisconnectedException("the connection was closed");

    private async Task WriteLoopAsync()
    {
        var reader = _sendQueue.Reader;
        byte[] batch = ArrayPool<byte>.Shared.Rent(BatchBufferSize);
        var completions = new List<TaskCompletionSource>();
        var fds = new List<int>();
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                await _writeLock.WaitAsync().ConfigureAwait(false);
                try
                {
                    await WriteQueuedAsync(reader, batch, completions, fds).ConfigureAwait(false);
                }
                finally
                {
                    _writeLock.Release();
                }
                foreach (var completion in completions)
                {
                    completion.TrySetResult();
                }
                completions.Clear();
            }
        }
        catch (Exception e)
        {
            OnWriteFailed(e);
            var closed = ClosedException();
            foreach (var completion in completions)
            {
                completion.TrySetException(closed);
            }
            FailQueuedSends();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(batch);
        }
    }

    /// <summary>Writes everything queued, small messages batched into one socket write.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteQueuedAsync(ChannelReader<OutgoingMessage> reader, byte[] batch, List<TaskCompletionSource> completions, List<int> fds)
    {
        int used = 0;
        while (reader.TryRead(out var item))
        {
            Interlocked.Decrement(ref _queued);
            if (item.Written is not null)
            {
                completions.Add(item.Written);
            }
            var message = item.Message;
            if (message is null)
            {
                continue; // a flush marker
            }
            Interlocked.Add(ref _queuedBytes, -item.Cost);
            using (message)
            {
                if (message.UnixFdCount > 0)
                {
                    // Descriptors travel with the first byte of their own message: write what is
                    // batched first, then this message alone.
                    await WriteBatchAsync(batch, used).ConfigureAwait(false);
                    used = 0;
                    fds.Clear();
                    foreach (var fd in message.UnixFds)
                    {
                        fds.Add(fd?.DangerousGetDescriptor() ?? -1);
                    }
                    await _transport.SendAsync(message.Bytes, fds.ToArray(), _closing.Token).ConfigureAwait(false);
                }
                else if (message.Length > BatchBufferSize - used)
                {
                    await WriteBatchAsync(batch, used).ConfigureAwait(false);
                    used = 0;
                    if (message.Length > BatchBufferSize)
                    {
                        await _transport.SendAsync(message.Bytes, default, _closing.Token).ConfigureAwait(false);
                    }
                    else
                    {
                        message.Bytes.Span.CopyTo(batch);
                        used = message.Length;
                    }
                }
                else
                {
                    message.Bytes.Span.CopyTo(batch.AsSpan(used));
                    used += message.Length;
                }
            }
        }
        await WriteBatchAsync(batch, used).ConfigureAwait(false);
    }

    private ValueTask WriteBatchAsync(byte[] batch, int used) =>
        used == 0 ? default : _transport.SendAsync(batch.AsMemory(0, used), default, _closing.Token);

    /// <summary>Disposes messages still queued after the writer stopped and fails their waiters.</summary>
    private void FailQueuedSends()
    {
        var closed = ClosedException();
        while (_sendQueue.Reader.TryRead(out var item))
        {
            item.Message?.Dispose();
            item.Written?.TrySetException(closed);
        }
    }

    private const long BacklogWorthCollecting = 4 * 1024 * 1024;
    private static long s_lastBacklogCollection = long.MinValue / 2;

    private static bool TryStartBacklogCollection()
    {
        long last = Volatile.Read(ref s_lastBacklogCollection);
        long now = Environment.TickCount64;
        return now - last >= 1000 && Interlocked.CompareExchange(ref s_lastBacklogCollection, now, last) == last;
    }

    /// <summary>Called last when the stream is disposed: if it was closed because the peer did not read, gives the
    /// memory of that backlog back to the system.</summary>
    private void ReleaseBacklogMemory()
    {
        // Not for a small limit (a few megabytes are the GC's ordinary business), and at most once a second in the
        // process: peers that get themselves dropped on purpose must not be able to keep the process collecting.
        if (Interlocked.Exchange(ref _droppedForBacklog, 0) != 0 && MaxOutgoingBytes >= BacklogWorthCollecting && TryStartBacklogCollection())
        {
            // Up to MaxOutgoingBytes of messages became garbage at once (and the replies the dispatcher made after
            // the close), and a server that goes quiet after dropping such a peer would allocate nothing that makes
            // the GC collect them: its memory would stay up for good. One full, compacting, aggressive collection per
            // dropped peer, once its loops are done, gives it back to the system (a background one leaves the freed
            // small buffers as holes in regions it keeps, and a forced one keeps the freed regions committed for later
            // allocations, 16 to 20 MiB here, in one run out of two); the large buffers are not pooled, so they go too.
            // It pauses the process briefly.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }
}
