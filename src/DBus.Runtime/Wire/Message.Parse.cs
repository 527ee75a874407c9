using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace DBus;

// A message on the wire (D-Bus specification, "Message Format"):
//
//  offset  size  field
//  ------  ----  -----------------------------------------------------------------------
//   0       1    byte order: 'l' little-endian, 'B' big-endian (of everything that follows)
//   1       1    message type: 1 METHOD_CALL, 2 METHOD_RETURN, 3 ERROR, 4 SIGNAL (0 is invalid)
//   2       1    flags: 0x1 NO_REPLY_EXPECTED, 0x2 NO_AUTO_START, 0x4 ALLOW_INTERACTIVE_AUTHORIZATION
//   3       1    major protocol version: 1
//   4       4    body length (u)
//   8       4    serial (u), not zero
//  12       4    length of the header field array in bytes (u)  ┐  the header is yyyyuua(yv)
//  16       ...  header fields, each a struct (yv), 8-aligned:   ┘
//                  code  y  1 PATH o, 2 INTERFACE s, 3 MEMBER s, 4 ERROR_NAME s, 5 REPLY_SERIAL u,
//                           6 DESTINATION s, 7 SENDER s, 8 SIGNATURE g, 9 UNIX_FDS u (others: ignored)
//                  value v  a signature, then the value
//   ...          zero padding to a multiple of 8
//   ...          body: "body length" bytes, the values of SIGNATURE marshaled one after another
//
// The first 16 bytes are enough to know the whole length: 16 + align8(field array length) + body length.
public sealed partial class Message
{
    /// <summary>
    /// Computes a message's total length from its first <see cref="FixedHeaderLength"/> bytes, so a reader can size
    /// its buffer; returns false when fewer than 16 bytes are given.
    /// </summary>
    /// <exception cref="DBusProtocolException">The fixed header is malformed or announces more than 128 MiB.</exception>
    public static bool TryGetLength(ReadOnlySpan<byte> fixedHeader, out int length)
    {
        if (fixedHeader.Length < FixedHeaderLength)
        {
            length = 0;
            return false;
        }
        length = GetLength(fixedHeader, out _, out _);
        return true;
    }

    /// <summary>
    /// Takes one complete message off the front of a receive buffer. Returns false, consuming nothing, when the
    /// buffer does not hold a whole message yet; otherwise returns the message (its bytes copied into a pooled
    /// buffer) and advances <paramref name="buffer"/> past it.
    /// </summary>
    /// <param name="buffer">The bytes received so far; on success, what follows the message.</param>
    /// <param name="message">The message, which the caller disposes.</param>
    /// <param name="unixFds">Descriptors received beside the bytes, in order; the message dequeues (and owns)
    /// as many as its UNIX_FDS header field says.</param>
    /// <exception cref="DBusProtocolException">The bytes are malformed, or fewer descriptors arrived than announced.
    /// The connection cannot continue after this.</exception>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, [NotNullWhen(true)] out Message? message, Queue<UnixFd>? unixFds = null)
    {
        if (TryReadData(ref buffer, out var data, unixFds))
        {
            message = new Message(data);
            return true;
        }
        message = null;
        return false;
    }

    /// <summary><see cref="TryRead"/> without the <see cref="Message"/> handle: the connection makes one only for a
    /// message that reaches user code as a <see cref="Message"/> (a typed reply is read through a view). A message
    /// longer than <c>maxLength</c> (a connection's <see cref="DBusConnectionOptions.MaxMessageSize"/>) is a
    /// <see cref="DBusProtocolException"/> as soon as its fixed header is in.</summary>
    internal static bool TryReadData(ref ReadOnlySequence<byte> buffer, [NotNullWhen(true)] out MessageData? message, Queue<UnixFd>? unixFds = null,
        int maxLength = MaxLength)
    {
        message = null;
        if (buffer.Length < FixedHeaderLength)
        {
            return false;
        }
        int length;
        if (buffer.FirstSpan.Length >= FixedHeaderLength)
        {
            length = GetLength(buffer.FirstSpan, out _, out _);
        }
        else
        {
            Span<byte> fixedHeader = stackalloc byte[FixedHeaderLength];
            buffer.Slice(0, FixedHeaderLength).CopyTo(fixedHeader);
            length = GetLength(fixedHeader, out _, out _);
        }
        if (length > maxLength)
        {
            ThrowHelper.ThrowProtocol(4,
                $"the message would be {length} bytes, and this connection accepts at most {maxLength} (DBusConnectionOptions.MaxMessageSize)");
        }
        if (buffer.Length < length)
        {
            return false;
        }

        byte[] bytes = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            buffer.Slice(0, length).CopyTo(bytes);
            message = AdoptData(bytes, length, unixFds);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(bytes);
            throw;
        }
        buffer = buffer.Slice(length);
        return true;
    }

    /// <summary>
    /// Makes a message of the first <paramref name="length"/> bytes of <paramref name="buffer"/> without copying them:
    /// the message owns the buffer from now on (it goes back to the pool with the message), unless this throws.
    /// The receive side hands a large message's buffer over so (a 400 KB call is not copied once more).
    /// </summary>
    /// <param name="buffer">A buffer rented from <see cref="ArrayPool{T}.Shared"/> that starts with the whole message.</param>
    /// <param name="length">The message's length, known from its fixed header and at most the buffer's.</param>
    /// <param name="unixFds">As in <see cref="TryReadData"/>.</param>
    /// <exception cref="DBusProtocolException">The header is malformed, or fewer descriptors arrived than announced.</exception>
    internal static MessageData AdoptData(byte[] buffer, int length, Queue<UnixFd>? unixFds)
    {
        var header = ParseHeader(buffer.AsSpan(0, length), requireSerial: true);
        var fds = TakeFds(header.UnixFdCount, unixFds);
        return MessageData.Rent(null, buffer, length, header, fds);
    }

    /// <summary>
    /// Parses exactly one complete message; its bytes are copied into a pooled buffer. A serial of 0 (a message
    /// built by <see cref="MessageWriter"/> and not sent yet) is accepted here, unlike in <see cref="TryRead"/>.
    /// </summary>
    /// <param name="bytes">The whole message, nothing more.</param>
    /// <param name="unixFds">The descriptors that arrived with it. The message owns them from now on, even when
    /// this method throws (then they are closed).</param>
    /// <exception cref="DBusProtocolException">The bytes are malformed, incomplete, followed by extra bytes, or the
    /// number of descriptors does not match the header.</exception>
    public static Message Parse(ReadOnlySpan<byte> bytes, IReadOnlyList<UnixFd>? unixFds = null)
    {
        byte[]? buffer = null;
        try
        {
            if (bytes.Length < FixedHeaderLength)
            {
                ThrowHelper.ThrowProtocol(bytes.Length, $"a message is at least {FixedHeaderLength} bytes; got {bytes.Length}");
            }
            int length = GetLength(bytes, out _, out _);
            if (length != bytes.Length)
            {
                ThrowHelper.ThrowProtocol(Math.Min(length, bytes.Length),
                    $"the header announces a {length}-byte message but {bytes.Length} bytes were given");
            }
            buffer = ArrayPool<byte>.Shared.Rent(length);
            bytes.CopyTo(buffer);
            // Unlike framing off the wire, a message not sent yet (serial 0, as MessageWriter makes it) parses too.
            var header = ParseHeader(buffer.AsSpan(0, length), requireSerial: false);
            int given = unixFds?.Count ?? 0;
            if (given != header.UnixFdCount)
            {
                ThrowHelper.ThrowProtocol(-1, $"the header announces {header.UnixFdCount} descriptor(s) but {given} arrived");
            }
            var fds = given == 0 ? [] : new UnixFd?[given];
            for (int i = 0; i < given; i++)
            {
                fds[i] = unixFds![i];
            }
            return new Message(buffer, length, header, fds);
        }
        catch
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            if (unixFds is not null)
            {
                foreach (var fd in unixFds)
                {
                    fd?.Dispose();
                }
            }
            throw;
        }
    }

    private static UnixFd?[] TakeFds(uint count, Queue<UnixFd>? queue)
    {
        if (count == 0)
        {
            return [];
        }
        int available = queue?.Count ?? 0;
        if (available < count)
        {
            ThrowHelper.ThrowProtocol(-1, $"the header announces {count} descriptor(s) but {available} arrived");
        }
        var fds = new UnixFd?[count];
        for (int i = 0; i < fds.Length; i++)
        {
            fds[i] = queue!.Dequeue();
        }
        return fds;
    }

    /// <summary>Checks the fixed header and returns the total length.</summary>
    private static int GetLength(ReadOnlySpan<byte> h, out int fieldsLength, out int bodyLength)
    {
        bool bigEndian = h[0] switch
        {
            (byte)'l' => false,
            (byte)'B' => true,
            _ => ThrowHelper.ThrowProtocol<bool>(0, $"byte order is 0x{h[0]:x2}; expected 'l' or 'B'"),
        };
        if (h[1] == 0)
        {
            ThrowHelper.ThrowProtocol(1, "message type 0 is invalid");
        }
        if (h[3] != 1)
        {
            ThrowHelper.ThrowProtocol(3, $"protocol version is {h[3]}; only 1 is supported");
        }
        uint body = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(h.Slice(4)) : BinaryPrimitives.ReadUInt32LittleEndian(h.Slice(4));
        uint fields = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(h.Slice(12)) : BinaryPrimitives.ReadUInt32LittleEndian(h.Slice(12));
        long total = FixedHeaderLength + (((long)fields + 7) & ~7L) + body;
        if (total > MaxLength)
        {
            ThrowHelper.ThrowProtocol(body > fields ? 4 : 12, $"the message would be {total} bytes; the limit is {MaxLength}");
        }
        fieldsLength = (int)fields;
        bodyLength = (int)body;
        return (int)total;
    }

    /// <summary>Validates the whole header of a complete message and decodes its fields.</summary>
    internal static MessageHeader ParseHeader(ReadOnlySpan<byte> message, bool requireSerial)
    {
        int length = GetLength(message, out int fieldsLength, out int bodyLength);
        var header = new MessageHeader
        {
            BigEndian = message[0] == (byte)'B',
            Type = (MessageType)message[1],
            Flags = (MessageFlags)message[2],
            BodyLength = bodyLength,
            BodyOffset = length - bodyLength,
        };
        header.Serial = header.BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(message.Slice(8)) : BinaryPrimitives.ReadUInt32LittleEndian(message.Slice(8));
        if (requireSerial && header.Serial == 0)
        {
            ThrowHelper.ThrowProtocol(8, "serial is 0");
        }

        if (fieldsLength > MessageReader.MaxArrayLength)
        {
            ThrowHelper.ThrowProtocol(12, $"header field array length {fieldsLength} exceeds the limit of {MessageReader.MaxArrayLength} bytes");
        }
        int fieldsEnd = FixedHeaderLength + fieldsLength;
        var reader = new MessageReader(message.Slice(0, fieldsEnd), FixedHeaderLength, header.BigEndian, null);
        uint seen = 0;
        while (!reader.IsAtEnd)
        {
            reader.Align(8);
            int fieldOffset = reader.Position;
            byte code = reader.ReadByte();
            if (code == 0)
            {
                ThrowHelper.ThrowProtocol(fieldOffset, "header field code 0 is invalid");
            }
            int signatureOffset = reader.Position;
            var signature = reader.ReadSignatureInfo();
            if (signature.Nodes.Length != 1)
            {
                ThrowHelper.ThrowProtocol(signatureOffset, $"header field {code} has variant signature '{signature.Text}', not one complete type");
            }
            if (code > MessageHeader.FieldUnixFds)
            {
                // Unknown fields must be accepted and ignored (they may come from a newer specification).
                reader.Skip(new Signature(signature));
                continue;
            }
            if ((seen & (1u << code)) != 0)
            {
                ThrowHelper.ThrowProtocol(fieldOffset, $"header field {FieldName(code)} appears twice");
            }
            seen |= 1u << code;
            header.RecordField(code);
            char expected = code switch
            {
                MessageHeader.FieldPath => 'o',
                MessageHeader.FieldReplySerial or MessageHeader.FieldUnixFds => 'u',
                MessageHeader.FieldSignature => 'g',
                _ => 's',
            };
            if (signature.Text.Length != 1 || signature.Text[0] != expected)
            {
                ThrowHelper.ThrowProtocol(signatureOffset, $"header field {FieldName(code)} has type '{signature.Text}'; expected '{expected}'");
            }
            int valueOffset = reader.Position + (-reader.Position & 3);
            switch (code)
            {
                case MessageHeader.FieldPath:
                    header.Path = reader.ReadObjectPath().Value;
                    break;
                case MessageHeader.FieldInterface:
                    header.Interface = ReadName(ref reader, ValidatedNameCache.InterfaceNames, "interface name", valueOffset);
                    break;
                case MessageHeader.FieldMember:
                    header.Member = ReadName(ref reader, ValidatedNameCache.MemberNames, "member name", valueOffset);
                    break;
                case MessageHeader.FieldErrorName:
                    header.ErrorName = ReadName(ref reader, ValidatedNameCache.ErrorNames, "error name", valueOffset);
                    break;
                case MessageHeader.FieldReplySerial:
                    header.ReplySerial = reader.ReadUInt32();
                    if (header.ReplySerial == 0)
                    {
                        ThrowHelper.ThrowProtocol(valueOffset, "REPLY_SERIAL is 0");
                    }
                    break;
                case MessageHeader.FieldDestination:
                    header.Destination = ReadName(ref reader, ValidatedNameCache.BusNames, "destination bus name", valueOffset);
                    break;
                case MessageHeader.FieldSender:
                    header.Sender = ReadName(ref reader, ValidatedNameCache.BusNames, "sender bus name", valueOffset);
                    break;
                case MessageHeader.FieldSignature:
                    header.Signature = reader.ReadSignatureInfo();
                    break;
                case MessageHeader.FieldUnixFds:
                    header.UnixFdCount = reader.ReadUInt32();
                    break;
            }
        }

        // Padding after the fields up to the 8-aligned body must be zero too.
        var padding = message.Slice(fieldsEnd, header.BodyOffset - fieldsEnd);
        int nonZero = padding.IndexOfAnyExcept((byte)0);
        if (nonZero >= 0)
        {
            ThrowHelper.ThrowProtocol(fieldsEnd + nonZero, $"padding byte is 0x{padding[nonZero]:x2}, not zero");
        }

        CheckRequiredFields(in header);
        if (header.Signature is null or { Nodes.Length: 0 } && header.BodyLength != 0)
        {
            ThrowHelper.ThrowProtocol(4, $"the body has {header.BodyLength} bytes but the message has no signature");
        }
        return header;
    }

    private static string ReadName(ref MessageReader reader, ValidatedNameCache cache, string what, int offset)
    {
        var bytes = reader.ReadStringBytes();
        return cache.Get(bytes, out string? error) ?? ThrowHelper.ThrowProtocol<string>(offset, $"invalid {what}: {error}");
    }

    private static void CheckRequiredFields(in MessageHeader header)
    {
        switch (header.Type)
        {
            case MessageType.MethodCall:
                Require(header.Path, "PATH", "a method call");
                Require(header.Member, "MEMBER", "a method call");
                break;
            case MessageType.Signal:
                Require(header.Path, "PATH", "a signal");
                Require(header.Interface, "INTERFACE", "a signal");
                Require(header.Member, "MEMBER", "a signal");
                break;
            case MessageType.Error:
                Require(header.ErrorName, "ERROR_NAME", "an error");
                if (header.ReplySerial == 0)
                {
                    ThrowHelper.ThrowProtocol(12, "an error has no REPLY_SERIAL header field");
                }
                break;
            case MessageType.MethodReturn:
                if (header.ReplySerial == 0)
                {
                    ThrowHelper.ThrowProtocol(12, "a method return has no REPLY_SERIAL header field");
                }
                break;
        }
    }

    private static void Require(string? value, string field, string what)
    {
        if (value is null)
        {
            ThrowHelper.ThrowProtocol(12, $"{what} has no {field} header field");
        }
    }

    internal static string FieldName(byte code) => code switch
    {
        MessageHeader.FieldPath => "PATH",
        MessageHeader.FieldInterface => "INTERFACE",
        MessageHeader.FieldMember => "MEMBER",
        MessageHeader.FieldErrorName => "ERROR_NAME",
        MessageHeader.FieldReplySerial => "REPLY_SERIAL",
        MessageHeader.FieldDestination => "DESTINATION",
        MessageHeader.FieldSender => "SENDER",
        MessageHeader.FieldSignature => "SIGNATURE",
        MessageHeader.FieldUnixFds => "UNIX_FDS",
        _ => code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
