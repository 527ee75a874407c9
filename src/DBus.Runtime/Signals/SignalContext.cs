namespace DBus;

/// <summary>
/// Handles a signal on the dispatch thread. Everything dbus-python hands a handler through its keyword
/// arguments (sender, destination, interface, member, path, the message) is in <paramref name="signal"/>.
/// </summary>
public delegate void SignalHandler(SignalContext signal);

/// <summary>A signal being delivered to a <see cref="SignalHandler"/>; valid only while the handler runs.</summary>
public readonly struct SignalContext
{
    internal SignalContext(DBusConnection connection, Message message)
    {
        Connection = connection;
        Message = message;
    }

    /// <summary>The connection the signal arrived on.</summary>
    public DBusConnection Connection { get; }

    /// <summary>The signal message (do not dispose it, and do not keep it: it is released after the handler returns).</summary>
    public Message Message { get; }

    /// <summary>The unique name of the sender (dbus-python's sender_keyword).</summary>
    public string? Sender => Message.Sender;

    /// <summary>The destination, for a unicast signal (destination_keyword).</summary>
    public string? Destination => Message.Destination;

    /// <summary>The object path that emitted it (path_keyword).</summary>
    public ObjectPath Path => Message.Path ?? default;

    /// <summary>The interface (interface_keyword).</summary>
    public string Interface => Message.Interface ?? "";

    /// <summary>The signal name (member_keyword).</summary>
    public string Member => Message.Member ?? "";

    /// <summary>A reader over the signal's arguments.</summary>
    public MessageReader GetBodyReader() => Message.GetBodyReader();
}
