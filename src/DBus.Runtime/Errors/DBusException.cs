using DBus.CodeAnalysis;

namespace DBus;

/// <summary>
/// An error reply from a D-Bus peer, or an error this library reports in the same form (a timeout, a
/// disconnection). <see cref="ErrorName"/> is the D-Bus error name; replies with the standard names
/// become the typed subclasses so callers can catch them by type.
/// </summary>
public class DBusException : Exception
{
    /// <summary>Creates an exception for an error name and its human-readable message.</summary>
    /// <exception cref="ArgumentException"><paramref name="errorName"/> is not a valid D-Bus error name.</exception>
    public DBusException([DBusName(DBusNameKind.ErrorName)] string errorName, string? errorMessage, Exception? innerException = null)
        : base(FormatMessage(errorName, errorMessage), innerException)
    {
        string? problem = DBus.Shared.DBusNameValidator.ValidateErrorName(errorName);
        if (problem is not null)
        {
            throw new ArgumentException($"'{errorName}' is not a valid D-Bus error name: {problem}", nameof(errorName));
        }
        ErrorName = errorName;
        ErrorMessage = errorMessage;
    }

    /// <summary>The D-Bus error name, such as <c>org.freedesktop.DBus.Error.UnknownMethod</c>.</summary>
    public string ErrorName { get; }

    /// <summary>The error's message as the peer sent it (the first string of the error body), if any.</summary>
    public string? ErrorMessage { get; }

    /// <summary>Creates the typed subclass for a standard error name, or a plain <see cref="DBusException"/>.</summary>
    public static DBusException Create([DBusName(DBusNameKind.ErrorName)] string errorName, string? errorMessage) => errorName switch
    {
        DBusErrorNames.ServiceUnknown => new DBusServiceUnknownException(errorMessage),
        DBusErrorNames.NameHasNoOwner => new DBusNameHasNoOwnerException(errorMessage),
        DBusErrorNames.NoReply or DBusErrorNames.TimedOut or DBusErrorNames.Timeout => new DBusNoReplyException(errorName, errorMessage),
        DBusErrorNames.UnknownMethod => new DBusUnknownMethodException(errorMessage),
        DBusErrorNames.UnknownObject => new DBusUnknownObjectException(errorMessage),
        DBusErrorNames.UnknownInterface => new DBusUnknownInterfaceException(errorMessage),
        DBusErrorNames.UnknownProperty => new DBusUnknownPropertyException(errorMessage),
        DBusErrorNames.PropertyReadOnly => new DBusPropertyReadOnlyException(errorMessage),
        DBusErrorNames.InvalidArgs => new DBusInvalidArgsException(errorMessage),
        DBusErrorNames.AccessDenied => new DBusAccessDeniedException(errorMessage),
        DBusErrorNames.NotSupported => new DBusNotSupportedException(errorMessage),
        DBusErrorNames.LimitsExceeded => new DBusLimitsExceededException(errorMessage),
        DBusErrorNames.Disconnected => new DBusDisconnectedException(errorMessage),
        _ => new DBusException(errorName, errorMessage),
    };

    private static string FormatMessage(string errorName, string? errorMessage) =>
        string.IsNullOrEmpty(errorMessage) ? errorName : $"{errorName}: {errorMessage}";
}

/// <summary><c>org.freedesktop.DBus.Error.ServiceUnknown</c>: no one owns the name and it cannot be activated.</summary>
public sealed class DBusServiceUnknownException(string? errorMessage)
    : DBusException(DBusErrorNames.ServiceUnknown, errorMessage);

/// <summary><c>org.freedesktop.DBus.Error.NameHasNoOwner</c>: the name has no owner.</summary>
public sealed class DBusNameHasNoOwnerException(string? errorMessage)
    : DBusException(DBusErrorNames.NameHasNoOwner, errorMessage);

/// <summary>No reply came in time: <c>org.freedesktop.DBus.Error.NoReply</c> (also raised locally when a
/// call's timeout expires), <c>TimedOut</c> or <c>Timeout</c>.</summary>
public sealed class DBusNoReplyException([DBusName(DBusNameKind.ErrorName)] string errorName, string? errorMessage)
    : DBusException(errorName, errorMessage);

/// <summary><c>org.freedesktop.DBus.Error.UnknownMethod</c>.</summary>
public sealed class DBusUnknownMethodException(string? errorMessage)
    : DBusException(DBusErrorNames.UnknownMethod, errorMessage);

/// <summary><c>org.freedesktop.DBus.Error.UnknownObject</c>.</summary>
public sealed class DBusUnknownObjectException(string? errorMessage)
    : DBusException(DBusErrorNames.UnknownObject, errorMessage);

/// <summary><c>org.freedesktop.DBus.Error.UnknownInterface</c>.</summary>
public sealed class DBusUnknownInterfaceException(string? errorMessage)
    : DBusException(DBusErrorNames.UnknownInterface, errorMessage);

/// <summary><c>org.freedesktop.DBus.Error.UnknownProperty</c>.</summary>
public sealed class DBusUnknownPropertyException(string? errorMessage)
    : DBusException(DBusErrorNames.UnknownProperty, errorMessage);

/// <summary><c>org.freedesktop.DBus.Error.PropertyReadOnly</c>.</summary>
public sealed class DBusPropertyReadOnlyException(string? errorMessage)
    : DBusException(DBusErrorNames.PropertyReadOnly, errorMessage);

/// <summary><c>org.freedesktop.DBus.Error.InvalidArgs</c>.</summary>
public sealed class DBusInvalidArgsException(string? errorMessage)
    : DBusException(DBusErrorNames.InvalidArgs, errorMessage);

/// <summary><c>org.freedesktop.DBus.Error.AccessDenied</c>.</summary>
public sealed class DBusAccessDeniedException(string? errorMessage)
    : DBusException(DBusErrorNames.AccessDenied, errorMessage);

/// <summary><c>org.freedesktop.DBus.Error.NotSupported</c>.</summary>
public sealed class DBusNotSupportedException(string? errorMessage)
    : DBusException(DBusErrorNames.NotSupported, errorMessage);

/// <summary><c>org.freedesktop.DBus.Error.LimitsExceeded</c>.</summary>
public sealed class DBusLimitsExceededException(string? errorMessage)
    : DBusException(DBusErrorNames.LimitsExceeded, errorMessage);

/// <summary>The connection is gone (<c>org.freedesktop.DBus.Error.Disconnected</c>): every call pending on it
/// fails with this, at once.</summary>
public sealed class DBusDisconnectedException(string? errorMessage, Exception? innerException = null)
    : DBusException(DBusErrorNames.Disconnected, errorMessage, innerException);
