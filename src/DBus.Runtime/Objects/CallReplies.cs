namespace DBus;

/// <summary>Sending the answer to a method call on the connection it came from.</summary>
internal static class CallReplies
{
    /// <summary>Sends <paramref name="reply"/> unless the caller asked for no reply.</summary>
    public static void Reply(DBusConnection connection, Message call, Message reply)
    {
        if ((call.Flags & MessageFlags.NoReplyExpected) != 0)
        {
            reply.Dispose();
            return;
        }
        connection.Send(reply);
    }

    /// <summary>Sends an error reply unless the caller asked for no reply.</summary>
    public static void ReplyError(DBusConnection connection, Message call, string errorName, string? text) =>
        Reply(connection, call, MessageWriter.CreateError(call, errorName, text).ToMessage());

    /// <summary>The UnknownMethod error for a member a built-in interface does not have.</summary>
    public static void ReplyUnknownMethod(DBusConnection connection, Message call, string iface) =>
        ReplyError(connection, call, DBusErrorNames.UnknownMethod,
            $"method '{call.Member}' with signature '{call.Signature}' does not exist on interface '{iface}'");
}
