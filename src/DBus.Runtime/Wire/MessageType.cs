namespace DBus;

/// <summary>The type of a D-Bus message (the second byte of its header).</summary>
public enum MessageType : byte
{
    /// <summary>A method call; requires PATH and MEMBER.</summary>
    MethodCall = 1,
    /// <summary>A method reply with return values; requires REPLY_SERIAL.</summary>
    MethodReturn = 2,
    /// <summary>An error reply; requires ERROR_NAME and REPLY_SERIAL.</summary>
    Error = 3,
    /// <summary>A signal emission; requires PATH, INTERFACE and MEMBER.</summary>
    Signal = 4,
}
