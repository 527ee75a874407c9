using DBus.CodeAnalysis;

namespace DBus;

// Callbacks around dispatch: message filters, disconnection handlers, and where a failing callback is reported.
public sealed partial class DBusConnection
{
    /// <summary>
    /// Raised when a filter, signal handler, reply callback or exported object throws, or when a
    /// <see cref="SignalStream{T}"/> skips a signal it cannot read; the exception is caught so the connection
    /// (or the stream) lives on. Without a subscriber such exceptions are ignored.
    /// </summary>
    public event Action<DBusConnection, Exception>? CallbackFailed;

    /// <summary>True when the current thread is dispatching this connection's incoming messages.</summary>
    internal bool IsDispatchThread => _router.IsDispatchThread;

    /// <summary>
    /// Registers <paramref name="handler"/> to run once when the connection is lost or closed, with the reason
    /// (a <see cref="DBusDisconnectedException"/>). If it is already lost the handler runs at once.
    /// </summary>
    public void CallOnDisconnection(Action<DBusConnection, Exception> handler) => _router.CallOnDisconnection(handler);

    /// <summary>Adds a filter that runs on every incoming message, after the filters added before it.</summary>
    public void AddMessageFilter([DBusDispatchThread] MessageFilter filter) => _router.Filters.Add(filter);

    /// <summary>Removes the last-added occurrence of <paramref name="filter"/>; returns false if it was not there.</summary>
    public bool RemoveMessageFilter(MessageFilter filter) => _router.Filters.Remove(filter);

    internal void ThrowIfDispatchThread(string operation)
    {
        if (IsDispatchThread)
        {
            ThrowHelper.ThrowInvalidOperation(
                $"{operation} blocks until the connection answers, but it was called on this connection's dispatch thread " +
                "(from a filter, a signal or method handler, or a reply callback), which is the thread that would deliver the " +
                "answer: it would deadlock. Use the async method and await it, or call it from another thread.");
        }
    }

    internal void OnCallbackFailed(Exception exception)
    {
        try
        {
            CallbackFailed?.Invoke(this, exception);
        }
        catch (Exception)
        {
            // A failing failure handler has nowhere left to report to.
        }
    }
}
