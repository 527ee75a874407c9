namespace DBus;

/// <summary>How <see cref="SaslClient"/> authenticates.</summary>
internal sealed class SaslClientOptions
{
    /// <summary>Mechanisms in order of preference; each is tried only if the server offers it (EXTERNAL is tried
    /// first without knowing, as libdbus does: the rejection tells what the server offers).</summary>
    public IReadOnlyList<string> Mechanisms { get; init; } = DefaultMechanisms;

    /// <summary>EXTERNAL, DBUS_COOKIE_SHA1, ANONYMOUS: the order libdbus tries them in.</summary>
    public static readonly IReadOnlyList<string> DefaultMechanisms = ["EXTERNAL", "DBUS_COOKIE_SHA1", "ANONYMOUS"];

    /// <summary>Ask for descriptor passing (NEGOTIATE_UNIX_FD). Needs a transport that can carry them; a refusal
    /// raises <see cref="DBusFdNegotiationException"/>.</summary>
    public bool NegotiateUnixFds { get; init; }

    /// <summary>The guid the address names; a server answering with another fails the handshake.</summary>
    public string? ExpectedGuid { get; init; }

    /// <summary>The whole handshake must finish within this.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>The longest line accepted from the server, in bytes.</summary>
    public int MaxLineLength { get; init; } = 16384;

    /// <summary>The uid sent with EXTERNAL and DBUS_COOKIE_SHA1; default geteuid().</summary>
    public uint? UserId { get; init; }

    /// <summary>Where DBUS_COOKIE_SHA1 cookies are read; default <c>$HOME/.dbus-keyrings</c>. A directory group or
    /// others can enter is refused.</summary>
    public string? KeyringDirectory { get; init; }
}
