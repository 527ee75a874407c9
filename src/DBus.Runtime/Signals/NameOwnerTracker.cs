namespace DBus;

/// <summary>
/// Follows who owns the well-known names that signal receivers name as their sender, so a rule with
/// <c>sender='org.example.Service'</c> matches signals from that name's current unique owner, also after the
/// service restarts and takes its name again. Owners change only on the dispatch path, in message order:
/// the NameOwnerChanged signals and the initial GetNameOwner replies are applied as they arrive.
/// </summary>
internal sealed class NameOwnerTracker(DBusConnection connection, MatchRegistry matches)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _names = new(StringComparer.Ordinal);

    private sealed class Entry(MatchRule rule)
    {
        public int Users = 1;
        public string? Owner;
        public readonly MatchRule Rule = rule;
        public readonly TaskCompletionSource Ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The unique owner of a tracked name, or null when nobody owns it.</summary>
    public string? GetOwner(string name)
    {
        lock (_lock)
        {
            return _names.TryGetValue(name, out var entry) ? entry.Owner : null;
        }
    }

    /// <summary>Starts following <paramref name="name"/> (or adds a user); completes when its owner is known.</summary>
    public async Task TrackAsync(string name, CancellationToken cancellationToken)
    {
        Entry? entry;
        bool first = false;
        lock (_lock)
        {
            if (_names.TryGetValue(name, out entry))
            {
                entry.Users++;
            }
            else
            {
                entry = new Entry(BusMessages.NameOwnerChangedRule(name));
                _names.Add(name, entry);
                first = true;
            }
        }
        try
        {
            if (first)
            {
                // The match first: any change after GetNameOwner is answered then arrives as a signal.
                await matches.AddAsync(entry.Rule, cancellationToken).ConfigureAwait(false);
                var pending = new CallbackPendingReply(
                    connection,
                    reply => SetInitialOwner(entry, reply.GetBodyReader().ReadString()),
                    error => SetInitialOwner(entry, null),
                    failure => entry.Ready.TrySetException(failure));
                connection.Start(BusMessages.Call("GetNameOwner", name), pending, null, cancellationToken);
            }
            await entry.Ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Untrack(name);
            throw;
        }
    }

    private void SetInitialOwner(Entry entry, string? owner)
    {
        lock (_lock)
        {
            // A NameOwnerChanged that arrived before this reply is older than it: the reply wins.
            entry.Owner = owner;
        }
        entry.Ready.TrySetResult();
    }

    /// <summary>Drops one user of <paramref name="name"/>; the last one stops following it.</summary>
    public void Untrack(string name)
    {
        MatchRule? rule = null;
        lock (_lock)
        {
            if (_names.TryGetValue(name, out var entry) && --entry.Users == 0)
            {
                _names.Remove(name);
                rule = entry.Rule;
            }
        }
        if (rule is not null)
        {
            matches.Release(rule);
        }
    }

    /// <summary>Applies a NameOwnerChanged signal from the bus to the names being followed.</summary>
    public void Observe(Message signal)
    {
        if (!NameOwnerChangedSignal.Matches(signal))
        {
            return;
        }
        lock (_lock)
        {
            if (_names.Count == 0)
            {
                return;
            }
        }
        if (!NameOwnerChangedSignal.TryRead(signal, out string name, out string? newOwner))
        {
            return;
        }
        lock (_lock)
        {
            if (_names.TryGetValue(name, out var entry))
            {
                entry.Owner = newOwner;
            }
        }
    }
}
