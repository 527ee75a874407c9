namespace DBus;

/// <summary>Runs an undo action once, on the first Dispose.</summary>
internal sealed class Registration(Action undo) : IDisposable
{
    private Action? _undo = undo;

    public void Dispose() => Interlocked.Exchange(ref _undo, null)?.Invoke();
}
