using DBus.CodeAnalysis;
using DBus.Shared;

namespace DBus;

// The header this writer produces (see Message.Parse.cs for the full layout):
//
//   'l'|'B'  type  flags  1  | body length (patched by ToMessage) | serial (0 until the connection sets it)
//   | field array length | fields (yv), each 8-aligned | zero padding to 8 | body
//
// Fields are written in code order: PATH, INTERFACE, MEMBER, ERROR_NAME, REPLY_SERIAL, DESTINATION, SENDER,
// SIGNATURE; UNIX_FDS is appended by ToMessage when the body carries descriptors.
public ref partial struct MessageWriter
{
    /// <summary>Starts a method call.</summary>
    /// <param name="destination">The bus name to call, or null on a peer-to-peer connection.</param>
    /// <param name="path">The object to call.</param>
    /// <param name="interface">The interface of the method, or null (then any interface's method of that name).</param>
    /// <param name="member">The method name.</param>
    /// <param name="signature">The signature of the arguments the caller will write.</param>
    /// <param name="flags">Header flags.</param>
    /// <param name="byteOrder">Little-endian unless a test or a peer needs big-endian.</param>
    /// <exception cref="ArgumentException">A name is invalid; the message says which and why.</exception>
    public static MessageWriter CreateMethodCall([DBusName(DBusNameKind.BusName)] string? destination, ObjectPath path,
        [DBusName(DBusNameKind.InterfaceName)] string? @interface, [DBusName(DBusNameKind.MemberName)] string member,
        Signature signature = default, MessageFlags flags = MessageFlags.None, DBusByteOrder byteOrder = DBusByteOrder.LittleEndian)
    {
        var header = new MessageHeader
        {
            Type = MessageType.MethodCall,
            Flags = flags,
            Destination = CheckName(destination, DBusNameValidator.ValidateBusName, nameof(destination), "bus name"),
            Path = path.Value,
            Interface = CheckName(@interface, DBusNameValidator.ValidateInterfaceName, nameof(@interface), "interface name"),
            Member = CheckName(member ?? throw new ArgumentNullException(nameof(member)), DBusNameValidator.ValidateMemberName, nameof(member), "member name"),
            Signature = signature.Info,
        };
        return Create(header, byteOrder);
    }

    /// <summary>Starts the reply to <paramref name="call"/>: REPLY_SERIAL is its serial and DESTINATION its sender.</summary>
    /// <exception cref="ArgumentException">The call is not a method call or has no serial yet.</exception>
    /// <param name="call">The call answered.</param>
    /// <param name="signature">The signature of the values the caller will write.</param>
    /// <param name="byteOrder">Little-endian unless a test or a peer needs big-endian.</param>
    /// <param name="flags">Header flags.</param>
    public static MessageWriter CreateMethodReturn(Message call, Signature signature = default, DBusByteOrder byteOrder = DBusByteOrder.LittleEndian,
        MessageFlags flags = MessageFlags.None)
    {
        var header = ReplyHeader(call, MessageType.MethodReturn);
        header.Flags = flags;
        header.Signature = signature.Info;
        return Create(header, byteOrder);
    }

    /// <summary>Starts an error reply to <paramref name="call"/>; a non-null <paramref name="text"/> is written as the body (<c>s</c>).</summary>
    /// <remarks>Call <see cref="ToMessage"/> next: the body is complete.</remarks>
    /// <exception cref="ArgumentException">The error name is invalid, or the call is not a method call with a serial.</exception>
    /// <param name="call">The call answered.</param>
    /// <param name="errorName">The error name.</param>
    /// <param name="text">The error message, or null for none.</param>
    /// <param name="byteOrder">Little-endian unless a test or a peer needs big-endian.</param>
    /// <param name="flags">Header flags.</param>
    public static MessageWriter CreateError(Message call, [DBusName(DBusNameKind.ErrorName)] string errorName, string? text, DBusByteOrder byteOrder = DBusByteOrder.LittleEndian,
        MessageFlags flags = MessageFlags.None)
    {
        var writer = CreateErrorWithBody(call, errorName, text is null ? Signature.Empty : new Signature(Variant.Signatures.String), byteOrder, flags);
        if (text is not null)
        {
            writer.WriteString(text);
        }
        return writer;
    }

    /// <summary>Starts an error reply to <paramref name="call"/> whose body the caller writes (signature <paramref name="signature"/>).</summary>
    /// <exception cref="ArgumentException">The error name is invalid, or the call is not a method call with a serial.</exception>
    /// <param name="call">The call answered.</param>
    /// <param name="errorName">The error name.</param>
    /// <param name="signature">The signature of the body the caller will write.</param>
    /// <param name="byteOrder">Little-endian unless a test or a peer needs big-endian.</param>
    /// <param name="flags">Header flags.</param>
    public static MessageWriter CreateErrorWithBody(Message call, [DBusName(DBusNameKind.ErrorName)] string errorName, Signature signature, DBusByteOrder byteOrder = DBusByteOrder.LittleEndian,
        MessageFlags flags = MessageFlags.None)
    {
        var header = ReplyHeader(call, MessageType.Error);
        header.Flags = flags;
        header.ErrorName = CheckName(errorName ?? throw new ArgumentNullException(nameof(errorName)), DBusNameValidator.ValidateErrorName, nameof(errorName), "error name");
        header.Signature = signature.Info;
        return Create(header, byteOrder);
    }

    /// <summary>Starts a signal.</summary>
    /// <param name="path">The object emitting the signal.</param>
    /// <param name="interface">The interface of the signal.</param>
    /// <param name="member">The signal name.</param>
    /// <param name="signature">The signature of the arguments the caller will write.</param>
    /// <param name="destination">A unicast destination, or null to broadcast.</param>
    /// <param name="byteOrder">Little-endian unless a test or a peer needs big-endian.</param>
    /// <param name="flags">Header flags.</param>
    /// <exception cref="ArgumentException">A name is invalid.</exception>
    public static MessageWriter CreateSignal(ObjectPath path, [DBusName(DBusNameKind.InterfaceName)] string @interface,
        [DBusName(DBusNameKind.MemberName)] string member, Signature signature = default,
        [DBusName(DBusNameKind.BusName)] string? destination = null, DBusByteOrder byteOrder = DBusByteOrder.LittleEndian,
        MessageFlags flags = MessageFlags.None)
    {
        var header = new MessageHeader
        {
            Type = MessageType.Signal,
            Flags = flags,
            Path = path.Value,
            Interface = CheckName(@interface ?? throw new ArgumentNullException(nameof(@interface)), DBusNameValidator.ValidateInterfaceName, nameof(@interface), "interface name"),
            Member = CheckName(member ?? throw new ArgumentNullException(nameof(member)), DBusNameValidator.ValidateMemberName, nameof(member), "member name"),
            Destination = CheckName(destination, DBusNameValidator.ValidateBusName, nameof(destination), "bus name"),
            Signature = signature.Info,
        };
        return Create(header, byteOrder);
    }

    /// <summary>
    /// Starts a message with the whole header given: any type, flags on any type, serial, sender, destination,
    /// reply serial (a reply or error built without the call), descriptor count and field order.
    /// </summary>
    /// <param name="header">The header; read once, so changing it afterwards does not affect this message.</param>
    /// <param name="byteOrder">Little-endian unless a test or a peer needs big-endian.</param>
    /// <exception cref="ArgumentException">A name is invalid, a field the type requires is missing, or
    /// <see cref="MessageHeaderFields.FieldOrder"/> does not list exactly the fields set.</exception>
    public static MessageWriter Create(MessageHeaderFields header, DBusByteOrder byteOrder = DBusByteOrder.LittleEndian)
    {
        ArgumentNullException.ThrowIfNull(header);
        var writer = Create(header.ToHeader(), byteOrder);
        writer._declaredUnixFdCount = header.UnixFdCount ?? -1;
        return writer;
    }

    private static MessageHeader ReplyHeader(Message call, MessageType type)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (call.Type != MessageType.MethodCall)
        {
            ThrowHelper.ThrowArgument(nameof(call), $"only a method call gets a reply; this is a {call.Type}");
        }
        if (call.Serial == 0)
        {
            ThrowHelper.ThrowArgument(nameof(call), "the call has no serial (it was never sent)");
        }
        return new MessageHeader
        {
            Type = type,
            ReplySerial = call.Serial,
            Destination = call.Sender,
        };
    }

    internal static string? CheckName(string? name, Func<string, string?> validate, string paramName, string what)
    {
        if (name is null)
        {
            return null;
        }
        string? error = validate(name);
        if (error is not null)
        {
            ThrowHelper.ThrowArgument(paramName, $"'{name}' is not a valid {what}: {error}");
        }
        return name;
    }

    /// <summary>
    /// Writes the header from <paramref name="header"/>: the fields in <see cref="MessageHeader.FieldOrder"/> when it
    /// is set (to re-encode a received message byte for byte), in code order otherwise.
    /// </summary>
    internal static MessageWriter Create(MessageHeader header, DBusByteOrder byteOrder, int capacity = InitialCapacity)
    {
        var writer = new MessageWriter(byteOrder == DBusByteOrder.BigEndian, capacity);
        header.BigEndian = writer._bigEndian;
        if (header.FieldCount == 0)
        {
            for (byte code = MessageHeader.FieldPath; code <= MessageHeader.FieldSignature; code++)
            {
                if (HasField(header, code))
                {
                    header.RecordField(code);
                }
            }
        }
        var fixedPart = writer.Reserve(1, Message.FixedHeaderLength);
        fixedPart[0] = (byte)byteOrder;
        fixedPart[1] = (byte)header.Type;
        fixedPart[2] = (byte)header.Flags;
        fixedPart[3] = 1;
        fixedPart.Slice(4).Clear();
        writer._header = header;
        writer.WriteUInt32At(8, header.Serial);
        for (int i = 0; i < header.FieldCount; i++)
        {
            writer.WriteHeaderField(header.FieldAt(i));
        }
        writer.WriteUInt32At(12, (uint)(writer._position - Message.FixedHeaderLength));
        writer.Align(8);
        writer._header.BodyOffset = writer._position;
        return writer;
    }

    private static bool HasField(in MessageHeader header, byte code) => code switch
    {
        MessageHeader.FieldPath => header.Path is not null,
        MessageHeader.FieldInterface => header.Interface is not null,
        MessageHeader.FieldMember => header.Member is not null,
        MessageHeader.FieldErrorName => header.ErrorName is not null,
        MessageHeader.FieldReplySerial => header.ReplySerial != 0,
        MessageHeader.FieldDestination => header.Destination is not null,
        MessageHeader.FieldSender => header.Sender is not null,
        MessageHeader.FieldSignature => header.Signature is { Nodes.Length: > 0 },
        MessageHeader.FieldUnixFds => header.UnixFdCount != 0,
        _ => false,
    };

    private void WriteHeaderField(byte code)
    {
        Align(8);
        var start = Reserve(1, 4);
        start[0] = code;
        start[1] = 1;
        start[3] = 0;
        switch (code)
        {
            case MessageHeader.FieldPath:
                start[2] = (byte)'o';
                WriteStringCore(_header.Path!);
                break;
            case MessageHeader.FieldInterface:
                start[2] = (byte)'s';
                WriteStringCore(_header.Interface!);
                break;
            case MessageHeader.FieldMember:
                start[2] = (byte)'s';
                WriteStringCore(_header.Member!);
                break;
            case MessageHeader.FieldErrorName:
                start[2] = (byte)'s';
                WriteStringCore(_header.ErrorName!);
                break;
            case MessageHeader.FieldReplySerial:
                start[2] = (byte)'u';
                WriteUInt32(_header.ReplySerial);
                break;
            case MessageHeader.FieldDestination:
                start[2] = (byte)'s';
                WriteStringCore(_header.Destination!);
                break;
            case MessageHeader.FieldSender:
                start[2] = (byte)'s';
                WriteStringCore(_header.Sender!);
                break;
            case MessageHeader.FieldSignature:
                start[2] = (byte)'g';
                WriteSignatureCore(_header.Signature ?? SignatureInfo.Empty);
                break;
            case MessageHeader.FieldUnixFds:
                start[2] = (byte)'u';
                Align(4);
                _unixFdsValueOffset = _position;
                WriteUInt32(_header.UnixFdCount);
                break;
        }
    }
}
