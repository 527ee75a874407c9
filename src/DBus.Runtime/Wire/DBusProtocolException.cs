namespace DBus;

/// <summary>
/// The bytes of a D-Bus message break the wire format: the one exception the wire layer raises for malformed
/// input. Its message says what is wrong; <see cref="Offset"/> says where.
/// </summary>
/// <remarks>
/// "Not enough bytes yet" is never this exception: framing methods return <see langword="false"/> for that.
/// </remarks>
public sealed class DBusProtocolException : Exception
{
    /// <summary>Creates the exception with a reason and the offset, from the start of the message, where the problem is.</summary>
    public DBusProtocolException(string reason, int offset)
        : base(offset >= 0 ? $"malformed D-Bus message: {reason} (at offset {offset})" : $"malformed D-Bus message: {reason}")
    {
        Reason = reason;
        Offset = offset;
    }

    /// <summary>The offset from the start of the message where the problem was found, or -1 when it is not at one place.</summary>
    public int Offset { get; }

    /// <summary>What is wrong, without the offset.</summary>
    public string Reason { get; }
}
