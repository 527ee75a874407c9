using System.Diagnostics.CodeAnalysis;

namespace DBus;

/// <summary>
/// Throws kept out of line so hot paths (every read and write of the wire format) stay small enough to inline.
/// </summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowProtocol(int offset, string reason) => throw new DBusProtocolException(reason, offset);

    [DoesNotReturn]
    public static T ThrowProtocol<T>(int offset, string reason) => throw new DBusProtocolException(reason, offset);

    [DoesNotReturn]
    public static void ThrowEndOfData(int offset, int needed, int available) =>
        throw new DBusProtocolException($"the data ends early: {needed} bytes needed, {available} left", offset);

    [DoesNotReturn]
    public static void ThrowArgument(string paramName, string reason) => throw new ArgumentException(reason, paramName);

    [DoesNotReturn]
    public static T ThrowArgument<T>(string paramName, string reason) => throw new ArgumentException(reason, paramName);

    [DoesNotReturn]
    public static void ThrowInvalidOperation(string reason) => throw new InvalidOperationException(reason);

    [DoesNotReturn]
    public static T ThrowInvalidOperation<T>(string reason) => throw new InvalidOperationException(reason);

    [DoesNotReturn]
    public static T ThrowInvalidCast<T>(string expected, string actual) =>
        throw new InvalidCastException($"the variant holds a value of signature '{actual}', not '{expected}'");

    [DoesNotReturn]
    public static void ThrowNotSupported(string reason) => throw new NotSupportedException(reason);

    [DoesNotReturn]
    public static void ThrowObjectDisposed(string name) => throw new ObjectDisposedException(name);

    [DoesNotReturn]
    public static void ThrowMessageTooLong(long length) =>
        throw new InvalidOperationException($"the message would be {length} bytes; the D-Bus limit is {Message.MaxLength}");

    [DoesNotReturn]
    public static void ThrowArrayTooLong(long length) =>
        throw new InvalidOperationException($"the array would be {length} bytes; the D-Bus limit is {MessageReader.MaxArrayLength}");
}
