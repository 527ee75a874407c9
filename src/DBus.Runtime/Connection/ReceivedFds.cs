namespace DBus;

/// <summary>
/// The descriptors received on a stream that no message has taken yet, and where in the stream each batch of them
/// arrived, so that a peer sending more descriptors than its messages declare (UNIX_FDS) is caught, and the extras
/// closed, as soon as the message they came with has been framed.
/// </summary>
/// <remarks>
/// Every implementation (libdbus, GDBus, sd-bus, zbus, this one) sends a message's descriptors with the message's
/// first byte, and Linux gives one recvmsg at most one batch of descriptors, ending the read with the segment that
/// carried them. So descriptors may arrive early (in a read that began with bytes of earlier messages) but never
/// after the read that brought their message's first byte: a batch whose read ended at stream offset E belongs to
/// messages that start before E. Once a message ending at or past E has been taken, every such message has been,
/// and whatever is left of that batch was declared by none of them. The same reasoning bounds a batch by the most
/// descriptors one message may carry.
/// <para>It also counts every descriptor received as open until it is closed or handed on, wherever it went (a
/// message, a <see cref="UnixFd"/> or <see cref="Variant"/> user code holds), and drops a peer whose descriptors
/// would pass the connection's limit as they arrive: that is the only moment the count grows.</para>
/// </remarks>
internal sealed class ReceivedFds
{
    private readonly Queue<(long End, int Count)> _batches = new();
    // Descriptors of the queue already recorded in _batches; the rest arrived in the last read.
    private int _recorded;
    // Descriptors of the first batch already taken by messages.
    private int _frontTaken;

    // Made with the first descriptor, so a connection that never receives one pays nothing.
    private UnixFdCounter? _open;

    public ReceivedFds(int maxPerMessage, int maxPerConnection)
    {
        MaxPerMessage = maxPerMessage;
        MaxPerConnection = maxPerConnection;
    }

    /// <summary>What the transport appends received descriptors to, and messages dequeue theirs from.</summary>
    public Queue<UnixFd> Queue { get; } = new();

    /// <summary>The most descriptors one message may carry.</summary>
    public int MaxPerMessage { get; }

    /// <summary>The most descriptors received on the connection that may be open at once.</summary>
    public int MaxPerConnection { get; }

    /// <summary>True once <see cref="OnRead"/> dropped the peer for <see cref="MaxPerConnection"/> (a limit it passed,
    /// rather than the protocol it broke).</summary>
    public bool PassedConnectionLimit { get; private set; }

    /// <summary>Records the descriptors the last read appended, which arrived with bytes ending at stream offset
    /// <paramref name="end"/>.</summary>
    /// <returns>Why the peer must be dropped (the descriptors are then closed), or null.</returns>
    public string? OnRead(long end)
    {
        int arrived = Queue.Count - _recorded;
        if (arrived == 0)
        {
            return null;
        }
        if (arrived > MaxPerMessage)
        {
            DisposeAll();
            return $"the peer sent {arrived} descriptors at once, and a message may carry at most {MaxPerMessage} (DBusConnectionOptions.MaxMessageUnixFds)";
        }
        var open = _open ??= new UnixFdCounter();
        int skip = _recorded;
        foreach (var fd in Queue)
        {
            if (skip-- <= 0)
            {
                open.Add(fd);
            }
        }
        int count = open.Open;
        if (count > MaxPerConnection)
        {
            PassedConnectionLimit = true;
            DisposeAll();
            return $"{count} descriptors received on this connection would be open at once ({arrived} just arrived, the rest earlier and not yet " +
                $"disposed or handed on), and at most {MaxPerConnection} may be (DBusConnectionOptions.MaxUnixFdsPerConnection)";
        }
        _batches.Enqueue((end, arrived));
        _recorded = Queue.Count;
        return null;
    }

    /// <summary>Accounts for a message that ends at stream offset <paramref name="end"/> and took
    /// <paramref name="taken"/> descriptors off the queue.</summary>
    /// <returns>Why the peer must be dropped (the descriptors are then closed), or null.</returns>
    public string? OnTaken(int taken, long end)
    {
        if (taken > MaxPerMessage)
        {
            DisposeAll();
            return $"a message declares {taken} descriptors, and at most {MaxPerMessage} are allowed (DBusConnectionOptions.MaxMessageUnixFds)";
        }
        _recorded -= taken;
        while (taken > 0)
        {
            int left = _batches.Peek().Count - _frontTaken;
            if (left > taken)
            {
                _frontTaken += taken; // the rest of this batch is for later messages
                break;
            }
            taken -= left;
            _batches.Dequeue();
            _frontTaken = 0;
        }
        int undeclared = -_frontTaken;
        foreach (var (batchEnd, count) in _batches)
        {
            if (batchEnd > end)
            {
                break;
            }
            undeclared += count;
        }
        if (undeclared > 0)
        {
            DisposeAll();
            return $"the peer sent {undeclared} descriptor(s) more than its messages declare (UNIX_FDS header field)";
        }
        return null;
    }

    /// <summary>Closes every descriptor not taken.</summary>
    public void DisposeAll()
    {
        while (Queue.TryDequeue(out var fd))
        {
            fd.Dispose();
        }
        _batches.Clear();
        _recorded = 0;
        _frontTaken = 0;
    }
}
