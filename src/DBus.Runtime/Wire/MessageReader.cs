using System.Runtime.CompilerServices;

namespace DBus;

/// <summary>
/// Reads D-Bus values from a message body (or any marshaled data) in either byte order, checking everything:
/// bounds, zero padding, booleans, UTF-8, names, signatures, array lengths and descriptor indexes. Malformed
/// data raises <see cref="DBusProtocolException"/> with the offset from the start of the message.
/// </summary>
/// <remarks>
/// Get one from <see cref="Message.GetBodyReader"/> and read the values in the order of the body's signature.
/// The reader points into the message's pooled buffer: use it before the message is disposed.
/// </remarks>
public ref partial struct MessageReader
{
    /// <summary>The largest array the specification allows, in bytes (64 MiB).</summary>
    public const int MaxArrayLength = 64 * 1024 * 1024;

    // Container nesting allowed at run time, variants included (the specification's total of 64).
    internal const int MaxDepth = 64;

    // The whole message up to the end of the body, so positions (and error offsets) count from the message start
    // and alignment is computed exactly as on the wire.
    private readonly ReadOnlySpan<byte> _data;
    private readonly bool _bigEndian;
    // The message the body belongs to, for its descriptors, and its generation then: a reader kept past the
    // message's disposal cannot take the descriptors of whatever message reuses that state.
    private readonly MessageData? _message;
    private readonly int _generation;
    private int _position;

    internal MessageReader(ReadOnlySpan<byte> data, int position, bool bigEndian, MessageData? message)
    {
        _data = data;
        _position = position;
        _bigEndian = bigEndian;
        _message = message;
        _generation = message?.Generation ?? 0;
    }

    /// <summary>Reads standalone marshaled data that starts 8-aligned (it cannot resolve <c>h</c> values to descriptors).</summary>
    internal MessageReader(ReadOnlySpan<byte> data, DBusByteOrder byteOrder)
        : this(data, 0, byteOrder == DBusByteOrder.BigEndian, null)
    {
    }

    /// <summary>Whether every byte has been read.</summary>
    public readonly bool IsAtEnd => _position >= _data.Length;

    /// <summary>The number of bytes not read yet.</summary>
    public readonly int BytesRemaining => _data.Length - _position;

    /// <summary>The current offset from the start of the message.</summary>
    internal readonly int Position => _position;

    internal readonly bool IsBigEndian => _bigEndian;

    /// <summary>Skips padding up to <paramref name="alignment"/>, which must be zero bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Align(int alignment)
    {
        int padding = -_position & (alignment - 1);
        if (padding != 0)
        {
            AlignSlow(padding);
        }
    }

    private void AlignSlow(int padding)
    {
        if (padding > _data.Length - _position)
        {
            ThrowHelper.ThrowEndOfData(_position, padding, _data.Length - _position);
        }
        for (int i = 0; i < padding; i++)
        {
            if (_data[_position + i] != 0)
            {
                ThrowHelper.ThrowProtocol(_position + i, $"padding byte is 0x{_data[_position + i]:x2}, not zero");
            }
        }
        _position += padding;
    }

    /// <summary>Aligns, then returns the next <paramref name="size"/> bytes and moves past them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int alignment, int size)
    {
        Align(alignment);
        if (size > _data.Length - _position)
        {
            ThrowHelper.ThrowEndOfData(_position, size, _data.Length - _position);
        }
        var span = _data.Slice(_position, size);
        _position += size;
        return span;
    }
}
