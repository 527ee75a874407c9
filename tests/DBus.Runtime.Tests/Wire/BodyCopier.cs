namespace DBus.Runtime.Tests.Wire;

/// <summary>
/// A generic walker over a body with the public reader and writer only, value by value and container by
/// container (no Variant in between), so it proves the two are symmetric: whatever one reads, the other writes.
/// </summary>
internal static class BodyCopier
{
    public static void Copy(ref MessageReader reader, ref MessageWriter writer, Signature types)
    {
        foreach (var type in types)
        {
            CopyOne(ref reader, ref writer, type);
        }
    }

    private static void CopyOne(ref MessageReader reader, ref MessageWriter writer, Signature type)
    {
        string text = type.Value;
        switch (text[0])
        {
            case 'y': writer.WriteByte(reader.ReadByte()); break;
            case 'b': writer.WriteBoolean(reader.ReadBoolean()); break;
            case 'n': writer.WriteInt16(reader.ReadInt16()); break;
            case 'q': writer.WriteUInt16(reader.ReadUInt16()); break;
            case 'i': writer.WriteInt32(reader.ReadInt32()); break;
            case 'u': writer.WriteUInt32(reader.ReadUInt32()); break;
            case 'x': writer.WriteInt64(reader.ReadInt64()); break;
            case 't': writer.WriteUInt64(reader.ReadUInt64()); break;
            case 'd': writer.WriteDouble(reader.ReadDouble()); break;
            case 's': writer.WriteStringUtf8(reader.ReadStringUtf8()); break;
            case 'o': writer.WriteObjectPath(reader.ReadObjectPath()); break;
            case 'g': writer.WriteSignature(reader.ReadSignature()); break;
            case 'h':
                using (var fd = reader.ReadUnixFd())
                {
                    writer.WriteUnixFd(fd);
                }
                break;
            case 'v':
                var inner = reader.ReadVariantStart();
                writer.WriteVariantStart(inner);
                CopyOne(ref reader, ref writer, inner);
                break;
            case '(':
                reader.ReadStructStart();
                writer.WriteStructStart();
                Copy(ref reader, ref writer, new Signature(text[1..^1]));
                break;
            case 'a':
                var elementType = (DBusType)text[1];
                var end = reader.ReadArrayStart(elementType);
                var start = writer.WriteArrayStart(elementType);
                while (reader.HasNext(end))
                {
                    if (elementType == DBusType.DictEntry)
                    {
                        reader.ReadDictEntryStart();
                        writer.WriteDictEntryStart();
                        Copy(ref reader, ref writer, new Signature(text[2..^1]));
                    }
                    else
                    {
                        CopyOne(ref reader, ref writer, new Signature(text[1..]));
                    }
                }
                writer.WriteArrayEnd(start);
                break;
            default:
                throw new NotSupportedException(text);
        }
    }

    /// <summary>Re-encodes <paramref name="message"/> through the public API: its header, then its body walked.</summary>
    public static Message ReEncode(Message message)
    {
        var writer = MessageWriter.Create(MessageHeaderFields.From(message), message.ByteOrder);
        try
        {
            var reader = message.GetBodyReader();
            Copy(ref reader, ref writer, message.Signature);
            Assert.That(reader.IsAtEnd, Is.True, "the walker read the whole body");
            return writer.ToMessage();
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }
}
