using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace DBus;

public ref partial struct MessageWriter
{
    /// <summary>Writes a byte (<c>y</c>).</summary>
    public void WriteByte(byte value) => Reserve(1, 1)[0] = value;

    /// <summary>Writes a boolean (<c>b</c>) as 0 or 1.</summary>
    public void WriteBoolean(bool value) => WriteUInt32(value ? 1u : 0u);

    /// <summary>Writes a signed 16-bit integer (<c>n</c>).</summary>
    public void WriteInt16(short value) => WriteUInt16(unchecked((ushort)value));

    /// <summary>Writes an unsigned 16-bit integer (<c>q</c>).</summary>
    public void WriteUInt16(ushort value)
    {
        var span = Reserve(2, 2);
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span, value);
        }
    }

    /// <summary>Writes a signed 32-bit integer (<c>i</c>).</summary>
    public void WriteInt32(int value) => WriteUInt32(unchecked((uint)value));

    /// <summary>Writes an unsigned 32-bit integer (<c>u</c>).</summary>
    public void WriteUInt32(uint value)
    {
        var span = Reserve(4, 4);
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span, value);
        }
    }

    /// <summary>Writes a signed 64-bit integer (<c>x</c>).</summary>
    public void WriteInt64(long value) => WriteUInt64(unchecked((ulong)value));

    /// <summary>Writes an unsigned 64-bit integer (<c>t</c>).</summary>
    public void WriteUInt64(ulong value)
    {
        var span = Reserve(8, 8);
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt64BigEndian(span, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span, value);
        }
    }

    /// <summary>Writes a double (<c>d</c>).</summary>
    public void WriteDouble(double value) => WriteUInt64(BitConverter.DoubleToUInt64Bits(value));

    /// <summary>Writes a string (<c>s</c>).</summary>
    /// <exception cref="ArgumentException">The string contains NUL or a lone surrogate.</exception>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteString(value.AsSpan());
    }

    /// <summary>Writes a string (<c>s</c>) from UTF-16 characters.</summary>
    /// <exception cref="ArgumentException">The characters contain NUL or a lone surrogate.</exception>
    public void WriteString(scoped ReadOnlySpan<char> value)
    {
        int nul = value.IndexOf('\0');
        if (nul >= 0)
        {
            ThrowHelper.ThrowArgument(nameof(value), $"a D-Bus string must not contain NUL (found at character {nul})");
        }
        WriteStringCore(value);
    }

    /// <summary>Writes a string (<c>s</c>) already encoded as UTF-8.</summary>
    /// <exception cref="ArgumentException">The bytes are not valid UTF-8 or contain NUL.</exception>
    public void WriteStringUtf8(scoped ReadOnlySpan<byte> value)
    {
        int nul = value.IndexOf((byte)0);
        if (nul >= 0)
        {
            ThrowHelper.ThrowArgument(nameof(value), $"a D-Bus string must not contain NUL (found at byte {nul})");
        }
        if (!Utf8.IsValid(value))
        {
            ThrowHelper.ThrowArgument(nameof(value), "the bytes are not valid UTF-8");
        }
        WriteUInt32((uint)value.Length);
        var span = Reserve(1, value.Length + 1);
        value.CopyTo(span);
        span[^1] = 0;
    }

    /// <summary>Writes an object path (<c>o</c>); the type guarantees it is valid.</summary>
    public void WriteObjectPath(ObjectPath value) => WriteStringCore(value.Value);

    /// <summary>Writes a signature (<c>g</c>); the type guarantees it is valid.</summary>
    public void WriteSignature(Signature value) => WriteSignatureCore(value.Info);

    /// <summary>
    /// Writes a Unix file descriptor (<c>h</c>): the message records a duplicate of it, so the caller keeps its own
    /// and the duplicate is closed with the message.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The descriptor was closed.</exception>
    public void WriteUnixFd(UnixFd value)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteUnixFd(value.DangerousGetDescriptor());
    }

    /// <summary>Writes a Unix file descriptor (<c>h</c>) held by a <see cref="SafeHandle"/>; the message records a duplicate.</summary>
    public void WriteUnixFd(SafeHandle value)
    {
        ArgumentNullException.ThrowIfNull(value);
        AddUnixFd(UnixFd.Duplicate(value));
    }

    /// <summary>Writes a raw Unix file descriptor (<c>h</c>) the caller keeps; the message records a duplicate.</summary>
    public void WriteUnixFd(int descriptor) => AddUnixFd(UnixFd.Duplicate(descriptor));

    private void AddUnixFd(UnixFd duplicate)
    {
        _unixFds ??= [];
        _unixFds.Add(duplicate);
        WriteUInt32((uint)(_unixFds.Count - 1));
    }

    /// <summary>Writes UTF-16 known to hold no NUL; a lone surrogate is rejected.</summary>
    private void WriteStringCore(scoped ReadOnlySpan<char> value)
    {
        Align(4);
        // Worst case 3 bytes per UTF-16 unit, plus the length and the NUL.
        long worst = 4L + value.Length * 3L + 1;
        if (worst > int.MaxValue)
        {
            ThrowHelper.ThrowMessageTooLong(worst);
        }
        EnsureCapacity((int)worst);
        var target = _buffer.AsSpan(_position + 4);
        var status = Utf8.FromUtf16(value, target, out _, out int written, replaceInvalidSequences: false);
        if (status != System.Buffers.OperationStatus.Done)
        {
            ThrowHelper.ThrowArgument(nameof(value), "the string holds a lone surrogate and has no UTF-8 form");
        }
        WriteUInt32At(_position, (uint)written);
        target[written] = 0;
        _position += 4 + written + 1;
    }

    private void WriteSignatureCore(SignatureInfo signature)
    {
        var utf8 = signature.Utf8;
        var span = Reserve(1, utf8.Length + 2);
        span[0] = (byte)utf8.Length;
        utf8.CopyTo(span.Slice(1));
        span[^1] = 0;
    }
}
