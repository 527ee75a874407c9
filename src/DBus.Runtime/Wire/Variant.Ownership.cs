namespace DBus;

public readonly partial struct Variant : IDisposable
{
    /// <summary>
    /// Whether the value holds a <see cref="UnixFd"/> anywhere inside (a <c>h</c>, or one within an array,
    /// dictionary, struct or nested variant). Such a variant owns those descriptors: dispose it when done.
    /// </summary>
    public bool HasUnixFds => MayHoldUnixFds && HoldsUnixFd(_object);

    /// <summary>
    /// Closes every <see cref="UnixFd"/> the value holds, however deeply nested; does nothing for a value without
    /// descriptors, so disposing every variant read is always safe and cheap.
    /// </summary>
    /// <remarks>
    /// A variant read from a message (<see cref="MessageReader.ReadVariant"/>, <see cref="MessageReader.ReadValue"/>,
    /// the values of an <c>a{sv}</c>) owns the descriptors taken out of the message for it. Copies of a variant share
    /// them: dispose one of the copies, once. To keep a descriptor longer than the variant, hand it on from
    /// <see cref="GetUnixFd"/> (<see cref="UnixFd.ToStream"/>, <see cref="UnixFd.ToSafeHandle"/>,
    /// <see cref="UnixFd.Release"/>): the variant then has nothing left to close. A variant made from a
    /// <see cref="UnixFd"/> of your own closes it too when disposed.
    /// </remarks>
    public void Dispose()
    {
        if (MayHoldUnixFds)
        {
            DisposeUnixFds(_object);
        }
    }

    // Only h and v (a variant may hold anything) can lead to a descriptor: everything else is skipped without a walk.
    private bool MayHoldUnixFds => _signature is { } signature && signature.Text.AsSpan().IndexOfAny('h', 'v') >= 0;

    private static bool HoldsUnixFd(object? value)
    {
        switch (value)
        {
            case UnixFd:
                return true;
            case VariantBox box:
                return box.Value.HasUnixFds;
            case Variant[] items:
                foreach (var item in items)
                {
                    if (item.HasUnixFds)
                    {
                        return true;
                    }
                }
                return false;
            case KeyValuePair<Variant, Variant>[] entries:
                foreach (var entry in entries)
                {
                    if (entry.Key.HasUnixFds || entry.Value.HasUnixFds)
                    {
                        return true;
                    }
                }
                return false;
            default:
                return false;
        }
    }

    private static void DisposeUnixFds(object? value)
    {
        switch (value)
        {
            case UnixFd fd:
                fd.Dispose();
                break;
            case VariantBox box:
                box.Value.Dispose();
                break;
            case Variant[] items:
                DisposeAll(items);
                break;
            case KeyValuePair<Variant, Variant>[] entries:
                foreach (var entry in entries)
                {
                    entry.Key.Dispose();
                    entry.Value.Dispose();
                }
                break;
        }
    }

    /// <summary>Disposes <paramref name="values"/> (what a reader read before it failed, say).</summary>
    internal static void DisposeAll(ReadOnlySpan<Variant> values)
    {
        foreach (var value in values)
        {
            value.Dispose();
        }
    }
}
