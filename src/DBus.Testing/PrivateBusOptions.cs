namespace DBus.Testing;

/// <summary>How a <see cref="PrivateBus"/> is configured. The defaults give a bus like a session bus:
/// one unix socket, EXTERNAL authentication, everything allowed.</summary>
public sealed class PrivateBusOptions
{
    /// <summary>Also listen on a TCP socket on 127.0.0.1 (an ephemeral port). DBUS_COOKIE_SHA1 is then offered as
    /// well, since EXTERNAL cannot work over TCP: a client of the same user connects to
    /// <see cref="PrivateBus.TcpAddress"/> with the default options.</summary>
    public bool ListenOnTcp { get; set; }

    /// <summary>Offer the ANONYMOUS mechanism and accept clients that authenticate with it.</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>Offer DBUS_COOKIE_SHA1 besides EXTERNAL (always offered with <see cref="ListenOnTcp"/>).</summary>
    public bool AllowCookieSha1 { get; set; }

    /// <summary>Directories holding <c>.service</c> files for bus activation (StartServiceByName).</summary>
    public IList<string> ServiceDirectories { get; } = new List<string>();

    /// <summary>How long to wait for the daemon to print its address. Default 10 seconds.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The dbus-daemon executable; a name is looked up on PATH. Default <c>dbus-daemon</c>.</summary>
    public string DaemonPath { get; set; } = "dbus-daemon";
}
