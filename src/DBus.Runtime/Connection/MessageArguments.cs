namespace DBus;

/// <summary>Reads the leading string-like arguments of a message body, for argN match rules.</summary>
internal static class MessageArguments
{
    /// <summary>Fills <paramref name="values"/> with the first arguments: the text of each <c>s</c> or <c>o</c>
    /// argument, null for any other type; <paramref name="isString"/> tells <c>s</c> apart from <c>o</c>.
    /// Returns false when the body is malformed (such a message matches no argument rule).</summary>
    public static bool TryReadLeading(Message message, string?[] values, bool[] isString)
    {
        var signature = message.Signature;
        int count = Math.Min(values.Length, signature.Count);
        try
        {
            var reader = message.GetBodyReader();
            for (int i = 0; i < count; i++)
            {
                var type = signature[i];
                switch (type.FirstType)
                {
                    case DBusType.String:
                        values[i] = reader.ReadString();
                        isString[i] = true;
                        break;
                    case DBusType.ObjectPath:
                        values[i] = reader.ReadObjectPath().ToString();
                        break;
                    default:
                        reader.Skip(type);
                        break;
                }
            }
            return true;
        }
        catch (DBusProtocolException)
        {
            return false;
        }
    }
}
