namespace DBus;

// Method calls addressed to this connection. Exported objects come with the object layer; until a handler
// claims a call, the built-in org.freedesktop.DBus.Peer interface is answered on every path (as libdbus
// does) and anything else gets the standard error reply.
public sealed partial class DBusConnection
{
    private const string PeerInterface = "org.freedesktop.DBus.Peer";

    private void DispatchMethodCall(Message call)
    {
        using (call)
        {
            try
            {
                if (call.Interface is PeerInterface or null && TryAnswerPeer(call))
                {
                    return;
                }
                ReplyError(call, DBusErrorNames.UnknownObject, $"no object is exported at path '{call.Path}'");
            }
            catch (DBusDisconnectedException)
            {
                // The caller is gone with the connection; there is nobody to answer.
            }
        }
    }

    private bool TryAnswerPeer(Message call)
    {
        switch (call.Member)
        {
            case "Ping" when call.Signature.Count == 0:
                Reply(call, MessageWriter.CreateMethodReturn(call).ToMessage());
                return true;
            case "GetMachineId" when call.Signature.Count == 0:
                if (MachineId.Value is not { } id)
                {
                    ReplyError(call, DBusErrorNames.Failed, "this machine has no machine ID (/etc/machine-id and /var/lib/dbus/machine-id are missing)");
                    return true;
                }
                var writer = MessageWriter.CreateMethodReturn(call, new Signature("s"));
                writer.WriteString(id);
                Reply(call, writer.ToMessage());
                return true;
            default:
                if (call.Interface == PeerInterface)
                {
                    ReplyError(call, DBusErrorNames.UnknownMethod,
                        $"method '{call.Member}' with signature '{call.Signature}' does not exist on interface '{PeerInterface}'");
                    return true;
                }
                return false;
        }
    }

    /// <summary>Sends <paramref name="reply"/> unless the caller asked for no reply.</summary>
    internal void Reply(Message call, Message reply)
    {
        if ((call.Flags & MessageFlags.NoReplyExpected) != 0)
        {
            reply.Dispose();
            return;
        }
        Send(reply);
    }

    internal void ReplyError(Message call, string errorName, string text) =>
        Reply(call, MessageWriter.CreateError(call, errorName, text).ToMessage());
}
