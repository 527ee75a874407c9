using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace DBus;

/// <summary>
/// A bounded queue of incoming messages that match a rule (Jeepney's filter queue), from
/// <see cref="DBusConnection.WatchAsync"/>. Read it with <see cref="ReceiveAsync"/> or <c>await foreach</c>;
/// each message received is the caller's to dispose. Disposing the queue stops the delivery (and removes
/// the bus match rule).
/// </summary>
public sealed class MessageQueue : IAsyncEnumerable<Message>, IAsyncDisposable, IDisposable
{
    private readonly Channel<Message> _channel;
    private readonly QueueFullMode _fullMode;
    private Action? _onDispose;
    private long _dropped;

    internal MessageQueue(MatchRule rule, MessageQueueOptions options, string? wellKnownSender)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Capacity, 1, nameof(options.Capacity));
        Rule = rule;
        WellKnownSender = wellKnownSender;
        _fullMode = options.FullMode;
        _channel = Channel.CreateBounded<Message>(
            new BoundedChannelOptions(options.Capacity)
            {
                SingleWriter = true,
                FullMode = options.FullMode switch
                {
                    QueueFullMode.DropOldest => BoundedChannelFullMode.DropOldest,
                    QueueFullMode.DropNewest => BoundedChannelFullMode.DropWrite,
                    _ => BoundedChannelFullMode.Wait,
                },
            },
            dropped =>
            {
                Interlocked.Increment(ref _dropped);
                Telemetry.SignalDropped();
                dropped.Dispose();
            });
    }

    /// <summary>The rule messages must match to enter the queue.</summary>
    public MatchRule Rule { get; }

    /// <summary>How many messages were dropped because the queue was full.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>How many messages wait in the queue now.</summary>
    public int Count => _channel.Reader.Count;

    internal string? WellKnownSender { get; }

    internal void SetDisposeAction(Action onDispose) => _onDispose = onDispose;

    /// <summary>Waits for the next message.</summary>
    /// <exception cref="DBusDisconnectedException">The connection was lost and the queue is empty.</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed and is empty.</exception>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Message> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _channel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            throw e.InnerException ?? new ObjectDisposedException(nameof(MessageQueue));
        }
    }

    /// <summary>Takes the next message if one is queued.</summary>
    public bool TryReceive([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Message? message) =>
        _channel.Reader.TryRead(out message);

    /// <summary>The messages as they arrive, until the queue is disposed or the connection is lost (then the
    /// enumeration ends normally after the last queued message, or throws the disconnection).</summary>
    public async IAsyncEnumerator<Message> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        var reader = _channel.Reader;
        while (true)
        {
            bool more;
            try
            {
                more = await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
            if (!more)
            {
                yield break;
            }
            while (reader.TryRead(out var message))
            {
                yield return message;
            }
        }
    }

    /// <summary>Delivers a message (the queue takes one reference); completes at once unless the policy is
    /// <see cref="QueueFullMode.Wait"/> and the queue is full.</summary>
    internal ValueTask EnqueueAsync(Message message)
    {
        message.AddReference();
        if (_channel.Writer.TryWrite(message))
        {
            return default;
        }
        if (_fullMode != QueueFullMode.Wait)
        {
            // The drop policies accept every write while open (dropping and counting as they must), so a
            // refusal means the queue was completed.
            message.Dispose();
            return default;
        }
        return WaitAndEnqueueAsync(message);
    }

    private async ValueTask WaitAndEnqueueAsync(Message message)
    {
        try
        {
            await _channel.Writer.WriteAsync(message).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            message.Dispose();
        }
    }

    /// <summary>Ends the queue: readers get what is queued, then the end (or <paramref name="error"/>).</summary>
    internal void Complete(Exception? error) => _channel.Writer.TryComplete(error);

    /// <summary>Stops delivery, releases queued messages and removes the rule from the bus.</summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref _onDispose, null)?.Invoke();
        _channel.Writer.TryComplete();
        while (_channel.Reader.TryRead(out var message))
        {
            message.Dispose();
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }
}
