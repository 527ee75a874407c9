using DBus.Shared;

namespace DBus;

/// <summary>
/// The message bus's own methods (org.freedesktop.DBus on /org/freedesktop/DBus) as a message generator: builds each
/// call and reads each reply, with no I/O. <see cref="DBusConnection"/>'s bus methods send what this builds.
/// </summary>
internal static class BusMessages
{
    /// <summary>The bus daemon's name, which is also its interface.</summary>
    public const string BusName = "org.freedesktop.DBus";
    public const string BusInterface = "org.freedesktop.DBus";
    public const string MonitoringInterface = "org.freedesktop.DBus.Monitoring";
    public static readonly ObjectPath BusPath = new("/org/freedesktop/DBus");

    /// <summary>A call without arguments.</summary>
    public static Message Call(string member) =>
        MessageWriter.CreateMethodCall(BusName, BusPath, BusInterface, member).ToMessage();

    /// <summary>A call with one string argument.</summary>
    public static Message Call(string member, string argument)
    {
        var writer = MessageWriter.CreateMethodCall(BusName, BusPath, BusInterface, member, new Signature("s"));
        writer.WriteString(argument);
        return writer.ToMessage();
    }

    /// <summary>A call with a string and a uint32 argument (RequestName, StartServiceByName).</summary>
    public static Message Call(string member, string argument, uint value)
    {
        var writer = MessageWriter.CreateMethodCall(BusName, BusPath, BusInterface, member, new Signature("su"));
        writer.WriteString(argument);
        writer.WriteUInt32(value);
        return writer.ToMessage();
    }

    /// <summary>RemoveMatch flagged NO_REPLY_EXPECTED: dropping a rule needs no answer.</summary>
    public static Message RemoveMatchNoReply(string rule)
    {
        var call = MessageWriter.CreateMethodCall(BusName, BusPath, BusInterface, "RemoveMatch", new Signature("s"), MessageFlags.NoReplyExpected);
        call.WriteString(rule);
        return call.ToMessage();
    }

    /// <summary>BecomeMonitor with the rules' texts (all messages when empty).</summary>
    public static Message BecomeMonitor(IEnumerable<MatchRule> rules)
    {
        var texts = rules.Select(r => r.ToString()).ToArray();
        var writer = MessageWriter.CreateMethodCall(BusName, BusPath, MonitoringInterface, "BecomeMonitor", new Signature("asu"));
        writer.WriteArray(texts);
        writer.WriteUInt32(0);
        return writer.ToMessage();
    }

    /// <summary>The NameOwnerChanged rule for one name (arg0), as the owner and caller trackers add it.</summary>
    public static MatchRule NameOwnerChangedRule(string name)
    {
        var rule = new MatchRule
        {
            Type = MessageType.Signal,
            Sender = BusName,
            Path = BusPath,
            Interface = BusInterface,
            Member = "NameOwnerChanged",
        };
        rule.Args[0] = name;
        return rule;
    }

    /// <summary>True for a Hello call to the bus: what a client that believes it talks to a bus says first.</summary>
    public static bool IsHello(Message call) =>
        call.Interface == BusInterface && call.Member == "Hello" && call.Path?.Value == "/org/freedesktop/DBus" && call.Signature.IsEmpty;

    /// <summary>The reply to Hello, as a bus gives it: the unique name.</summary>
    public static Message HelloReply(Message call, string uniqueName)
    {
        var writer = MessageWriter.CreateMethodReturn(call, new Signature("s"));
        writer.WriteString(uniqueName);
        return writer.ToMessage();
    }

    public static string ReadString(MessageView reply) => reply.GetBodyReader().ReadString();

    public static uint ReadUInt32(MessageView reply) => reply.GetBodyReader().ReadUInt32();

    public static bool ReadBoolean(MessageView reply) => reply.GetBodyReader().ReadBoolean();

    public static string[] ReadStrings(MessageView reply) => reply.GetBodyReader().ReadArrayOfString();

    /// <summary>Reads an <c>a{sv}</c> body; its values own the descriptors in them (dbus-daemon's ProcessFD is one).</summary>
    public static Dictionary<string, Variant> ReadVariantDictionary(MessageView reply)
    {
        var reader = reply.GetBodyReader();
        var result = new Dictionary<string, Variant>(StringComparer.Ordinal);
        try
        {
            var end = reader.ReadArrayStart(DBusType.DictEntry);
            while (reader.HasNext(end))
            {
                reader.AlignStruct();
                string key = reader.ReadString();
                var value = reader.ReadVariant();
                if (result.Remove(key, out var replaced))
                {
                    replaced.Dispose(); // a repeated key: only the last value is kept, and owned
                }
                result[key] = value;
            }
        }
        catch
        {
            foreach (var value in result.Values)
            {
                value.Dispose();
            }
            throw;
        }
        return result;
    }

    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid bus name; the message says why.</exception>
    public static void CheckBusName(string name, string parameter)
    {
        ArgumentNullException.ThrowIfNull(name, parameter);
        if (DBusNameValidator.ValidateBusName(name) is { } problem)
        {
            ThrowHelper.ThrowArgument(parameter, $"'{name}' is not a valid bus name: {problem}");
        }
    }
}
