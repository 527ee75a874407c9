namespace DBus;

/// <summary>The byte order of a message; each value is the header's first byte.</summary>
public enum DBusByteOrder : byte
{
    /// <summary><c>l</c>: little-endian, what this library writes unless asked otherwise.</summary>
    LittleEndian = (byte)'l',
    /// <summary><c>B</c>: big-endian.</summary>
    BigEndian = (byte)'B',
}
