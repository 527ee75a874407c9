namespace DBus;

/// <summary>
/// Sees an incoming message before signal receivers and exported objects do (replies to pending calls go
/// straight to their callers). Runs on the dispatch thread; the message is valid only while it runs.
/// </summary>
/// <returns><see cref="MessageFilterResult.Handled"/> to stop the message here.</returns>
public delegate MessageFilterResult MessageFilter(DBusConnection connection, Message message);

/// <summary>What a <see cref="MessageFilter"/> decided.</summary>
public enum MessageFilterResult
{
    /// <summary>Pass the message on to the next filter and then to its normal destination.</summary>
    NotHandled,

    /// <summary>The filter dealt with the message: nobody else sees it.</summary>
    Handled,
}
