using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace DBus;

public ref partial struct MessageReader
{
    /// <summary>Reads a byte (<c>y</c>).</summary>
    public byte ReadByte() => Take(1, 1)[0];

    /// <summary>Reads a boolean (<c>b</c>), which must be 0 or 1.</summary>
    public bool ReadBoolean()
    {
        int offset = AlignedOffset(4);
        uint value = ReadUInt32();
        if (value > 1)
        {
            ThrowHelper.ThrowProtocol(offset, $"boolean is {value}; only 0 and 1 are allowed");
        }
        return value == 1;
    }

    /// <summary>Reads a signed 16-bit integer (<c>n</c>).</summary>
    public short ReadInt16()
    {
        var s = Take(2, 2);
        return _bigEndian ? BinaryPrimitives.ReadInt16BigEndian(s) : BinaryPrimitives.ReadInt16LittleEndian(s);
    }

    /// <summary>Reads an unsigned 16-bit integer (<c>q</c>).</summary>
    public ushort ReadUInt16()
    {
        var s = Take(2, 2);
        return _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);
    }

    /// <summary>Reads a signed 32-bit integer (<c>i</c>).</summary>
    public int ReadInt32()
    {
        var s = Take(4, 4);
        return _bigEndian ? BinaryPrimitives.ReadInt32BigEndian(s) : BinaryPrimitives.ReadInt32LittleEndian(s);
    }

    /// <summary>Reads an unsigned 32-bit integer (<c>u</c>).</summary>
    public uint ReadUInt32()
    {
        var s = Take(4, 4);
        return _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);
    }

    /// <summary>Reads a signed 64-bit integer (<c>x</c>).</summary>
    public long ReadInt64()
    {
        var s = Take(8, 8);
        return _bigEndian ? BinaryPrimitives.ReadInt64BigEndian(s) : BinaryPrimitives.ReadInt64LittleEndian(s);
    }

    /// <summary>Reads an unsigned 64-bit integer (<c>t</c>).</summary>
    public ulong ReadUInt64()
    {
        var s = Take(8, 8);
        return _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s);
    }

    /// <summary>Reads a double (<c>d</c>).</summary>
    public double ReadDouble()
    {
        var s = Take(8, 8);
        return _bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(s) : BinaryPrimitives.ReadDoubleLittleEndian(s);
    }

    /// <summary>Reads a string (<c>s</c>): valid UTF-8, no NUL inside, NUL-terminated.</summary>
    public string ReadString() => Encoding.UTF8.GetString(ReadStringBytes());

    /// <summary>Reads a string (<c>s</c>) as its UTF-8 bytes, validated, without allocating.</summary>
    public ReadOnlySpan<byte> ReadStringUtf8() => ReadStringBytes();

    /// <summary>Reads an object path (<c>o</c>) and validates it.</summary>
    public ObjectPath ReadObjectPath()
    {
        int offset = AlignedOffset(4);
        var bytes = ReadStringBytes();
        string? path = ValidatedNameCache.ObjectPaths.Get(bytes, out string? error);
        return path is null
            ? ThrowHelper.ThrowProtocol<ObjectPath>(offset, "invalid object path: " + error)
            : ObjectPath.FromValidated(path);
    }

    /// <summary>Reads a signature (<c>g</c>) and validates it.</summary>
    public Signature ReadSignature() => new(ReadSignatureInfo());

    /// <summary>Reads a Unix file descriptor (<c>h</c>): ownership of the descriptor moves to the caller.</summary>
    /// <exception cref="DBusProtocolException">The index is not below the message's descriptor count.</exception>
    /// <exception cref="InvalidOperationException">The descriptor at that index was already taken.</exception>
    public UnixFd ReadUnixFd()
    {
        int offset = AlignedOffset(4);
        int index = ReadUnixFdIndex();
        if (_message is null)
        {
            ThrowHelper.ThrowInvalidOperation("this reader has no message, so descriptor indexes cannot be resolved");
        }
        _message.EnsureGeneration(_generation);
        return _message.TakeUnixFd(index, offset);
    }

    /// <summary>Reads the index of a Unix file descriptor (<c>h</c>), checked against the message's descriptor count, without taking the descriptor.</summary>
    public int ReadUnixFdIndex()
    {
        int offset = AlignedOffset(4);
        uint index = ReadUInt32();
        _message?.EnsureGeneration(_generation);
        int count = _message?.UnixFds.Length ?? int.MaxValue;
        if (index >= (uint)count)
        {
            ThrowHelper.ThrowProtocol(offset, $"descriptor index {index} but the message carries {count} descriptor(s)");
        }
        return (int)index;
    }

    internal SignatureInfo ReadSignatureInfo()
    {
        int offset = _position;
        int length = Take(1, 1)[0];
        if (length + 1 > _data.Length - _position)
        {
            ThrowHelper.ThrowProtocol(offset, $"signature length {length} exceeds the {_data.Length - _position} bytes left");
        }
        var bytes = _data.Slice(_position, length);
        if (_data[_position + length] != 0)
        {
            ThrowHelper.ThrowProtocol(_position + length, "signature is not NUL-terminated");
        }
        var info = SignatureInfo.TryGet(bytes, out var error);
        if (info is null)
        {
            ThrowHelper.ThrowProtocol(offset + 1 + (error?.Position ?? 0), "invalid signature: " + error?.Reason);
        }
        _position += length + 1;
        return info;
    }

    /// <summary>Reads the bytes of a string, checking the terminator, inner NULs and UTF-8.</summary>
    internal ReadOnlySpan<byte> ReadStringBytes()
    {
        int offset = AlignedOffset(4);
        uint length = ReadUInt32();
        int left = _data.Length - _position;
        if (length >= (uint)left)
        {
            ThrowHelper.ThrowProtocol(offset, $"string length {length} exceeds the {Math.Max(left - 1, 0)} bytes left");
        }
        var bytes = _data.Slice(_position, (int)length);
        if (_data[_position + (int)length] != 0)
        {
            ThrowHelper.ThrowProtocol(_position + (int)length, "string is not NUL-terminated");
        }
        int nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
        {
            ThrowHelper.ThrowProtocol(_position + nul, "string contains a NUL byte");
        }
        if (!Utf8.IsValid(bytes))
        {
            ThrowHelper.ThrowProtocol(_position, "string is not valid UTF-8");
        }
        _position += (int)length + 1;
        return bytes;
    }

    /// <summary>Where a value of the given alignment starts, for error offsets (bounds are checked by the read itself).</summary>
    private readonly int AlignedOffset(int alignment) => _position + (-_position & (alignment - 1));
}
