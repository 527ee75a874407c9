namespace DBus;

/// <summary>
/// How many descriptors received on one connection are open: those not yet taken by a message, those in messages,
/// and those taken out of messages (<see cref="UnixFd"/>s, <see cref="Variant"/>s) that their owners have not yet
/// disposed or handed on. Each counted <see cref="UnixFd"/> takes itself out when it is disposed or its descriptor is
/// handed on, on whatever thread that happens.
/// </summary>
internal sealed class UnixFdCounter
{
    private int _open;

    /// <summary>The descriptors counted in and not yet out.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Counts <paramref name="fd"/> in until it is disposed or handed on.</summary>
    public void Add(UnixFd fd)
    {
        Interlocked.Increment(ref _open);
        fd.CountIn(this);
    }

    /// <summary>Called once by a counted <see cref="UnixFd"/> that no longer owns its descriptor.</summary>
    public void Remove() => Interlocked.Decrement(ref _open);
}
