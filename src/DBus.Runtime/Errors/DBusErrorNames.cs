namespace DBus;

/// <summary>The standard error names of the D-Bus specification and of dbus-daemon.</summary>
public static class DBusErrorNames
{
    /// <summary>A generic failure.</summary>
    public const string Failed = "org.freedesktop.DBus.Error.Failed";
    /// <summary>Out of memory.</summary>
    public const string NoMemory = "org.freedesktop.DBus.Error.NoMemory";
    /// <summary>No service owns the requested name and none could be activated.</summary>
    public const string ServiceUnknown = "org.freedesktop.DBus.Error.ServiceUnknown";
    /// <summary>The name has no owner.</summary>
    public const string NameHasNoOwner = "org.freedesktop.DBus.Error.NameHasNoOwner";
    /// <summary>No reply arrived within the timeout.</summary>
    public const string NoReply = "org.freedesktop.DBus.Error.NoReply";
    /// <summary>An I/O error.</summary>
    public const string IOError = "org.freedesktop.DBus.Error.IOError";
    /// <summary>An address could not be parsed.</summary>
    public const string BadAddress = "org.freedesktop.DBus.Error.BadAddress";
    /// <summary>The requested operation is not supported.</summary>
    public const string NotSupported = "org.freedesktop.DBus.Error.NotSupported";
    /// <summary>A resource limit was exceeded.</summary>
    public const string LimitsExceeded = "org.freedesktop.DBus.Error.LimitsExceeded";
    /// <summary>Security policy denied the operation.</summary>
    public const string AccessDenied = "org.freedesktop.DBus.Error.AccessDenied";
    /// <summary>Authentication failed.</summary>
    public const string AuthFailed = "org.freedesktop.DBus.Error.AuthFailed";
    /// <summary>No server at the address.</summary>
    public const string NoServer = "org.freedesktop.DBus.Error.NoServer";
    /// <summary>A timeout expired.</summary>
    public const string Timeout = "org.freedesktop.DBus.Error.Timeout";
    /// <summary>No network access.</summary>
    public const string NoNetwork = "org.freedesktop.DBus.Error.NoNetwork";
    /// <summary>The address is already in use.</summary>
    public const string AddressInUse = "org.freedesktop.DBus.Error.AddressInUse";
    /// <summary>The connection is closed.</summary>
    public const string Disconnected = "org.freedesktop.DBus.Error.Disconnected";
    /// <summary>Arguments are invalid.</summary>
    public const string InvalidArgs = "org.freedesktop.DBus.Error.InvalidArgs";
    /// <summary>A file was not found.</summary>
    public const string FileNotFound = "org.freedesktop.DBus.Error.FileNotFound";
    /// <summary>A file exists already.</summary>
    public const string FileExists = "org.freedesktop.DBus.Error.FileExists";
    /// <summary>The method does not exist.</summary>
    public const string UnknownMethod = "org.freedesktop.DBus.Error.UnknownMethod";
    /// <summary>The object does not exist.</summary>
    public const string UnknownObject = "org.freedesktop.DBus.Error.UnknownObject";
    /// <summary>The interface does not exist on the object.</summary>
    public const string UnknownInterface = "org.freedesktop.DBus.Error.UnknownInterface";
    /// <summary>The property does not exist.</summary>
    public const string UnknownProperty = "org.freedesktop.DBus.Error.UnknownProperty";
    /// <summary>The property cannot be written.</summary>
    public const string PropertyReadOnly = "org.freedesktop.DBus.Error.PropertyReadOnly";
    /// <summary>The method call timed out (dbus-daemon's variant of NoReply).</summary>
    public const string TimedOut = "org.freedesktop.DBus.Error.TimedOut";
    /// <summary>A match rule was not found (RemoveMatch).</summary>
    public const string MatchRuleNotFound = "org.freedesktop.DBus.Error.MatchRuleNotFound";
    /// <summary>A match rule could not be parsed.</summary>
    public const string MatchRuleInvalid = "org.freedesktop.DBus.Error.MatchRuleInvalid";
    /// <summary>A bus-activated service could not be started.</summary>
    public const string SpawnFailed = "org.freedesktop.DBus.Error.Spawn.Failed";
    /// <summary>A signature is not valid.</summary>
    public const string InvalidSignature = "org.freedesktop.DBus.Error.InvalidSignature";
    /// <summary>A message or its data is inconsistent.</summary>
    public const string InconsistentMessage = "org.freedesktop.DBus.Error.InconsistentMessage";
    /// <summary>The caller must authorize interactively first.</summary>
    public const string InteractiveAuthorizationRequired = "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired";
    /// <summary>The object is not a container.</summary>
    public const string NotContainer = "org.freedesktop.DBus.Error.NotContainer";
}
