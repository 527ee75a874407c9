namespace DBus;

/// <summary>A signal receiver added with <see cref="DBusConnection.AddSignalReceiverAsync"/>; dispose it to remove it.</summary>
public sealed class SignalSubscription : IDisposable, IAsyncDisposable
{
    private Action? _remove;

    internal SignalSubscription(Action remove) => _remove = remove;

    /// <summary>Removes the receiver (and, when nothing else uses it, its match rule on the bus). Idempotent.</summary>
    public void Dispose() => Interlocked.Exchange(ref _remove, null)?.Invoke();

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }
}
