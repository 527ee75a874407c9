using DBus.CodeAnalysis;
using DBus.Shared;

namespace DBus;

// The message bus's own methods (org.freedesktop.DBus on /org/freedesktop/DBus).
public sealed partial class DBusConnection
{
    /// <summary>The bus daemon's name, path and interface.</summary>
    internal const string BusName = "org.freedesktop.DBus";
    private const string BusInterface = "org.freedesktop.DBus";
    private static readonly ObjectPath s_busPath = new("/org/freedesktop/DBus");

    private static Message BusCall(string member) =>
        MessageWriter.CreateMethodCall(BusName, s_busPath, BusInterface, member).ToMessage();

    private static Message BusCall(string member, string argument)
    {
        var writer = MessageWriter.CreateMethodCall(BusName, s_busPath, BusInterface, member, new Signature("s"));
        writer.WriteString(argument);
        return writer.ToMessage();
    }

    private static string ReadString(MessageView reply) => reply.GetBodyReader().ReadString();

    private static uint ReadUInt32(MessageView reply) => reply.GetBodyReader().ReadUInt32();

    private static bool ReadBoolean(MessageView reply) => reply.GetBodyReader().ReadBoolean();

    private static string[] ReadStrings(MessageView reply) => reply.GetBodyReader().ReadArrayOfString();

    private async Task HelloAsync(CancellationToken cancellationToken)
    {
        string name = await CallAsync(BusCall("Hello"), ReadString, cancellationToken).ConfigureAwait(false);
        _uniqueName = name;
    }

    /// <summary>Asks the bus for a well-known name (RequestName), with the queueing flags.</summary>
    /// <returns>Whether we own it now, were queued, or it exists (the four replies of the specification).</returns>
    public Task<RequestNameReply> RequestNameAsync([DBusName(DBusNameKind.WellKnownBusName)] string name, RequestNameFlags flags = RequestNameFlags.None, CancellationToken cancellationToken = default)
    {
        CheckBusName(name, nameof(name));
        var writer = MessageWriter.CreateMethodCall(BusName, s_busPath, BusInterface, "RequestName", new Signature("su"));
        writer.WriteString(name);
        writer.WriteUInt32((uint)flags);
        return CallAsync(writer.ToMessage(), static reply => (RequestNameReply)ReadUInt32(reply), cancellationToken);
    }

    /// <summary>Gives a well-known name back (ReleaseName); the next queued connection, if any, gets it.</summary>
    public Task<ReleaseNameReply> ReleaseNameAsync([DBusName(DBusNameKind.WellKnownBusName)] string name, CancellationToken cancellationToken = default)
    {
        CheckBusName(name, nameof(name));
        return CallAsync(BusCall("ReleaseName", name), static reply => (ReleaseNameReply)ReadUInt32(reply), cancellationToken);
    }

    /// <summary>The unique name that owns <paramref name="name"/> (GetNameOwner).</summary>
    /// <exception cref="DBusNameHasNoOwnerException">Nobody owns the name.</exception>
    public Task<string> GetNameOwnerAsync([DBusName(DBusNameKind.BusName)] string name, CancellationToken cancellationToken = default)
    {
        CheckBusName(name, nameof(name));
        return CallAsync(BusCall("GetNameOwner", name), ReadString, cancellationToken);
    }

    /// <summary>Whether somebody owns <paramref name="name"/> (NameHasOwner).</summary>
    public Task<bool> NameHasOwnerAsync([DBusName(DBusNameKind.BusName)] string name, CancellationToken cancellationToken = default)
    {
        CheckBusName(name, nameof(name));
        return CallAsync(BusCall("NameHasOwner", name), ReadBoolean, cancellationToken);
    }

    /// <summary>Every name on the bus, unique and well-known (ListNames).</summary>
    public Task<string[]> ListNamesAsync(CancellationToken cancellationToken = default) =>
        CallAsync(BusCall("ListNames"), ReadStrings, cancellationToken);

    /// <summary>The names the bus can start on demand (ListActivatableNames).</summary>
    public Task<string[]> ListActivatableNamesAsync(CancellationToken cancellationToken = default) =>
        CallAsync(BusCall("ListActivatableNames"), ReadStrings, cancellationToken);

    /// <summary>The unique names queued for a well-known name, the owner first (ListQueuedOwners).</summary>
    public Task<string[]> ListQueuedOwnersAsync([DBusName(DBusNameKind.BusName)] string name, CancellationToken cancellationToken = default)
    {
        CheckBusName(name, nameof(name));
        return CallAsync(BusCall("ListQueuedOwners", name), ReadStrings, cancellationToken);
    }

    /// <summary>Asks the bus to start the service that provides <paramref name="name"/> (StartServiceByName).</summary>
    public Task<StartServiceReply> StartServiceByNameAsync([DBusName(DBusNameKind.BusName)] string name, CancellationToken cancellationToken = default)
    {
        CheckBusName(name, nameof(name));
        var writer = MessageWriter.CreateMethodCall(BusName, s_busPath, BusInterface, "StartServiceByName", new Signature("su"));
        writer.WriteString(name);
        writer.WriteUInt32(0);
        return CallAsync(writer.ToMessage(), static reply => (StartServiceReply)ReadUInt32(reply), cancellationToken);
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
    public Task<uint> GetConnectionUnixUserAsync([DBusName(DBusNameKind.BusName)] string name, CancellationToken cancellationToken = default)
    {
        CheckBusName(name, nameof(name));
        return CallAsync(BusCall("GetConnectionUnixUser", name), ReadUInt32, cancellationToken);
    }

    /// <summary>The process ID of the process that owns <paramref name="name"/> (GetConnectionUnixProcessID).</summary>
    public Task<uint> GetConnectionUnixProcessIdAsync([DBusName(DBusNameKind.BusName)] string name, CancellationToken cancellationToken = default)
    {
        CheckBusName(name, nameof(name));
        return CallAsync(BusCall("GetConnectionUnixProcessID", name), ReadUInt32, cancellationToken);
    }

    /// <summary>Everything the bus knows about the credentials of <paramref name="name"/>'s owner
    /// (GetConnectionCredentials: UnixUserID, UnixGroupIDs, ProcessID, LinuxSecurityLabel…).</summary>
    public Task<Dictionary<string, Variant>> GetConnectionCredentialsAsync([DBusName(DBusNameKind.BusName)] string name, CancellationToken cancellationToken = default)
    {
        CheckBusName(name, nameof(name));
        return CallAsync(BusCall("GetConnectionCredentials", name), static reply => ReadVariantDictionary(reply), cancellationToken);
    }

    /// <summary>The bus's own GUID (GetId).</summary>
    public Task<string> GetBusIdAsync(CancellationToken cancellationToken = default) =>
        CallAsync(BusCall("GetId"), ReadString, cancellationToken);

    /// <summary>
    /// Turns this connection into a monitor (BecomeMonitor): from now on it receives copies of the messages
    /// that match <paramref name="rules"/> (all messages when empty) through its filters and
    /// <see cref="WatchAsync"/> queues, and can no longer send anything.
    /// </summary>
    public Task BecomeMonitorAsync(IEnumerable<MatchRule> rules, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var texts = rules.Select(r => r.ToString()).ToArray();
        var writer = MessageWriter.CreateMethodCall(BusName, new ObjectPath("/org/freedesktop/DBus"), "org.freedesktop.DBus.Monitoring", "BecomeMonitor", new Signature("asu"));
        writer.WriteArray(texts);
        writer.WriteUInt32(0);
        return DisposeReplyAsync(CallAsync(writer.ToMessage(), cancellationToken));
    }

    /// <summary>
    /// Introspects the object at <paramref name="path"/> of <paramref name="destination"/> and returns an untyped
    /// proxy that calls its methods by name (dbus-python's get_object).
    /// </summary>
    /// <param name="destination">The bus name of the object's owner; null on a peer-to-peer connection.</param>
    /// <param name="path">The object's path.</param>
    /// <param name="cancellationToken">Cancels the introspection call.</param>
    public Task<ProxyObject> GetObjectAsync([DBusName(DBusNameKind.BusName)] string? destination, ObjectPath path, CancellationToken cancellationToken = default) =>
        ProxyObject.CreateAsync(this, destination, path, cancellationToken);

    /// <summary>Reads an <c>a{sv}</c> body.</summary>
    internal static Dictionary<string, Variant> ReadVariantDictionary(MessageView reply)
    {
        var reader = reply.GetBodyReader();
        var result = new Dictionary<string, Variant>(StringComparer.Ordinal);
        var end = reader.ReadArrayStart(DBusType.DictEntry);
        while (reader.HasNext(end))
        {
            reader.AlignStruct();
            string key = reader.ReadString();
            result[key] = reader.ReadVariant();
        }
        return result;
    }

    private static async Task DisposeReplyAsync(Task<Message> call)
    {
        using var reply = await call.ConfigureAwait(false);
    }

    private static void CheckBusName(string name, string parameter)
    {
        ArgumentNullException.ThrowIfNull(name, parameter);
        if (DBusNameValidator.ValidateBusName(name) is { } problem)
        {
            ThrowHelper.ThrowArgument(parameter, $"'{name}' is not a valid bus name: {problem}");
        }
    }
}
