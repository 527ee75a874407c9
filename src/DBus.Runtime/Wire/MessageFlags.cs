namespace DBus;

/// <summary>The flags of a D-Bus message (the third byte of its header).</summary>
[Flags]
public enum MessageFlags : byte
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>The caller does not want a reply.</summary>
    NoReplyExpected = 0x1,
    /// <summary>The bus must not start a service to deliver this message.</summary>
    NoAutoStart = 0x2,
    /// <summary>The caller is ready to wait for interactive authorization (polkit) of this call.</summary>
    AllowInteractiveAuthorization = 0x4,
}
