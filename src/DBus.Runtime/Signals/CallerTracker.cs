namespace DBus;

/// <summary>
/// Follows the bus callers whose method calls are still being handled here, so that a handler's
/// <see cref="MethodContext.CancellationToken"/> fires when its caller leaves the bus, not only when this connection
/// closes. One <see cref="Caller"/> per unique name is shared by all of that name's calls in flight; it exists only
/// while a call needs it (the handler asked for the token, or is still running after it first yielded), so a fast
/// handler costs nothing here.
/// </summary>
/// <remarks>
/// Only a call still running after its handler yielded arms the watch: a NameOwnerChanged match rule with
/// <c>arg0</c> set to the caller, then NameHasOwner, because the caller may have left before the rule was in place.
/// The last call of a caller to finish takes the rule off the bus again.
/// </remarks>
internal sealed class CallerTracker(DBusConnection connection, MatchRegistry matches, CancellationToken closing)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Caller> _callers = new(StringComparer.Ordinal);

    /// <summary>One caller with calls in flight. Fields other than the token source are guarded by the tracker's lock.</summary>
    internal sealed class Caller
    {
        private readonly CancellationTokenSource _gone = new();
        private readonly CancellationTokenRegistration _onClosing;
        private int _cancelled;

        public Caller(string name, CancellationToken closing)
        {
            Name = name;
            Rule = BusMessages.NameOwnerChangedRule(name);
            // A plain source plus a registration we dispose ourselves: a linked source would have to be disposed
            // while a handler may still be using its token.
            _onClosing = closing.UnsafeRegister(static state => ((Caller)state!).Cancel(), this);
        }

        public string Name { get; }

        public MatchRule Rule { get; }

        /// <summary>Calls that hold this caller (under the tracker's lock).</summary>
        public int Calls = 1;

        /// <summary>The watch was started (under the tracker's lock).</summary>
        public bool Watching;

        /// <summary>The rule is on the bus: whoever ends the last call removes it (under the tracker's lock).</summary>
        public bool MatchAdded;

        public CancellationToken Token => _gone.Token;

        /// <summary>Completes when the watch is set up (or failed); lets tests wait for it.</summary>
        public TaskCompletionSource Watched { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>True once the caller left the bus or this connection closed.</summary>
        public bool IsGone => Volatile.Read(ref _cancelled) != 0;

        public void Cancel()
        {
            if (Interlocked.Exchange(ref _cancelled, 1) == 0)
            {
                // Handlers' callbacks run on the thread pool, not on the dispatch loop that noticed the departure.
                _ = _gone.CancelAsync();
            }
        }

        public void StopFollowingClosing() => _onClosing.Dispose();
    }

    /// <summary>Number of callers followed now (for tests).</summary>
    internal int Count
    {
        get
        {
            lock (_lock)
            {
                return _callers.Count;
            }
        }
    }

    /// <summary>The caller followed under <paramref name="name"/>, if any (for tests).</summary>
    internal Caller? Find(string name)
    {
        lock (_lock)
        {
            return _callers.GetValueOrDefault(name);
        }
    }

    /// <summary>Takes a hold on <paramref name="name"/>'s caller, creating it for its first call.</summary>
    public Caller Acquire(string name)
    {
        lock (_lock)
        {
            if (_callers.TryGetValue(name, out var caller))
            {
                caller.Calls++;
                return caller;
            }
            caller = new Caller(name, closing);
            _callers.Add(name, caller);
            return caller;
        }
    }

    /// <summary>Drops a hold; the last one forgets the caller and takes its rule off the bus.</summary>
    public void Release(Caller caller)
    {
        bool removeMatch;
        lock (_lock)
        {
            if (--caller.Calls > 0)
            {
                return;
            }
            _callers.Remove(caller.Name);
            removeMatch = caller.MatchAdded;
            caller.MatchAdded = false;
        }
        caller.StopFollowingClosing();
        if (removeMatch)
        {
            matches.Release(caller.Rule);
        }
    }

    /// <summary>Starts watching <paramref name="caller"/> leave the bus, once per caller.</summary>
    public void Watch(Caller caller)
    {
        lock (_lock)
        {
            if (caller.Watching || caller.Calls == 0)
            {
                return;
            }
            caller.Watching = true;
        }
        _ = WatchAsync(caller);
    }

    private async Task WatchAsync(Caller caller)
    {
        try
        {
            await WatchCoreAsync(caller).ConfigureAwait(false);
        }
        finally
        {
            caller.Watched.TrySetResult();
        }
    }

    private async Task WatchCoreAsync(Caller caller)
    {
        bool owned;
        try
        {
            await matches.AddAsync(caller.Rule, CancellationToken.None).ConfigureAwait(false);
            bool stillNeeded;
            lock (_lock)
            {
                stillNeeded = caller.Calls > 0;
                caller.MatchAdded = stillNeeded;
            }
            if (!stillNeeded)
            {
                // Every call ended while the rule was being added; nobody else will remove it.
                matches.Release(caller.Rule);
                return;
            }
            // The rule is in place now, so a departure from here on arrives as a signal; one before it did not.
            owned = await connection.NameHasOwnerAsync(caller.Name, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DBusException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection is going away (its closing cancels the caller anyway) or the bus refused the rule:
            // the calls then simply run to their end.
            return;
        }
        if (!owned)
        {
            caller.Cancel();
        }
    }

    /// <summary>Applies a NameOwnerChanged signal from the bus: a followed caller that lost its name is gone.</summary>
    public void Observe(Message signal)
    {
        if (!NameOwnerChangedSignal.Matches(signal))
        {
            return;
        }
        lock (_lock)
        {
            if (_callers.Count == 0)
            {
                return;
            }
        }
        if (!NameOwnerChangedSignal.TryRead(signal, out string name, out string? newOwner) || newOwner is not null)
        {
            return;
        }
        Caller? gone;
        lock (_lock)
        {
            _callers.TryGetValue(name, out gone);
        }
        gone?.Cancel();
    }
}
