using System.Threading.Channels;

namespace DBus;

public sealed partial class MessageStream
{
    // Small messages are copied into one buffer and written with one system call; a message at least this
    // large is written straight from its own buffer instead.
    private const int BatchBufferSize = 64 * 1024;

    private readonly Channel<OutgoingMessage> _sendQueue;
    private readonly Task _writerLoop;
    private int _lastSerial;

    /// <summary>A queued message and, when a caller waits for it, the completion to signal once it is written.</summary>
    private readonly record struct OutgoingMessage(Message Message, TaskCompletionSource? Written);

    /// <summary>
    /// Sends <paramref name="message"/> and completes once it was handed to the operating system. A message
    /// without a serial gets the next one; the stream owns the message from now on and disposes it.
    /// </summary>
    /// <returns>The message's serial.</returns>
    /// <exception cref="DBusDisconnectedException">The stream is closed.</exception>
    /// <exception cref="InvalidOperationException">The message carries descriptors but the peer did not agree to fd passing.</exception>
    public async ValueTask<uint> SendAsync(Message message, CancellationToken cancellationToken = default)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        uint serial = Enqueue(message, written);
        await written.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return serial;
    }

    /// <summary>Gives <paramref name="message"/> a serial (unless it has one) and queues it for the writer.</summary>
    internal uint Enqueue(Message message, TaskCompletionSource? written)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.UnixFdCount > 0 && !UnixFdsEnabled)
        {
            message.Dispose();
            ThrowHelper.ThrowInvalidOperation("the message carries Unix file descriptors, but this connection does not pass them (enable EnableFds on a Unix socket transport)");
        }
        uint serial = message.Serial;
        if (serial == 0)
        {
            serial = NextSerial();
            message.SetSerial(serial);
        }
        if (!_sendQueue.Writer.TryWrite(new OutgoingMessage(message, written)))
        {
            message.Dispose();
            throw ClosedException();
        }
        return serial;
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
        if (!_sendQueue.Writer.TryWrite(new OutgoingMessage(null!, written)))
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
                int used = 0;
                while (reader.TryRead(out var item))
                {
                    if (item.Written is not null)
                    {
                        completions.Add(item.Written);
                    }
                    var message = item.Message;
                    if (message is null)
                    {
                        continue; // a flush marker
                    }
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
                foreach (var completion in completions)
                {
                    completion.TrySetResult();
                }
                completions.Clear();
            }
        }
        catch (Exception e)
        {
            var reason = e is OperationCanceledException && _closing.IsCancellationRequested ? null : e;
            Close(reason is null ? null : new DBusDisconnectedException("writing to the connection failed: " + reason.Message, reason));
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
}
