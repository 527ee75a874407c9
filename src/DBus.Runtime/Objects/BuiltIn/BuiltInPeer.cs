namespace DBus;

/// <summary>Built-in org.freedesktop.DBus.Peer, answered on every path (as libdbus does).</summary>
internal static class BuiltInPeer
{
    public const string Interface = "org.freedesktop.DBus.Peer";

    /// <summary>Answers Ping and GetMachineId, and any other member of the Peer interface with UnknownMethod;
    /// false when the call is not for Peer (an interface-less call of another member).</summary>
    public static bool TryAnswer(DBusConnection connection, Message call)
    {
        switch (call.Member)
        {
            case "Ping" when call.Signature.Count == 0:
                CallReplies.Reply(connection, call, MessageWriter.CreateMethodReturn(call).ToMessage());
                return true;
            case "GetMachineId" when call.Signature.Count == 0:
                if (MachineId.Value is not { } id)
                {
                    CallReplies.ReplyError(connection, call, DBusErrorNames.Failed,
                        "this machine has no machine ID (/etc/machine-id and /var/lib/dbus/machine-id are missing)");
                    return true;
                }
                var writer = MessageWriter.CreateMethodReturn(call, new Signature("s"));
                writer.WriteString(id);
                CallReplies.Reply(connection, call, writer.ToMessage());
                return true;
            default:
                if (call.Interface == Interface)
                {
                    CallReplies.ReplyUnknownMethod(connection, call, Interface);
                    return true;
                }
                return false;
        }
    }
}
