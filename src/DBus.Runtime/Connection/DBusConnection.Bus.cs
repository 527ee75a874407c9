using DBus.CodeAnalysis;

namespace DBus;

// The message bus's own methods (org.freedesktop.DBus): each sends what BusMessages builds and reads its reply.
public sealed partial class DBusConnection
{
    /// <summary>The bus daemon's name.</summary>
    internal const string BusName = BusMessages.BusName;

    private async Task HelloAsync(CancellationToken cancellationToken)
    {
        string name = await CallAsync(BusMessages.Call("Hello"), BusMessages.ReadString, cancellationToken).ConfigureAwait(false);
        _uniqueName = name;
    }

    /// <summary>Asks the bus for a well-known name (RequestName), with the queueing flags.</summary>
    /// <returns>Whether we own it now, were queued, or it exists (the four replies of the specification).</returns>
    public Task<RequestNameReply> RequestNameAsync([DBusName(DBusNameKind.WellKnownBusName)] string name, RequestNameFlags flags = RequestNameFlags.None, CancellationToken cancellationToken = default)
    {
        BusMessages.CheckBusName(name, nameof(name));
        return CallAsync(BusMessages.Call("RequestName", name, (uint)flags), static reply => (RequestNameReply)BusMessages.ReadUInt32(reply), cancellationToken);
    }

    /// <summary>Gives a well-known name back (ReleaseName); the next queued connection, if any, gets it.</summary>
    public Task<ReleaseNameReply> ReleaseNameAsync([DBusName(DBusNameKind.WellKnownBusName)] string name, CancellationToken cancellationToken = default)
    {
        BusMessages.CheckBusName(name, nameof(name));
        return CallAsync(BusMessages.Call("ReleaseName", name), static reply => (ReleaseNameReply)BusMessages.ReadUInt32(reply), cancellationToken);
    }

    /// <summary>The unique name that owns <paramref name="name"/> (GetNameOwner).</summary>
    /// <exception cref="DBusNameHasNoOwnerException">Nobody owns the name.</exception>
    public Task<string> GetNameOwnerAsync([DBusName(DBusNameKind.BusName)] string name, CancellationToken cancellationToken = default) =>
        CallBus("GetNameOwner", name, BusMessages.ReadString, cancellationToken);

    /// <summary>Whether somebody owns <paramref name="name"/> (NameHasOwner).</summary>
    public Task<bool> NameHasOwnerAsync([DBusName(DBusNameKind.BusName)] string name, CancellationToken cancellationToken = default) =>
        CallBus("NameHasOwner", name, BusMessages.ReadBoolean, cancellationToken);

    /// <summary>Every name on the bus, unique and well-known (ListNames).</summary>
    public Task<string[]> ListNamesAsync(CancellationToken cancellationToken = default) =>
        CallAsync(BusMessages.Call("ListNames"), BusMessages.ReadStrings, cancellationToken);

    /// <summary>The names the bus can start on demand (ListActivatableNames).</summary>
    public Task<string[]> ListActivatableNamesAsync(CancellationToken cancellationToken = default) =>
        CallAsync(BusMessages.Call("ListActivatableNames"), BusMessages.ReadStrings, cancellationToken);

    /// <summary>The unique names queued for a well-known name, the owner first (ListQueuedOwners).</summary>
    public Task<string[]> ListQueuedOwnersAsync([DBusName(DBusNameKind.BusName)] string name, CancellationToken cancellationToken = default) =>
        CallBus("ListQueuedOwners", name, BusMessages.ReadStrings, cancellationToken);

    /// <summary>Asks the bus to start the service that provides <paramref name="name"/> (StartServiceByName).</summary>
    public Task<StartServiceReply> StartServiceByNameAsync([DBusName(DBusNameKind.BusName)] string name, CancellationToken cancellationToken = default)
    {
        BusMessages.CheckBusName(name, nameof(name));
        return CallAsync(BusMessages.Call("StartServiceByName", name, 0), static reply => (StartServiceReply)BusMessages.ReadUInt32(reply), cancellationToken);
    }

    /// <summary>
    /// The unique owner of <paramref name="name"/>, starting its service first when nobody owns it
    /// (dbus-python's activate_name_owner).
    /// </summary>
    public async Task<string> ActivateNameOwnerAsync([DBusName(DBusNameKind.BusName)] string name, CancellationToken cancellationToken = default)
    {
        if (name.StartsWith(':') || name == BusName)
        {
            return name;
        }
        try
        {
            return await GetNameOwnerAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (DBusNameHasNoOwnerException)
        {
            await StartServiceByNameAsync(name, cancellationToken).ConfigureAwait(false);
            return await GetNameOwnerAsync(name, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The user ID of the process that owns <paramref name="name"/> (GetConnectionUnixUser).</summary>
    public Task<uint> GetConnectionUnixUserAsync([DBusName(DBusNameKind.BusName)] string name, CancellationToken cancellationToken = default) =>
        CallBus("GetConnectionUnixUser", name, BusMessages.ReadUInt32, cancellationToken);

    /// <summary>The process ID of the process that owns <paramref name="name"/> (GetConnectionUnixProcessID).</summary>
    public Task<uint> GetConnectionUnixProcessIdAsync([DBusName(DBusNameKind.BusName)] string name, CancellationToken cancellationToken = default) =>
        CallBus("GetConnectionUnixProcessID", name, BusMessages.ReadUInt32, cancellationToken);

    /// <summary>Everything the bus knows about the credentials of <paramref name="name"/>'s owner
    /// (GetConnectionCredentials: UnixUserID, UnixGroupIDs, ProcessID, LinuxSecurityLabel…).</summary>
    /// <remarks>On a connection that passes descriptors, newer dbus-daemons add ProcessFD (a pidfd): the variant
    /// holding it owns it, so dispose the values (<see cref="Variant.Dispose"/>; a no-op for the others).</remarks>
    public Task<Dictionary<string, Variant>> GetConnectionCredentialsAsync([DBusName(DBusNameKind.BusName)] string name, CancellationToken cancellationToken = default) =>
        CallBus("GetConnectionCredentials", name, BusMessages.ReadVariantDictionary, cancellationToken);

    /// <summary>The bus's own GUID (GetId).</summary>
    public Task<string> GetBusIdAsync(CancellationToken cancellationToken = default) =>
        CallAsync(BusMessages.Call("GetId"), BusMessages.ReadString, cancellationToken);

    /// <summary>
    /// Turns this connection into a monitor (BecomeMonitor): from now on it receives copies of the messages
    /// that match <paramref name="rules"/> (all messages when empty) through its filters and
    /// <see cref="WatchAsync"/> queues, and can no longer send anything.
    /// </summary>
    public Task BecomeMonitorAsync(IEnumerable<MatchRule> rules, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return DisposeReplyAsync(CallAsync(BusMessages.BecomeMonitor(rules), cancellationToken));
    }

    /// <summary>
    /// An untyped proxy for the object at <paramref name="path"/> of <paramref name="destination"/> that calls its
    /// methods, reads its properties and receives its signals by name (dbus-python's get_object); see
    /// <see cref="ProxyObject.CreateAsync(DBusConnection, string?, ObjectPath, bool, CancellationToken)"/>.
    /// </summary>
    /// <param name="destination">The bus name of the object's owner; null on a peer-to-peer connection.</param>
    /// <param name="path">The object's path.</param>
    /// <param name="introspect">Read the object's introspection data first (an object that does not answer still
    /// gets a proxy); false skips it (dbus-python's <c>introspect=False</c>).</param>
    /// <param name="cancellationToken">Cancels the introspection call.</param>
    public Task<ProxyObject> GetObjectAsync([DBusName(DBusNameKind.BusName)] string? destination, ObjectPath path, bool introspect = true,
        CancellationToken cancellationToken = default) =>
        ProxyObject.CreateAsync(this, destination, path, introspect, cancellationToken);

    /// <summary>A bus method taking one bus name, checked before anything is sent.</summary>
    private Task<T> CallBus<T>(string member, string name, ReplyReader<T> read, CancellationToken cancellationToken)
    {
        BusMessages.CheckBusName(name, nameof(name));
        return CallAsync(BusMessages.Call(member, name), read, cancellationToken);
    }

    private static async Task DisposeReplyAsync(Task<Message> call)
    {
        using var reply = await call.ConfigureAwait(false);
    }
}
