using DBus.CodeAnalysis;

namespace DBus;

/// <summary>One of the header fields a message can carry (the field codes of the specification).</summary>
public enum MessageHeaderField : byte
{
    /// <summary>PATH (1): the object path.</summary>
    Path = 1,
    /// <summary>INTERFACE (2).</summary>
    Interface = 2,
    /// <summary>MEMBER (3): the method or signal name.</summary>
    Member = 3,
    /// <summary>ERROR_NAME (4).</summary>
    ErrorName = 4,
    /// <summary>REPLY_SERIAL (5).</summary>
    ReplySerial = 5,
    /// <summary>DESTINATION (6).</summary>
    Destination = 6,
    /// <summary>SENDER (7).</summary>
    Sender = 7,
    /// <summary>SIGNATURE (8): the body's signature.</summary>
    Signature = 8,
    /// <summary>UNIX_FDS (9): the number of descriptors that travel with the message.</summary>
    UnixFds = 9,
}

/// <summary>
/// The whole header of a message to build with <see cref="MessageWriter.Create(MessageHeaderFields, DBusByteOrder)"/>:
/// any type, flags, serial and field, so a reply or error can be built without the call it answers and a received
/// message can be re-encoded byte for byte (<see cref="From"/>).
/// </summary>
/// <remarks>
/// Names are validated when the writer is created, and so are the fields each message type requires (a method
/// call needs <see cref="Path"/> and <see cref="Member"/>, a signal also <see cref="Interface"/>, an error
/// <see cref="ErrorName"/> and <see cref="ReplySerial"/>, a method return <see cref="ReplySerial"/>).
/// </remarks>
public sealed class MessageHeaderFields
{
    /// <summary>The message type.</summary>
    public MessageType Type { get; set; } = MessageType.MethodCall;

    /// <summary>The header flags (any type of message may carry them).</summary>
    public MessageFlags Flags { get; set; }

    /// <summary>The serial; 0 leaves it to the connection, which sets one when it sends the message.</summary>
    public uint Serial { get; set; }

    /// <summary>The serial of the call a method return or error answers.</summary>
    public uint? ReplySerial { get; set; }

    /// <summary>The object path.</summary>
    public ObjectPath? Path { get; set; }

    /// <summary>The interface name.</summary>
    [DBusName(DBusNameKind.InterfaceName)]
    public string? Interface { get; set; }

    /// <summary>The method or signal name.</summary>
    [DBusName(DBusNameKind.MemberName)]
    public string? Member { get; set; }

    /// <summary>The error name.</summary>
    [DBusName(DBusNameKind.ErrorName)]
    public string? ErrorName { get; set; }

    /// <summary>The bus name the message is for.</summary>
    [DBusName(DBusNameKind.BusName)]
    public string? Destination { get; set; }

    /// <summary>The sender's bus name (a bus daemon sets it on what it forwards; a peer-to-peer server may too).</summary>
    [DBusName(DBusNameKind.BusName)]
    public string? Sender { get; set; }

    /// <summary>The signature of the body the caller will write.</summary>
    public Signature Signature { get; set; }

    /// <summary>
    /// The number of descriptors announced in UNIX_FDS. Null (the default): the field is written only when the
    /// body carries descriptors, with their number. Set: the field is always written, and
    /// <see cref="MessageWriter.ToMessage"/> checks that the body wrote exactly that many.
    /// </summary>
    public int? UnixFdCount { get; set; }

    /// <summary>
    /// The order the fields are written in; null writes them in code order. Each field listed must be set and each
    /// field set must be listed (<see cref="From"/> fills this in with the received order).
    /// </summary>
    public IReadOnlyList<MessageHeaderField>? FieldOrder { get; set; }

    /// <summary>The header of <paramref name="message"/>, field order included, so writing it again with the same
    /// body gives the same bytes.</summary>
    /// <exception cref="ObjectDisposedException">The message was disposed.</exception>
    public static MessageHeaderFields From(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        ref readonly var header = ref message.Header;
        var order = new MessageHeaderField[header.FieldCount];
        bool hasUnixFds = false;
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = (MessageHeaderField)header.FieldAt(i);
            hasUnixFds |= order[i] == MessageHeaderField.UnixFds;
        }
        return new MessageHeaderFields
        {
            Type = header.Type,
            Flags = header.Flags,
            Serial = header.Serial,
            ReplySerial = header.ReplySerialOrNull,
            Path = header.PathOrNull,
            Interface = header.Interface,
            Member = header.Member,
            ErrorName = header.ErrorName,
            Destination = header.Destination,
            Sender = header.Sender,
            Signature = header.BodySignature,
            UnixFdCount = hasUnixFds ? (int)header.UnixFdCount : null,
            FieldOrder = order,
        };
    }

    /// <summary>Validates everything and turns it into the internal header the writer encodes.</summary>
    internal MessageHeader ToHeader()
    {
        if (Type == 0)
        {
            ThrowHelper.ThrowArgument("header", "message type 0 is invalid");
        }
        if (ReplySerial == 0)
        {
            ThrowHelper.ThrowArgument("header", "ReplySerial must not be 0 (leave it null for no REPLY_SERIAL field)");
        }
        if (UnixFdCount < 0)
        {
            ThrowHelper.ThrowArgument("header", $"UnixFdCount is {UnixFdCount}; it cannot be negative");
        }
        var header = new MessageHeader
        {
            Type = Type,
            Flags = Flags,
            Serial = Serial,
            ReplySerial = ReplySerial ?? 0,
            Path = Path?.Value,
            Interface = MessageWriter.CheckName(Interface, Shared.DBusNameValidator.ValidateInterfaceName, "header", "interface name"),
            Member = MessageWriter.CheckName(Member, Shared.DBusNameValidator.ValidateMemberName, "header", "member name"),
            ErrorName = MessageWriter.CheckName(ErrorName, Shared.DBusNameValidator.ValidateErrorName, "header", "error name"),
            Destination = MessageWriter.CheckName(Destination, Shared.DBusNameValidator.ValidateBusName, "header", "destination bus name"),
            Sender = MessageWriter.CheckName(Sender, Shared.DBusNameValidator.ValidateBusName, "header", "sender bus name"),
            Signature = Signature.Info,
            UnixFdCount = (uint)(UnixFdCount ?? 0),
        };
        CheckRequired(header);
        if (FieldOrder is not null)
        {
            RecordOrder(ref header, FieldOrder);
        }
        else
        {
            for (byte code = MessageHeader.FieldPath; code <= MessageHeader.FieldSignature; code++)
            {
                if (IsSet(header, (MessageHeaderField)code))
                {
                    header.RecordField(code);
                }
            }
            if (UnixFdCount is not null)
            {
                header.RecordField(MessageHeader.FieldUnixFds);
            }
        }
        return header;
    }

    private void RecordOrder(ref MessageHeader header, IReadOnlyList<MessageHeaderField> order)
    {
        uint listed = 0;
        foreach (var field in order)
        {
            if (field is < MessageHeaderField.Path or > MessageHeaderField.UnixFds)
            {
                ThrowHelper.ThrowArgument("header", $"FieldOrder lists {(byte)field}, which is not a known header field");
            }
            if ((listed & (1u << (int)field)) != 0)
            {
                ThrowHelper.ThrowArgument("header", $"FieldOrder lists {field} twice");
            }
            // An empty SIGNATURE field is legal on the wire, so a received one can be listed with no signature set.
            if (!IsSet(header, field) && field != MessageHeaderField.Signature
                && !(field == MessageHeaderField.UnixFds && UnixFdCount is not null))
            {
                ThrowHelper.ThrowArgument("header", $"FieldOrder lists {field}, which is not set");
            }
            listed |= 1u << (int)field;
            header.RecordField((byte)field);
        }
        for (var field = MessageHeaderField.Path; field <= MessageHeaderField.UnixFds; field++)
        {
            bool set = IsSet(header, field) || (field == MessageHeaderField.UnixFds && UnixFdCount is not null);
            if (set && (listed & (1u << (int)field)) == 0)
            {
                ThrowHelper.ThrowArgument("header", $"{field} is set but FieldOrder does not list it");
            }
        }
    }

    private static bool IsSet(in MessageHeader header, MessageHeaderField field) => field switch
    {
        MessageHeaderField.Path => header.Path is not null,
        MessageHeaderField.Interface => header.Interface is not null,
        MessageHeaderField.Member => header.Member is not null,
        MessageHeaderField.ErrorName => header.ErrorName is not null,
        MessageHeaderField.ReplySerial => header.ReplySerial != 0,
        MessageHeaderField.Destination => header.Destination is not null,
        MessageHeaderField.Sender => header.Sender is not null,
        MessageHeaderField.Signature => header.Signature is { Nodes.Length: > 0 },
        _ => false,
    };

    private static void CheckRequired(in MessageHeader header)
    {
        string? missing = header.Type switch
        {
            MessageType.MethodCall when header.Path is null => "a method call needs Path",
            MessageType.MethodCall when header.Member is null => "a method call needs Member",
            MessageType.Signal when header.Path is null || header.Interface is null || header.Member is null =>
                "a signal needs Path, Interface and Member",
            MessageType.Error when header.ErrorName is null || header.ReplySerial == 0 => "an error needs ErrorName and ReplySerial",
            MessageType.MethodReturn when header.ReplySerial == 0 => "a method return needs ReplySerial",
            _ => null,
        };
        if (missing is not null)
        {
            ThrowHelper.ThrowArgument("header", missing);
        }
    }
}
