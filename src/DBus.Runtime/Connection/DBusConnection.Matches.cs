namespace DBus;

// AddMatch / RemoveMatch with reference counts: identical rules share one AddMatch on the bus, and the
// rule is removed when its last user goes.
public sealed partial class DBusConnection
{
    private readonly Lock _matchesLock = new();
    private readonly Dictionary<string, MatchRegistration> _matches = new(StringComparer.Ordinal);

    private sealed class MatchRegistration(Task added)
    {
        public int Users = 1;
        public Task Added = added;
    }

    /// <summary>
    /// Asks the bus to route messages that match <paramref name="rule"/> to this connection (AddMatch). A rule
    /// already added by this connection is counted, not added twice; each call needs its own
    /// <see cref="RemoveMatchAsync"/>.
    /// </summary>
    public async Task AddMatchAsync(MatchRule rule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        string text = rule.ToString();
        MatchRegistration? registration;
        lock (_matchesLock)
        {
            if (_matches.TryGetValue(text, out registration) && !registration.Added.IsFaulted && !registration.Added.IsCanceled)
            {
                registration.Users++;
            }
            else
            {
                // Shared by everyone who adds the same rule meanwhile, so no single caller's token cancels it.
                registration = new MatchRegistration(CallAsync(BusCall("AddMatch", text), static _ => true, CancellationToken.None));
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
            lock (_matchesLock)
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
                    var (connection, ruleText) = ((DBusConnection, string))state!;
                    if (added.IsCompletedSuccessfully)
                    {
                        connection.SendRemoveMatch(ruleText);
                    }
                }, (this, text), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            throw;
        }
    }

    /// <summary>Drops one use of <paramref name="rule"/>; the last one removes it from the bus (RemoveMatch).</summary>
    public async Task RemoveMatchAsync(MatchRule rule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (TakeMatchUse(rule.ToString()) is { } text)
        {
            using var reply = await CallAsync(BusCall("RemoveMatch", text), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Drops one use; the last one sends RemoveMatch without waiting for the reply.</summary>
    internal void ReleaseMatch(MatchRule rule) => RemoveMatchInBackground(rule);

    private void RemoveMatchInBackground(MatchRule rule)
    {
        if (TakeMatchUse(rule.ToString()) is { } text)
        {
            SendRemoveMatch(text);
        }
    }

    private void SendRemoveMatch(string text)
    {
        if (IsConnected)
        {
            var call = MessageWriter.CreateMethodCall(BusName, s_busPath, BusInterface, "RemoveMatch", new Signature("s"), MessageFlags.NoReplyExpected);
            call.WriteString(text);
            try
            {
                Send(call.ToMessage());
            }
            catch (DBusDisconnectedException)
            {
                // Gone with the connection anyway.
            }
        }
    }

    /// <summary>True while <paramref name="rule"/> has users on this connection (for tests).</summary>
    internal bool HasMatch(MatchRule rule)
    {
        lock (_matchesLock)
        {
            return _matches.ContainsKey(rule.ToString());
        }
    }

    /// <summary>Returns the rule's text when this was its last use (so it must leave the bus), else null.</summary>
    private string? TakeMatchUse(string text)
    {
        lock (_matchesLock)
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
