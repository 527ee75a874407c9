namespace DBus;

/// <summary>The D-Bus type codes; each value is the code's ASCII character.</summary>
public enum DBusType : byte
{
    /// <summary>Not a type (the value of a default <see cref="Variant"/>).</summary>
    Invalid = 0,
    /// <summary><c>y</c>: an unsigned 8-bit integer.</summary>
    Byte = (byte)'y',
    /// <summary><c>b</c>: a boolean, 0 or 1 in 4 bytes.</summary>
    Boolean = (byte)'b',
    /// <summary><c>n</c>: a signed 16-bit integer.</summary>
    Int16 = (byte)'n',
    /// <summary><c>q</c>: an unsigned 16-bit integer.</summary>
    UInt16 = (byte)'q',
    /// <summary><c>i</c>: a signed 32-bit integer.</summary>
    Int32 = (byte)'i',
    /// <summary><c>u</c>: an unsigned 32-bit integer.</summary>
    UInt32 = (byte)'u',
    /// <summary><c>x</c>: a signed 64-bit integer.</summary>
    Int64 = (byte)'x',
    /// <summary><c>t</c>: an unsigned 64-bit integer.</summary>
    UInt64 = (byte)'t',
    /// <summary><c>d</c>: an IEEE 754 double.</summary>
    Double = (byte)'d',
    /// <summary><c>s</c>: a UTF-8 string without NUL.</summary>
    String = (byte)'s',
    /// <summary><c>o</c>: an object path.</summary>
    ObjectPath = (byte)'o',
    /// <summary><c>g</c>: a type signature.</summary>
    Signature = (byte)'g',
    /// <summary><c>h</c>: a Unix file descriptor (an index into the descriptors sent with the message).</summary>
    UnixFd = (byte)'h',
    /// <summary><c>v</c>: a variant, a value with its own signature.</summary>
    Variant = (byte)'v',
    /// <summary><c>a</c>: an array (a dictionary is an array of dict entries).</summary>
    Array = (byte)'a',
    /// <summary><c>(</c>: a struct.</summary>
    Struct = (byte)'(',
    /// <summary><c>{</c>: a dict entry, only as the element of an array.</summary>
    DictEntry = (byte)'{',
}
