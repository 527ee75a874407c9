namespace DBus;

// The value of a variant as a plain .NET object, for untyped code (dbus-python returns such values).
public readonly partial struct Variant
{
    /// <summary>
    /// The value as a plain .NET object: <c>y b n q i u x t d s o g h</c> as <see cref="byte"/>, <see cref="bool"/>,
    /// <see cref="short"/>, <see cref="ushort"/>, <see cref="int"/>, <see cref="uint"/>, <see cref="long"/>,
    /// <see cref="ulong"/>, <see cref="double"/>, <see cref="string"/>, <see cref="ObjectPath"/>,
    /// <see cref="DBus.Signature"/>, <see cref="UnixFd"/>; <c>v</c> as the plain value inside; an array of a basic
    /// type as a typed array (<c>ay</c> → <c>byte[]</c>, <c>as</c> → <c>string[]</c>, <c>ai</c> → <c>int[]</c>, …),
    /// other arrays as <c>object?[]</c>; <c>a{s…}</c> as <c>Dictionary&lt;string, object?&gt;</c>, other
    /// dictionaries as <c>Dictionary&lt;object, object?&gt;</c>; a struct as a <see cref="ValueTuple"/> of objects
    /// (from 8 to 14 fields nested in its last field, as C# tuples are; more fields as <c>object[]</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The variant is empty (default).</exception>
    public object ToObject()
    {
        if (IsEmpty)
        {
            ThrowHelper.ThrowInvalidOperation("an empty (default) variant holds no value");
        }
        string text = SignatureInfo.Text;
        switch (text[0])
        {
            case 'y': return GetByte();
            case 'b': return GetBoolean();
            case 'n': return GetInt16();
            case 'q': return GetUInt16();
            case 'i': return GetInt32();
            case 'u': return GetUInt32();
            case 'x': return GetInt64();
            case 't': return GetUInt64();
            case 'd': return GetDouble();
            case 's': return GetString();
            case 'o': return GetObjectPath();
            case 'g': return GetSignature();
            case 'h': return GetUnixFd();
            case 'v': return GetVariant().ToObject();
            case '(': return ToTuple();
        }
        if (text[1] == '{')
        {
            return text[2] == 's' ? ToDictionaryOf<string>() : ToDictionaryOf<object>();
        }
        return text[1] switch
        {
            'y' => GetByteArray(),
            'b' => ToArrayOf<bool>(),
            'n' => ToArrayOf<short>(),
            'q' => ToArrayOf<ushort>(),
            'i' => ToArrayOf<int>(),
            'u' => ToArrayOf<uint>(),
            'x' => ToArrayOf<long>(),
            't' => ToArrayOf<ulong>(),
            'd' => ToArrayOf<double>(),
            's' => ToArrayOf<string>(),
            'o' => ToArrayOf<ObjectPath>(),
            'g' => ToArrayOf<Signature>(),
            _ => ToArrayOf<object>(),
        };
    }

    private T[] ToArrayOf<T>()
    {
        var result = new T[Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = (T)this[i].ToObject();
        }
        return result;
    }

    private Dictionary<TKey, object?> ToDictionaryOf<TKey>() where TKey : notnull
    {
        var result = new Dictionary<TKey, object?>(Count);
        for (int i = 0; i < Count; i++)
        {
            var (key, value) = GetEntry(i);
            result[(TKey)key.ToObject()] = value.ToObject();
        }
        return result;
    }

    // The fields as a ValueTuple<object, …> built by arity, without reflection; 8 to 14 fields nest the rest in the
    // last field as C# tuples do, more become an object[].
    private object ToTuple()
    {
        var f = new object[Count];
        for (int i = 0; i < f.Length; i++)
        {
            f[i] = this[i].ToObject();
        }
        return f.Length switch
        {
            1 => ValueTuple.Create(f[0]),
            2 => (f[0], f[1]),
            3 => (f[0], f[1], f[2]),
            4 => (f[0], f[1], f[2], f[3]),
            5 => (f[0], f[1], f[2], f[3], f[4]),
            6 => (f[0], f[1], f[2], f[3], f[4], f[5]),
            7 => (f[0], f[1], f[2], f[3], f[4], f[5], f[6]),
            8 => Long(f, ValueTuple.Create(f[7])),
            9 => Long(f, (f[7], f[8])),
            10 => Long(f, (f[7], f[8], f[9])),
            11 => Long(f, (f[7], f[8], f[9], f[10])),
            12 => Long(f, (f[7], f[8], f[9], f[10], f[11])),
            13 => Long(f, (f[7], f[8], f[9], f[10], f[11], f[12])),
            14 => Long(f, (f[7], f[8], f[9], f[10], f[11], f[12], f[13])),
            _ => f,
        };
    }

    private static object Long<TRest>(object[] f, TRest rest) where TRest : struct =>
        new ValueTuple<object, object, object, object, object, object, object, TRest>(f[0], f[1], f[2], f[3], f[4], f[5], f[6], rest);
}
