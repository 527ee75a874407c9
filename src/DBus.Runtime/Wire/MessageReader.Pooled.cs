using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DBus;

public ref partial struct MessageReader
{
    /// <summary>
    /// Reads an array of a fixed-size type (<c>ay</c>, <c>an</c>, <c>aq</c>, <c>ai</c>, <c>au</c>, <c>ax</c>, <c>at</c>,
    /// <c>ad</c>) into memory rented from the shared array pool, in the machine's byte order. Dispose the result to
    /// give the memory back.
    /// </summary>
    /// <typeparam name="T"><see cref="byte"/>, <see cref="short"/>, <see cref="ushort"/>, <see cref="int"/>,
    /// <see cref="uint"/>, <see cref="long"/>, <see cref="ulong"/> or <see cref="double"/>.</typeparam>
    /// <returns>The elements; the caller owns them.</returns>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not one of the types above (a
    /// <see cref="bool"/> is 4 bytes on the wire, not 1).</exception>
    /// <exception cref="DBusProtocolException">The array is malformed.</exception>
    public PooledArray<T> ReadPooledArray<T>() where T : unmanaged
    {
        // Constant per instantiation: the JIT and the AOT compiler fold the check away.
        if (typeof(T) != typeof(byte) && typeof(T) != typeof(short) && typeof(T) != typeof(ushort)
            && typeof(T) != typeof(int) && typeof(T) != typeof(uint) && typeof(T) != typeof(long)
            && typeof(T) != typeof(ulong) && typeof(T) != typeof(double))
        {
            ThrowHelper.ThrowNotSupported($"ReadPooledArray<{typeof(T).Name}>: only byte, short, ushort, int, uint, long, ulong and double are read as pooled arrays");
        }
        var raw = ReadFixedArray(Unsafe.SizeOf<T>());
        var result = PooledArray<T>.Rent(raw.Length / Unsafe.SizeOf<T>());
        var span = result.Span;
        raw.CopyTo(MemoryMarshal.AsBytes(span));
        if (_bigEndian == BitConverter.IsLittleEndian)
        {
            ReverseEndianness(span);
        }
        return result;
    }
}
