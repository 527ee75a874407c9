namespace DBus.Testing;

/// <summary>Thrown by <see cref="PrivateBus.StartAsync"/> when the dbus-daemon executable cannot be found.</summary>
public sealed class DBusDaemonNotFoundException : Exception
{
    /// <summary>Creates the exception for the executable that was looked for.</summary>
    public DBusDaemonNotFoundException(string daemonPath)
        : base($"'{daemonPath}' was not found: a private D-Bus bus needs dbus-daemon (on Debian: apt-get install dbus-daemon).")
    {
        DaemonPath = daemonPath;
    }

    /// <summary>The executable that was looked for.</summary>
    public string DaemonPath { get; }
}
