namespace DBus;

/// <summary>The header of a message, decoded: filled by the parser and by the writer, kept by <see cref="Message"/>.</summary>
internal struct MessageHeader
{
    public const byte FieldPath = 1;
    public const byte FieldInterface = 2;
    public const byte FieldMember = 3;
    public const byte FieldErrorName = 4;
    public const byte FieldReplySerial = 5;
    public const byte FieldDestination = 6;
    public const byte FieldSender = 7;
    public const byte FieldSignature = 8;
    public const byte FieldUnixFds = 9;

    public MessageType Type;
    public MessageFlags Flags;
    public bool BigEndian;
    public uint Serial;
    public uint ReplySerial;
    public string? Path;
    public string? Interface;
    public string? Member;
    public string? ErrorName;
    public string? Destination;
    public string? Sender;
    public SignatureInfo? Signature;
    public uint UnixFdCount;
    public int BodyOffset;
    public int BodyLength;

    // The known field codes in the order they appeared, 4 bits each (first field in the low bits), so a message
    // can be re-encoded byte for byte.
    public ulong FieldOrder;
    public int FieldCount;

    public void RecordField(byte code)
    {
        if (FieldCount < 16)
        {
            FieldOrder |= (ulong)code << (4 * FieldCount);
            FieldCount++;
        }
    }

    // The header as the public Message and MessageView present it.
    public readonly uint? ReplySerialOrNull => ReplySerial == 0 ? null : (uint?)ReplySerial;

    public readonly ObjectPath? PathOrNull => Path is null ? null : (ObjectPath?)ObjectPath.FromValidated(Path);

    public readonly Signature BodySignature => new(Signature ?? SignatureInfo.Empty);

    public readonly byte FieldAt(int index) => (byte)((FieldOrder >> (4 * index)) & 0xF);
}
