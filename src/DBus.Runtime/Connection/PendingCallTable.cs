namespace DBus;

/// <summary>
/// The calls waiting for replies, by serial. Each ends exactly once: by its reply, its timeout, its
/// cancellation token or the connection's end. One timer, set to the earliest deadline, serves every timeout,
/// so a call costs no timer of its own.
/// </summary>
internal sealed class PendingCallTable : IDisposable
{
    private readonly Dictionary<uint, PendingReply> _pending = new();
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private long _timerDeadline = long.MaxValue;
    private Exception? _closedReason;

    public PendingCallTable()
    {
        _timer = TimeProvider.System.CreateTimer(static state => ((PendingCallTable)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Registers a call before it is sent, so no reply can arrive first. Throws when the connection ended.</summary>
    /// <returns>How many calls are pending now, this one included.</returns>
    public int Add(PendingReply pending, TimeSpan timeout, CancellationToken cancellationToken)
    {
        int count;
        pending.Deadline = timeout == Timeout.InfiniteTimeSpan
            ? long.MaxValue
            : Environment.TickCount64 + Math.Max(0, (long)Math.Ceiling(timeout.TotalMilliseconds));
        lock (_lock)
        {
            if (_closedReason is not null)
            {
                throw _closedReason;
            }
            _pending.Add(pending.Serial, pending);
            count = _pending.Count;
            if (pending.Deadline < _timerDeadline)
            {
                ArmTimer(pending.Deadline);
            }
        }
        if (cancellationToken.CanBeCanceled)
        {
            Register(pending, cancellationToken);
        }
        return count;
    }

    /// <summary>
    /// Lets <paramref name="cancellationToken"/> end the call. The call may already have ended (a timeout of zero, the
    /// connection closing) and a pooled <see cref="ReaderPendingReply{TState, T}"/> may already serve a later call by the time
    /// the registration exists: so the registration is kept only if the call is still in the table, and the callback
    /// names the serial too, so a late one cannot end whatever call reuses the object.
    /// </summary>
    private void Register(PendingReply pending, CancellationToken cancellationToken)
    {
        uint serial = pending.Serial;
        var registration = cancellationToken.UnsafeRegister(static (state, token) =>
        {
            var (table, call, serial) = ((PendingCallTable, PendingReply, uint))state!;
            if (table.TryRemove(serial, call))
            {
                call.Fail(new OperationCanceledException("the call was cancelled", token));
            }
        }, (this, pending, serial));
        lock (_lock)
        {
            if (_pending.TryGetValue(serial, out var current) && current == pending)
            {
                // Whoever removes the call from now on (under this lock) sees the registration and disposes it.
                pending.Cancellation = registration;
                return;
            }
        }
        registration.Dispose();
    }

    /// <summary>Takes the call a reply answers, or null when none waits (late, cancelled or unknown serial).</summary>
    public PendingReply? TakeForReply(uint replySerial)
    {
        PendingReply? pending;
        lock (_lock)
        {
            if (!_pending.Remove(replySerial, out pending))
            {
                return null;
            }
        }
        pending.Cancellation.Dispose();
        return pending;
    }

    /// <summary>Removes the call if it is still pending (and is <paramref name="expected"/>).</summary>
    public bool TryRemove(uint serial, PendingReply expected)
    {
        lock (_lock)
        {
            if (!_pending.TryGetValue(serial, out var pending) || pending != expected)
            {
                return false;
            }
            _pending.Remove(serial);
        }
        return true;
    }

    /// <summary>Fails every pending call with <paramref name="reason"/> and refuses new ones.</summary>
    public void FailAll(Exception reason)
    {
        PendingReply[] failed;
        lock (_lock)
        {
            _closedReason ??= reason;
            failed = [.. _pending.Values];
            _pending.Clear();
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timerDeadline = long.MaxValue;
        }
        foreach (var pending in failed)
        {
            pending.Cancellation.Dispose();
            pending.Fail(reason);
        }
    }

    private void ArmTimer(long deadline)
    {
        _timerDeadline = deadline;
        long due = Math.Max(0, deadline - Environment.TickCount64);
        _timer.Change(TimeSpan.FromMilliseconds(due), Timeout.InfiniteTimeSpan);
    }

    private void OnTimer()
    {
        List<PendingReply>? expired = null;
        lock (_lock)
        {
            long now = Environment.TickCount64;
            long next = long.MaxValue;
            foreach (var pending in _pending.Values)
            {
                if (pending.Deadline <= now)
                {
                    (expired ??= []).Add(pending);
                }
                else if (pending.Deadline < next)
                {
                    next = pending.Deadline;
                }
            }
            if (expired is not null)
            {
                foreach (var pending in expired)
                {
                    _pending.Remove(pending.Serial);
                }
            }
            _timerDeadline = long.MaxValue;
            if (next != long.MaxValue)
            {
                ArmTimer(next);
            }
        }
        if (expired is null)
        {
            return;
        }
        foreach (var pending in expired)
        {
            pending.Cancellation.Dispose();
            pending.Fail(new DBusNoReplyException(DBusErrorNames.NoReply,
                $"no reply to the call with serial {pending.Serial} arrived within its timeout"));
        }
    }

    public void Dispose() => _timer.Dispose();
}
