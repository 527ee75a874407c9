using System.Globalization;
using System.Text;
using System.Text.Json;

using DBus.Tool.Values;

namespace DBus.Tool.Monitoring;

/// <summary>One monitored message as one line of text, or as one JSON object shaped like busctl --json monitor's.</summary>
internal static class MessageFormatter
{
    public static string TypeName(MessageType type) => type switch
    {
        MessageType.MethodCall => "method_call",
        MessageType.MethodReturn => "method_return",
        MessageType.Error => "error",
        MessageType.Signal => "signal",
        _ => "unknown",
    };

    /// <summary><c>TYPE sender=… destination=… serial=… [reply_serial=…] path=… interface=… member=… [error_name=…]: BODY</c>.</summary>
    public static string FormatLine(Message message)
    {
        var sb = new StringBuilder(TypeName(message.Type));
        Field(sb, "sender", message.Sender);
        Field(sb, "destination", message.Destination);
        Field(sb, "serial", message.Serial.ToString(CultureInfo.InvariantCulture));
        Field(sb, "reply_serial", message.ReplySerial?.ToString(CultureInfo.InvariantCulture));
        Field(sb, "path", message.Path?.ToString());
        Field(sb, "interface", message.Interface);
        Field(sb, "member", message.Member);
        Field(sb, "error_name", message.ErrorName);
        if (!message.Signature.IsEmpty)
        {
            sb.Append(": ");
            try
            {
                sb.Append(TextFormatter.Format(message.Signature, MessageBody.Read(message)));
            }
            catch (Exception e) when (e is DBusProtocolException or InvalidOperationException or ArgumentException)
            {
                sb.Append(message.Signature.Value).Append(" <unreadable body: ").Append(ErrorText.FirstLine(e.Message)).Append('>');
            }
        }
        return sb.ToString();
    }

    public static void WriteJson(Utf8JsonWriter writer, Message message, DateTimeOffset received)
    {
        writer.WriteStartObject();
        writer.WriteString("type", TypeName(message.Type));
        writer.WriteString("endian", message.ByteOrder == DBusByteOrder.BigEndian ? "B" : "l");
        writer.WriteNumber("flags", (int)message.Flags);
        writer.WriteNumber("version", 1);
        writer.WriteNumber("cookie", message.Serial);
        if (message.ReplySerial is { } replySerial)
        {
            writer.WriteNumber("reply_cookie", replySerial);
        }
        writer.WriteNumber("timestamp-realtime", UnixTime.Microseconds(received));
        WriteIfPresent(writer, "sender", message.Sender);
        WriteIfPresent(writer, "destination", message.Destination);
        WriteIfPresent(writer, "path", message.Path?.ToString());
        WriteIfPresent(writer, "interface", message.Interface);
        WriteIfPresent(writer, "member", message.Member);
        WriteIfPresent(writer, "error_name", message.ErrorName);
        writer.WritePropertyName("payload");
        try
        {
            JsonFormatter.WriteBody(writer, message.Signature, MessageBody.Read(message));
        }
        catch (Exception e) when (e is DBusProtocolException or InvalidOperationException or ArgumentException)
        {
            writer.WriteStartObject();
            writer.WriteString("type", message.Signature.Value);
            writer.WriteString("error", ErrorText.FirstLine(e.Message));
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    private static void Field(StringBuilder sb, string name, string? value)
    {
        if (value is not null)
        {
            sb.Append(' ').Append(name).Append('=').Append(value);
        }
    }

    private static void WriteIfPresent(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
