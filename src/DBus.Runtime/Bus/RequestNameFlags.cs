namespace DBus;

/// <summary>Flags of the bus's RequestName method.</summary>
[Flags]
public enum RequestNameFlags : uint
{
    /// <summary>Queue for the name and do not let others take it.</summary>
    None = 0,
    /// <summary>Let another connection that asks with <see cref="ReplaceExisting"/> take the name from us.</summary>
    AllowReplacement = 0x1,
    /// <summary>Take the name from its owner if the owner allowed replacement.</summary>
    ReplaceExisting = 0x2,
    /// <summary>Fail instead of waiting in the queue when the name is taken.</summary>
    DoNotQueue = 0x4,
}

/// <summary>What RequestName did.</summary>
public enum RequestNameReply : uint
{
    /// <summary>We are now the primary owner.</summary>
    PrimaryOwner = 1,
    /// <summary>The name is taken; we are in its queue.</summary>
    InQueue = 2,
    /// <summary>The name is taken and we did not queue (<see cref="RequestNameFlags.DoNotQueue"/>) or could not replace the owner.</summary>
    Exists = 3,
    /// <summary>We own the name already.</summary>
    AlreadyOwner = 4,
}

/// <summary>What ReleaseName did.</summary>
public enum ReleaseNameReply : uint
{
    /// <summary>We released the name (or left its queue).</summary>
    Released = 1,
    /// <summary>No one owns the name.</summary>
    NonExistent = 2,
    /// <summary>Someone else owns the name and we were not in its queue.</summary>
    NotOwner = 3,
}

/// <summary>What StartServiceByName did.</summary>
public enum StartServiceReply : uint
{
    /// <summary>The service was started.</summary>
    Success = 1,
    /// <summary>The service was running already.</summary>
    AlreadyRunning = 2,
}
