using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DBus.Shared;

namespace DBus;

public ref partial struct MessageWriter
{
    /// <summary>An array being written; returned by <see cref="WriteArrayStart"/>, passed to <see cref="WriteArrayEnd"/>.</summary>
    public readonly struct ArrayStart
    {
        internal ArrayStart(int lengthOffset, int start)
        {
            LengthOffset = lengthOffset;
            Start = start;
        }

        internal int LengthOffset { get; }

        internal int Start { get; }
    }

    /// <summary>
    /// Starts an array of <paramref name="elementType"/>: writes a placeholder length and the padding to the
    /// element alignment (present even when the array stays empty). Write the elements (each struct or dict
    /// entry after <see cref="WriteStructStart"/>), then call <see cref="WriteArrayEnd"/>.
    /// </summary>
    public ArrayStart WriteArrayStart(DBusType elementType)
    {
        int alignment = SignatureCodes.Alignment((char)elementType);
        var lengthSpan = Reserve(4, 4);
        int lengthOffset = _position - 4;
        lengthSpan.Clear();
        Align(alignment);
        return new ArrayStart(lengthOffset, _position);
    }

    /// <summary>Patches the length of an array started with <see cref="WriteArrayStart"/>.</summary>
    /// <exception cref="InvalidOperationException">The array exceeds 64 MiB.</exception>
    public void WriteArrayEnd(ArrayStart array)
    {
        int length = _position - array.Start;
        if (length > MessageReader.MaxArrayLength)
        {
            ThrowHelper.ThrowArrayTooLong(length);
        }
        if (length < 0 || array.LengthOffset < Message.FixedHeaderLength)
        {
            ThrowHelper.ThrowInvalidOperation("WriteArrayEnd was given an ArrayStart that does not belong to this writer");
        }
        WriteUInt32At(array.LengthOffset, (uint)length);
    }

    /// <summary>Aligns to 8 bytes, where every struct and dict entry starts.</summary>
    public void WriteStructStart() => Align(8);

    /// <summary>Aligns to 8 bytes, where a dict entry starts (same as <see cref="WriteStructStart"/>).</summary>
    public void WriteDictEntryStart() => Align(8);

    /// <summary>Writes an <c>ay</c> with one memory copy.</summary>
    public void WriteArray(scoped ReadOnlySpan<byte> values) => WriteFixedArray(values, 1);

    /// <summary>Writes an <c>ab</c>.</summary>
    public void WriteArray(scoped ReadOnlySpan<bool> values)
    {
        var array = WriteArrayStart(DBusType.Boolean);
        CheckArraySize(values.Length, 4);
        foreach (bool b in values)
        {
            WriteBoolean(b);
        }
        WriteArrayEnd(array);
    }

    /// <summary>Writes an <c>an</c> (a memory copy when the byte order matches the machine's).</summary>
    public void WriteArray(scoped ReadOnlySpan<short> values) => WriteFixed(values);

    /// <summary>Writes an <c>aq</c> (a memory copy when the byte order matches the machine's).</summary>
    public void WriteArray(scoped ReadOnlySpan<ushort> values) => WriteFixed(values);

    /// <summary>Writes an <c>ai</c> (a memory copy when the byte order matches the machine's).</summary>
    public void WriteArray(scoped ReadOnlySpan<int> values) => WriteFixed(values);

    /// <summary>Writes an <c>au</c> (a memory copy when the byte order matches the machine's).</summary>
    public void WriteArray(scoped ReadOnlySpan<uint> values) => WriteFixed(values);

    /// <summary>Writes an <c>ax</c> (a memory copy when the byte order matches the machine's).</summary>
    public void WriteArray(scoped ReadOnlySpan<long> values) => WriteFixed(values);

    /// <summary>Writes an <c>at</c> (a memory copy when the byte order matches the machine's).</summary>
    public void WriteArray(scoped ReadOnlySpan<ulong> values) => WriteFixed(values);

    /// <summary>Writes an <c>ad</c> (a memory copy when the byte order matches the machine's).</summary>
    public void WriteArray(scoped ReadOnlySpan<double> values) => WriteFixed(values);

    /// <summary>Writes an <c>as</c>.</summary>
    /// <exception cref="ArgumentException">A string contains NUL or a lone surrogate, or is null.</exception>
    public void WriteArray(scoped ReadOnlySpan<string> values)
    {
        var array = WriteArrayStart(DBusType.String);
        foreach (string s in values)
        {
            WriteString(s ?? ThrowHelper.ThrowArgument<string>(nameof(values), "an array of strings must not contain null"));
        }
        WriteArrayEnd(array);
    }

    /// <summary>Writes an <c>ao</c>.</summary>
    public void WriteArray(scoped ReadOnlySpan<ObjectPath> values)
    {
        var array = WriteArrayStart(DBusType.ObjectPath);
        foreach (var path in values)
        {
            WriteObjectPath(path);
        }
        WriteArrayEnd(array);
    }

    /// <summary>Writes an <c>a{sv}</c>, the usual shape of properties and options.</summary>
    public void WriteDictionary(IEnumerable<KeyValuePair<string, Variant>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var array = WriteArrayStart(DBusType.DictEntry);
        foreach (var (key, value) in entries)
        {
            WriteDictEntryStart();
            WriteString(key);
            WriteVariant(value);
        }
        WriteArrayEnd(array);
    }

    private void WriteFixed<T>(scoped ReadOnlySpan<T> values) where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        if (_bigEndian != BitConverter.IsLittleEndian)
        {
            WriteFixedArray(MemoryMarshal.AsBytes(values), size);
            return;
        }
        CheckArraySize(values.Length, size);
        var array = WriteArrayStart(size == 8 ? DBusType.UInt64 : size == 4 ? DBusType.UInt32 : DBusType.UInt16);
        var target = Reserve(1, values.Length * size);
        MemoryMarshal.AsBytes(values).CopyTo(target);
        switch (size)
        {
            case 2:
                var s = MemoryMarshal.Cast<byte, ushort>(target);
                BinaryPrimitives.ReverseEndianness(s, s);
                break;
            case 4:
                var i = MemoryMarshal.Cast<byte, uint>(target);
                BinaryPrimitives.ReverseEndianness(i, i);
                break;
            default:
                var l = MemoryMarshal.Cast<byte, ulong>(target);
                BinaryPrimitives.ReverseEndianness(l, l);
                break;
        }
        WriteArrayEnd(array);
    }

    private void WriteFixedArray(scoped ReadOnlySpan<byte> bytes, int elementSize)
    {
        CheckArraySize(bytes.Length / elementSize, elementSize);
        WriteUInt32((uint)bytes.Length);
        Align(elementSize);
        bytes.CopyTo(Reserve(1, bytes.Length));
    }

    private static void CheckArraySize(int count, int elementSize)
    {
        long length = (long)count * elementSize;
        if (length > MessageReader.MaxArrayLength)
        {
            ThrowHelper.ThrowArrayTooLong(length);
        }
    }
}
