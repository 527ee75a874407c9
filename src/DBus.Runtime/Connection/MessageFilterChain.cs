using DBus.CodeAnalysis;

namespace DBus;

/// <summary>
/// The message filters of a connection, run in the order added on every incoming message that is not a reply to a
/// pending call, before signal and method-call dispatch.
/// </summary>
internal sealed class MessageFilterChain
{
    private readonly Lock _lock = new();
    // Copy-on-write: dispatch reads a snapshot, so a filter added during a callback does not see the
    // message in flight.
    private MessageFilter[] _filters = [];

    public void Add([DBusDispatchThread] MessageFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        lock (_lock)
        {
            _filters = [.. _filters, filter];
        }
    }

    /// <summary>Removes the last-added occurrence of <paramref name="filter"/>; false if it was not there.</summary>
    public bool Remove(MessageFilter filter)
    {
        lock (_lock)
        {
            int index = Array.LastIndexOf(_filters, filter);
            if (index < 0)
            {
                return false;
            }
            var filters = new List<MessageFilter>(_filters);
            filters.RemoveAt(index);
            _filters = [.. filters];
            return true;
        }
    }

    /// <summary>Runs the filters in order; true when one handled the message. A filter that throws is reported
    /// through <see cref="DBusConnection.CallbackFailed"/> and counts as not handling it.</summary>
    public bool Run(DBusConnection connection, Message message)
    {
        var filters = Volatile.Read(ref _filters);
        foreach (var filter in filters)
        {
            try
            {
                if (filter(connection, message) == MessageFilterResult.Handled)
                {
                    return true;
                }
            }
            catch (Exception e)
            {
                connection.OnCallbackFailed(e);
            }
        }
        return false;
    }
}
