using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace DBus;

/// <summary>
/// Builds one D-Bus message in a pooled buffer: create it with a factory (<see cref="CreateMethodCall"/>,
/// <see cref="CreateMethodReturn"/>, <see cref="CreateError"/>, <see cref="CreateSignal"/>),
/// write the body values in the order of the signature given to the factory, then call <see cref="ToMessage"/>.
/// </summary>
/// <remarks>
/// Everything a caller asks to write is validated (names, paths, signatures, strings without NUL, array sizes)
/// with an <see cref="ArgumentException"/> or <see cref="InvalidOperationException"/> that names the problem.
/// Dispose a writer that is abandoned before <see cref="ToMessage"/> to return its buffer and close the
/// descriptors it duplicated.
/// </remarks>
public ref partial struct MessageWriter
{
    private const int InitialCapacity = 256;

    private byte[]? _buffer;
    private int _position;
    private readonly bool _bigEndian;
    private MessageHeader _header;
    private List<UnixFd>? _unixFds;
    private int _unixFdsValueOffset;
    // The count a caller-given header announced (MessageHeaderFields.UnixFdCount), checked by ToMessage; -1: none.
    private int _declaredUnixFdCount;

    private MessageWriter(bool bigEndian, int capacity)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(capacity);
        _bigEndian = bigEndian;
        _position = 0;
        _unixFdsValueOffset = -1;
        _declaredUnixFdCount = -1;
    }

    /// <summary>The number of bytes written so far, header included.</summary>
    public readonly int Length => _position;

    private readonly byte[] Buffer => _buffer ?? ThrowHelper.ThrowInvalidOperation<byte[]>(
        "this MessageWriter was already turned into a message or disposed (or is a default instance)");

    /// <summary>
    /// Finishes the message: patches the body length (and the descriptor count) and returns the message, which
    /// now owns the buffer. The writer cannot be used afterwards.
    /// </summary>
    /// <exception cref="InvalidOperationException">The message would exceed 128 MiB, or the body wrote another number
    /// of descriptors than <see cref="MessageHeaderFields.UnixFdCount"/> announced.</exception>
    public Message ToMessage()
    {
        var buffer = Buffer;
        int fdCount = _unixFds?.Count ?? 0;
        if (_declaredUnixFdCount >= 0 && _declaredUnixFdCount != fdCount)
        {
            ThrowHelper.ThrowInvalidOperation($"the header announces {_declaredUnixFdCount} descriptor(s) but the body wrote {fdCount}");
        }
        if (fdCount > 0 && _unixFdsValueOffset < 0)
        {
            InsertUnixFdsField();
            buffer = _buffer!;
        }
        if (_unixFdsValueOffset >= 0)
        {
            WriteUInt32At(_unixFdsValueOffset, (uint)fdCount);
        }
        _header.UnixFdCount = (uint)fdCount;
        if (_position > Message.MaxLength)
        {
            ThrowHelper.ThrowMessageTooLong(_position);
        }
        _header.BodyLength = _position - _header.BodyOffset;
        WriteUInt32At(4, (uint)_header.BodyLength);

        var fds = fdCount == 0 ? [] : new UnixFd?[fdCount];
        _unixFds?.CopyTo(fds!);
        var message = new Message(buffer, _position, _header, fds);
        _buffer = null;
        _unixFds = null;
        return message;
    }

    /// <summary>
    /// True when the bytes from <paramref name="start"/> to the end are exactly one well-formed value of the single
    /// complete type <paramref name="type"/>: one pass over them, no allocation. Lets code that hands the writer to a
    /// callback check what it wrote before the message goes out.
    /// </summary>
    internal readonly bool IsValueOf(int start, Signature type)
    {
        var reader = new MessageReader(Buffer.AsSpan(0, _position), start, _bigEndian, null);
        try
        {
            reader.Skip(type);
        }
        catch (DBusProtocolException)
        {
            return false;
        }
        return reader.IsAtEnd;
    }

    /// <summary>Returns the buffer and closes duplicated descriptors if <see cref="ToMessage"/> was not called.</summary>
    public void Dispose()
    {
        if (_buffer is not null)
        {
            MessageBuffers.Return(_buffer);
            _buffer = null;
        }
        if (_unixFds is not null)
        {
            foreach (var fd in _unixFds)
            {
                fd.Dispose();
            }
            _unixFds = null;
        }
    }

    /// <summary>
    /// Descriptors are known only once the body is written, so the UNIX_FDS field (8 bytes: code, signature "u",
    /// the count) goes at the end of the header fields and the body moves 8 bytes on, keeping its alignment.
    /// </summary>
    private void InsertUnixFdsField()
    {
        int bodyOffset = _header.BodyOffset;
        int bodyLength = _position - bodyOffset;
        EnsureCapacity(8);
        var buffer = _buffer!;
        Array.Copy(buffer, bodyOffset, buffer, bodyOffset + 8, bodyLength);
        buffer[bodyOffset] = MessageHeader.FieldUnixFds;
        buffer[bodyOffset + 1] = 1;
        buffer[bodyOffset + 2] = (byte)'u';
        buffer[bodyOffset + 3] = 0;
        _unixFdsValueOffset = bodyOffset + 4;
        WriteUInt32At(12, (uint)(bodyOffset + 8 - Message.FixedHeaderLength));
        _header.BodyOffset = bodyOffset + 8;
        _header.RecordField(MessageHeader.FieldUnixFds);
        _position += 8;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Align(int alignment)
    {
        int padding = -_position & (alignment - 1);
        if (padding != 0)
        {
            EnsureCapacity(padding);
            _buffer.AsSpan(_position, padding).Clear();
            _position += padding;
        }
    }

    /// <summary>Aligns, makes room for <paramref name="size"/> bytes and returns them; the position moves past them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Reserve(int alignment, int size)
    {
        Align(alignment);
        EnsureCapacity(size);
        var span = _buffer.AsSpan(_position, size);
        _position += size;
        return span;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnsureCapacity(int size)
    {
        var buffer = Buffer;
        if ((uint)size > (uint)(buffer.Length - _position))
        {
            Grow(size);
        }
    }

    private void Grow(int size)
    {
        long needed = (long)_position + size;
        if (needed > Message.MaxLength + 64L)
        {
            ThrowHelper.ThrowMessageTooLong(needed);
        }
        long newSize = Math.Max(needed, (long)_buffer!.Length * 2);
        newSize = Math.Min(newSize, Math.Max(needed, Array.MaxLength));
        var bigger = ArrayPool<byte>.Shared.Rent((int)newSize);
        _buffer.AsSpan(0, _position).CopyTo(bigger);
        MessageBuffers.Return(_buffer);
        _buffer = bigger;
    }

    private readonly void WriteUInt32At(int offset, uint value)
    {
        var span = _buffer.AsSpan(offset, 4);
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span, value);
        }
    }
}
