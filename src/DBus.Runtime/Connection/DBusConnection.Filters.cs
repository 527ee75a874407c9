using DBus.CodeAnalysis;
namespace DBus;

public sealed partial class DBusConnection
{
    private readonly Lock _filtersLock = new();
    // Copy-on-write: dispatch reads a snapshot, so a filter added during a callback does not see the
    // message in flight.
    private MessageFilter[] _filters = [];

    /// <summary>Adds a filter that runs on every incoming message, after the filters added before it.</summary>
    public void AddMessageFilter([DBusDispatchThread] MessageFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        lock (_filtersLock)
        {
            _filters = [.. _filters, filter];
        }
    }

    /// <summary>Removes the last-added occurrence of <paramref name="filter"/>; returns false if it was not there.</summary>
    public bool RemoveMessageFilter(MessageFilter filter)
    {
        lock (_filtersLock)
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

    /// <summary>Runs the filters in order; true when one handled the message.</summary>
    private bool RunFilters(Message message)
    {
        var filters = Volatile.Read(ref _filters);
        foreach (var filter in filters)
        {
            try
            {
                if (filter(this, message) == MessageFilterResult.Handled)
                {
                    return true;
                }
            }
            catch (Exception e)
            {
                OnCallbackFailed(e);
            }
        }
        return false;
    }
}
