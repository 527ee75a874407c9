namespace DBus;

/// <summary>
/// AddMatch / RemoveMatch with reference counts: identical rules share one AddMatch on the bus, and the rule is
/// removed when its last user goes. Talks to the bus only through <see cref="DBusConnection"/>'s public calls.
/// </summary>
internal sealed class MatchRegistry(DBusConnection connection)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, MatchRegistration> _matches = new(StringComparer.Ordinal);

    private sealed class MatchRegistration(Task added)
    {
        public int Users = 1;
        public Task Added = added;
    }

    /// <summary>Adds <paramref name="rule"/> on the bus, or counts one more user of a rule already added.</summary>
    public async Task AddAsync(MatchRule rule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        string text = rule.ToString();
        MatchRegistration? registration;
        lock (_lock)
        {
            if (_matches.TryGetValue(text, out registration) && !registration.Added.IsFaulted && !registration.Added.IsCanceled)
            {
                registration.Users++;
            }
            else
            {
                // Shared by everyone who adds the same rule meanwhile, so no single caller's token cancels it.
                registration = new MatchRegistration(connection.CallAsync(BusMessages.Call("AddMatch", text), static _ => true, CancellationToken.None));
                _matches[text] = registration;
            }
        }
        try
        {
            await registration.Added.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            bool lastUser;
            lock (_lock)
            {
                lastUser = --registration.Users == 0;
                if (lastUser && _matches.TryGetValue(text, out var current) && current == registration)
                {
                    _matches.Remove(text);
                }
            }
            if (lastUser && !registration.Added.IsCompleted)
            {
                // The caller gave up waiting, but the bus may still add the rule: take it off again then.
                _ = registration.Added.ContinueWith(static (added, state) =>
                {
                    var (registry, ruleText) = ((MatchRegistry, string))state!;
                    if (added.IsCompletedSuccessfully)
                    {
                        registry.SendRemoveMatch(ruleText);
                    }
                }, (this, text), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            throw;
        }
    }

    /// <summary>Drops one use of <paramref name="rule"/>; the last one removes it from the bus and waits for the reply.</summary>
    public async Task RemoveAsync(MatchRule rule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (TakeUse(rule.ToString()) is { } text)
        {
            using var reply = await connection.CallAsync(BusMessages.Call("RemoveMatch", text), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Drops one use; the last one sends RemoveMatch without waiting for the reply.</summary>
    public void Release(MatchRule rule)
    {
        if (TakeUse(rule.ToString()) is { } text)
        {
            SendRemoveMatch(text);
        }
    }

    /// <summary>True while <paramref name="rule"/> has users (for tests).</summary>
    public bool Contains(MatchRule rule)
    {
        lock (_lock)
        {
            return _matches.ContainsKey(rule.ToString());
        }
    }

    private void SendRemoveMatch(string text)
    {
        if (connection.IsConnected)
        {
            try
            {
                connection.Send(BusMessages.RemoveMatchNoReply(text));
            }
            catch (DBusDisconnectedException)
            {
                // Gone with the connection anyway.
            }
        }
    }

    /// <summary>Returns the rule's text when this was its last use (so it must leave the bus), else null.</summary>
    private string? TakeUse(string text)
    {
        lock (_lock)
        {
            if (!_matches.TryGetValue(text, out var registration))
            {
                return null;
            }
            if (--registration.Users > 0)
            {
                return null;
            }
            _matches.Remove(text);
            return text;
        }
    }
}
