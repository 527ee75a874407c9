namespace DBus;

/// <summary>How <see cref="SaslServer"/> authenticates a client.</summary>
internal sealed class SaslServerOptions
{
    /// <summary>The server's guid, sent with OK (32 hex digits).</summary>
    public required string Guid { get; init; }

    /// <summary>Accept ANONYMOUS clients (it is offered only then).</summary>
    public bool AllowAnonymous { get; init; }

    /// <summary>Decides which uids EXTERNAL and DBUS_COOKIE_SHA1 clients may be; default: our own euid only.</summary>
    public Func<uint, bool>? IsUserAllowed { get; init; }

    /// <summary>Answer NEGOTIATE_UNIX_FD with AGREE_UNIX_FD (when the transport can carry descriptors).</summary>
    public bool UnixFdsSupported { get; init; }

    /// <summary>Mechanisms offered, in this order. ANONYMOUS only when <see cref="AllowAnonymous"/>; EXTERNAL only on
    /// Unix sockets, where the kernel vouches for the peer's uid.</summary>
    public IReadOnlyList<string> Mechanisms { get; init; } = ["EXTERNAL", "DBUS_COOKIE_SHA1", "ANONYMOUS"];

    /// <summary>Where DBUS_COOKIE_SHA1 cookies are kept; default <c>$HOME/.dbus-keyrings</c>.</summary>
    public string? KeyringDirectory { get; init; }

    /// <summary>The whole handshake must finish within this.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>The longest line accepted from the client, in bytes.</summary>
    public int MaxLineLength { get; init; } = 16384;
}
