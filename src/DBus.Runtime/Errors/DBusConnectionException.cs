namespace DBus;

/// <summary>
/// A connection could not be made: the address is unusable, no transport in it could connect, or the
/// authentication handshake failed. The message says what was tried and why each attempt failed.
/// </summary>
public class DBusConnectionException : Exception
{
    /// <summary>Creates the exception with a message that says what failed.</summary>
    public DBusConnectionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public DBusConnectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The SASL handshake failed: the peer refused every mechanism tried, broke the protocol, stalled or sent a line
/// too long. The message lists what the server offered, what was tried and why each attempt failed.
/// </summary>
public class DBusAuthenticationException : DBusConnectionException
{
    /// <summary>Creates the exception with a message that says what failed.</summary>
    public DBusAuthenticationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public DBusAuthenticationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Passing Unix file descriptors was asked for but cannot be had: the transport cannot carry them (TCP, a pipe)
/// or the peer refused NEGOTIATE_UNIX_FD.
/// </summary>
public sealed class DBusFdNegotiationException : DBusAuthenticationException
{
    /// <summary>Creates the exception with a message that says why descriptors cannot be passed.</summary>
    public DBusFdNegotiationException(string message)
        : base(message)
    {
    }
}
