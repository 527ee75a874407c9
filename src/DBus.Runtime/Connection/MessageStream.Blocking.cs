using DBus.CodeAnalysis;

namespace DBus;

// Blocking receives (Jeepney's blocking connection), built on ReceiveAsync: a timed wait, and a receive that waits
// for one kind of message and sets the others aside, in order, for the next receives (recv_until_filtered).
public sealed partial class MessageStream
{
    private readonly Queue<Message> _setAside = new();

    /// <summary>How many messages <see cref="ReceiveUntil"/> set aside and no receive has returned yet.</summary>
    public int SetAsideCount
    {
        get
        {
            lock (_setAside)
            {
                return _setAside.Count;
            }
        }
    }

    /// <summary>
    /// Waits on this thread for the next incoming message (the caller disposes it), at most
    /// <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/>: for ever). Messages set aside by
    /// <see cref="ReceiveUntil"/> come first.
    /// </summary>
    /// <exception cref="TimeoutException">No message arrived in time; the stream stays usable.</exception>
    /// <exception cref="DBusDisconnectedException">The stream closed.</exception>
    [DBusBlocking]
    public Message Receive(TimeSpan timeout)
    {
        using var deadline = Deadline(timeout);
        try
        {
            return ReceiveAsync(deadline.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"no message arrived within {timeout.TotalSeconds:0.###} s");
        }
    }

    /// <summary>
    /// Waits on this thread until a message for which <paramref name="filter"/> is true arrives, and returns it;
    /// the messages received before it are set aside, in order, and the next receives return them first. Nothing is
    /// dropped (Jeepney's recv_until_filtered).
    /// </summary>
    /// <param name="filter">Which message to wait for, e.g. <c>m =&gt; m.ReplySerial == serial</c> or
    /// <c>m =&gt; rule.Matches(m)</c>. It sees messages set aside earlier too.</param>
    /// <param name="timeout">The longest wait in all (<see cref="Timeout.InfiniteTimeSpan"/>: for ever).</param>
    /// <exception cref="TimeoutException">No such message arrived in time; what arrived meanwhile stays set aside.</exception>
    /// <exception cref="DBusDisconnectedException">The stream closed.</exception>
    [DBusBlocking]
    public Message ReceiveUntil(Predicate<Message> filter, TimeSpan timeout)
    {
        using var deadline = Deadline(timeout);
        try
        {
            return ReceiveUntilAsync(filter, deadline.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"no matching message arrived within {timeout.TotalSeconds:0.###} s ({SetAsideCount} set aside)");
        }
    }

    /// <summary>The asynchronous twin of <see cref="ReceiveUntil"/>.</summary>
    /// <exception cref="OperationCanceledException">The token fired; what arrived meanwhile stays set aside.</exception>
    public async ValueTask<Message> ReceiveUntilAsync(Predicate<Message> filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (TakeSetAside(filter) is { } earlier)
        {
            return earlier;
        }
        while (true)
        {
            var message = new Message(await ReceiveDataAsync(cancellationToken).ConfigureAwait(false));
            bool wanted;
            try
            {
                wanted = filter(message);
            }
            catch
            {
                SetAside(message);
                throw;
            }
            if (wanted)
            {
                return message;
            }
            SetAside(message);
        }
    }

    private static CancellationTokenSource Deadline(TimeSpan timeout)
    {
        if (timeout != Timeout.InfiniteTimeSpan && timeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "a timeout must not be negative (Timeout.InfiniteTimeSpan waits for ever)");
        }
        var source = new CancellationTokenSource();
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            source.CancelAfter(timeout);
        }
        return source;
    }

    private void SetAside(Message message)
    {
        lock (_setAside)
        {
            _setAside.Enqueue(message);
        }
    }

    private bool TryTakeSetAside([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Message? message)
    {
        lock (_setAside)
        {
            return _setAside.TryDequeue(out message);
        }
    }

    /// <summary>The first set-aside message the filter accepts, taken out of the queue (the others keep their order).</summary>
    private Message? TakeSetAside(Predicate<Message> filter)
    {
        lock (_setAside)
        {
            Message? found = null;
            int count = _setAside.Count;
            for (int i = 0; i < count; i++)
            {
                var message = _setAside.Dequeue();
                if (found is null && filter(message))
                {
                    found = message;
                }
                else
                {
                    _setAside.Enqueue(message);
                }
            }
            return found;
        }
    }

    /// <summary>Disposes what was set aside and never received (when the stream is disposed).</summary>
    private void ReleaseSetAside()
    {
        lock (_setAside)
        {
            while (_setAside.TryDequeue(out var message))
            {
                message.Dispose();
            }
        }
    }
}
