using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DBus.Shared;

namespace DBus;

public ref partial struct MessageReader
{
    /// <summary>Where an array being read ends; returned by <see cref="ReadArrayStart"/>, passed to <see cref="HasNext"/>.</summary>
    public readonly struct ArrayEnd
    {
        internal ArrayEnd(int end, int alignment)
        {
            End = end;
            Alignment = alignment;
        }

        internal int End { get; }

        internal int Alignment { get; }
    }

    /// <summary>
    /// Reads an array's length and the padding before its first element. Then loop
    /// <c>while (reader.HasNext(end)) { read one element }</c>.
    /// </summary>
    /// <exception cref="DBusProtocolException">The length exceeds 64 MiB or the bytes left.</exception>
    public ArrayEnd ReadArrayStart(DBusType elementType)
    {
        int alignment = SignatureCodes.Alignment((char)elementType);
        int length = ReadArrayLength(alignment);
        return new ArrayEnd(_position + length, alignment);
    }

    /// <summary>Whether another element follows in the array; moves past the padding before it.</summary>
    /// <exception cref="DBusProtocolException">The previous element ran past the array's end.</exception>
    public bool HasNext(ArrayEnd end)
    {
        if (_position == end.End)
        {
            return false;
        }
        if (_position > end.End)
        {
            ThrowHelper.ThrowProtocol(end.End, $"an array element runs {_position - end.End} bytes past the array's end");
        }
        Align(end.Alignment);
        if (_position >= end.End)
        {
            ThrowHelper.ThrowProtocol(end.End, "array length does not end on an element");
        }
        return true;
    }

    /// <summary>Moves to the 8-byte boundary where a struct or dict entry starts.</summary>
    public void AlignStruct() => Align(8);

    /// <summary>Reads an <c>ay</c> into a new array.</summary>
    public byte[] ReadArrayOfByte()
    {
        var raw = ReadFixedArray(1);
        // Every byte is overwritten at once: skip zeroing what may be a large array.
        var result = GC.AllocateUninitializedArray<byte>(raw.Length);
        raw.CopyTo(result);
        return result;
    }

    /// <summary>Reads an <c>ay</c> as a span over the message buffer, without copying.</summary>
    public ReadOnlySpan<byte> ReadArrayOfByteAsSpan() => ReadFixedArray(1);

    /// <summary>Reads an <c>ab</c>; every element must be 0 or 1.</summary>
    public bool[] ReadArrayOfBoolean()
    {
        int start = AlignedOffset(4) + 4;
        var raw = ReadFixedArray(4);
        var result = new bool[raw.Length / 4];
        for (int i = 0; i < result.Length; i++)
        {
            uint v = _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(raw.Slice(i * 4)) : BinaryPrimitives.ReadUInt32LittleEndian(raw.Slice(i * 4));
            if (v > 1)
            {
                ThrowHelper.ThrowProtocol(start + i * 4, $"boolean is {v}; only 0 and 1 are allowed");
            }
            result[i] = v == 1;
        }
        return result;
    }

    /// <summary>Reads an <c>an</c> with one copy.</summary>
    public short[] ReadArrayOfInt16() => ReadFixed<short>();

    /// <summary>Reads an <c>aq</c> with one copy.</summary>
    public ushort[] ReadArrayOfUInt16() => ReadFixed<ushort>();

    /// <summary>Reads an <c>ai</c> with one copy.</summary>
    public int[] ReadArrayOfInt32() => ReadFixed<int>();

    /// <summary>Reads an <c>au</c> with one copy.</summary>
    public uint[] ReadArrayOfUInt32() => ReadFixed<uint>();

    /// <summary>Reads an <c>ax</c> with one copy.</summary>
    public long[] ReadArrayOfInt64() => ReadFixed<long>();

    /// <summary>Reads an <c>at</c> with one copy.</summary>
    public ulong[] ReadArrayOfUInt64() => ReadFixed<ulong>();

    /// <summary>Reads an <c>ad</c> with one copy.</summary>
    public double[] ReadArrayOfDouble() => ReadFixed<double>();

    /// <summary>
    /// Reads an array of a fixed-size integer or double type as a span over the message buffer, without copying,
    /// when the message's byte order is the machine's; returns false (and reads nothing) otherwise.
    /// </summary>
    public bool TryReadArrayAsSpan<T>(out ReadOnlySpan<T> values) where T : unmanaged
    {
        if (_bigEndian == BitConverter.IsLittleEndian && Unsafe.SizeOf<T>() > 1)
        {
            values = default;
            return false;
        }
        values = MemoryMarshal.Cast<byte, T>(ReadFixedArray(Unsafe.SizeOf<T>()));
        return true;
    }

    /// <summary>Reads an <c>as</c>.</summary>
    public string[] ReadArrayOfString()
    {
        var end = ReadArrayStart(DBusType.String);
        var result = new string[CountStringLikeElements(end)];
        for (int i = 0; i < result.Length; i++)
        {
            HasNext(end);
            result[i] = ReadString();
        }
        ExpectArrayEnd(end);
        return result;
    }

    /// <summary>Reads an <c>ao</c>.</summary>
    public ObjectPath[] ReadArrayOfObjectPath()
    {
        var end = ReadArrayStart(DBusType.ObjectPath);
        var result = new ObjectPath[CountStringLikeElements(end)];
        for (int i = 0; i < result.Length; i++)
        {
            HasNext(end);
            result[i] = ReadObjectPath();
        }
        ExpectArrayEnd(end);
        return result;
    }

    // Counts the elements of an array of s or o by hopping over their length prefixes on a copy of this
    // reader, so the result is allocated once at its exact size. The real pass validates each string.
    private readonly int CountStringLikeElements(ArrayEnd end)
    {
        var probe = this;
        int count = 0;
        while (probe.HasNext(end))
        {
            uint length = probe.ReadUInt32();
            if (length >= (uint)(end.End - probe._position))
            {
                ThrowHelper.ThrowProtocol(probe._position - 4, $"string length {length} runs past the array's end");
            }
            probe._position += (int)length + 1;
            count++;
        }
        return count;
    }

    private void ExpectArrayEnd(ArrayEnd end)
    {
        if (HasNext(end))
        {
            ThrowHelper.ThrowProtocol(_position, "array holds more elements than were counted");
        }
    }

    private T[] ReadFixed<T>() where T : unmanaged
    {
        var raw = ReadFixedArray(Unsafe.SizeOf<T>());
        var result = GC.AllocateUninitializedArray<T>(raw.Length / Unsafe.SizeOf<T>());
        raw.CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
        if (_bigEndian == BitConverter.IsLittleEndian)
        {
            ReverseEndianness(result);
        }
        return result;
    }

    private static void ReverseEndianness<T>(Span<T> values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        switch (Unsafe.SizeOf<T>())
        {
            case 2:
                var s = MemoryMarshal.Cast<byte, ushort>(bytes);
                BinaryPrimitives.ReverseEndianness(s, s);
                break;
            case 4:
                var i = MemoryMarshal.Cast<byte, uint>(bytes);
                BinaryPrimitives.ReverseEndianness(i, i);
                break;
            case 8:
                var l = MemoryMarshal.Cast<byte, ulong>(bytes);
                BinaryPrimitives.ReverseEndianness(l, l);
                break;
        }
    }

    /// <summary>Reads an array of fixed-size elements as its raw bytes, checking the length is a whole number of elements.</summary>
    private ReadOnlySpan<byte> ReadFixedArray(int elementSize)
    {
        int lengthOffset = AlignedOffset(4);
        int length = ReadArrayLength(elementSize);
        if (length % elementSize != 0)
        {
            ThrowHelper.ThrowProtocol(lengthOffset, $"array length {length} is not a multiple of the element size {elementSize}");
        }
        var span = _data.Slice(_position, length);
        _position += length;
        return span;
    }

    /// <summary>Reads an array length and the element padding; checks the length against the limit and what is left.</summary>
    private int ReadArrayLength(int alignment)
    {
        int offset = AlignedOffset(4);
        uint length = ReadUInt32();
        if (length > MaxArrayLength)
        {
            ThrowHelper.ThrowProtocol(offset, $"array length {length} exceeds the limit of {MaxArrayLength} bytes");
        }
        Align(alignment);
        if (length > (uint)(_data.Length - _position))
        {
            ThrowHelper.ThrowProtocol(offset, $"array length {length} exceeds the {_data.Length - _position} bytes left");
        }
        return (int)length;
    }
}
