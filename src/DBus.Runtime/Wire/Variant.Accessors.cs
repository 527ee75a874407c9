using System.Text;
using DBus.Shared;

namespace DBus;

public readonly partial struct Variant
{
    /// <summary>The byte held (<c>y</c>).</summary>
    /// <exception cref="InvalidCastException">The variant holds another type; the message names both signatures.</exception>
    public byte GetByte() => (byte)Expect(Signatures.Byte)._bits;

    /// <summary>The boolean held (<c>b</c>).</summary>
    /// <exception cref="InvalidCastException">The variant holds another type.</exception>
    public bool GetBoolean() => Expect(Signatures.Boolean)._bits != 0;

    /// <summary>The signed 16-bit integer held (<c>n</c>).</summary>
    /// <exception cref="InvalidCastException">The variant holds another type.</exception>
    public short GetInt16() => (short)Expect(Signatures.Int16)._bits;

    /// <summary>The unsigned 16-bit integer held (<c>q</c>).</summary>
    /// <exception cref="InvalidCastException">The variant holds another type.</exception>
    public ushort GetUInt16() => (ushort)Expect(Signatures.UInt16)._bits;

    /// <summary>The signed 32-bit integer held (<c>i</c>).</summary>
    /// <exception cref="InvalidCastException">The variant holds another type.</exception>
    public int GetInt32() => (int)Expect(Signatures.Int32)._bits;

    /// <summary>The unsigned 32-bit integer held (<c>u</c>).</summary>
    /// <exception cref="InvalidCastException">The variant holds another type.</exception>
    public uint GetUInt32() => (uint)Expect(Signatures.UInt32)._bits;

    /// <summary>The signed 64-bit integer held (<c>x</c>).</summary>
    /// <exception cref="InvalidCastException">The variant holds another type.</exception>
    public long GetInt64() => Expect(Signatures.Int64)._bits;

    /// <summary>The unsigned 64-bit integer held (<c>t</c>).</summary>
    /// <exception cref="InvalidCastException">The variant holds another type.</exception>
    public ulong GetUInt64() => unchecked((ulong)Expect(Signatures.UInt64)._bits);

    /// <summary>The double held (<c>d</c>).</summary>
    /// <exception cref="InvalidCastException">The variant holds another type.</exception>
    public double GetDouble() => BitConverter.Int64BitsToDouble(Expect(Signatures.Double)._bits);

    /// <summary>The string held (<c>s</c>).</summary>
    /// <exception cref="InvalidCastException">The variant holds another type.</exception>
    public string GetString() => (string)Expect(Signatures.String)._object!;

    /// <summary>The object path held (<c>o</c>).</summary>
    /// <exception cref="InvalidCastException">The variant holds another type.</exception>
    public ObjectPath GetObjectPath() => ObjectPath.FromValidated((string)Expect(Signatures.ObjectPath)._object!);

    /// <summary>The signature held (<c>g</c>).</summary>
    /// <exception cref="InvalidCastException">The variant holds another type.</exception>
    public Signature GetSignature() => new((SignatureInfo)Expect(Signatures.Signature)._object!);

    /// <summary>The descriptor held (<c>h</c>), still owned by the variant: disposing the variant closes it unless it
    /// was handed on (<see cref="UnixFd.ToStream"/>, <see cref="UnixFd.ToSafeHandle"/>, <see cref="UnixFd.Release"/>).</summary>
    /// <exception cref="InvalidCastException">The variant holds another type.</exception>
    public UnixFd GetUnixFd() => (UnixFd)Expect(Signatures.UnixFd)._object!;

    /// <summary>The inner variant of a nested variant (<c>v</c>).</summary>
    /// <exception cref="InvalidCastException">The variant holds another type.</exception>
    public Variant GetVariant() => ((VariantBox)Expect(Signatures.Variant)._object!).Value;

    /// <summary>A copy of the bytes of an <c>ay</c>.</summary>
    /// <exception cref="InvalidCastException">The variant holds another type.</exception>
    public byte[] GetByteArray() => GetByteSpan().ToArray();

    /// <summary>The bytes of an <c>ay</c>, without copying.</summary>
    /// <exception cref="InvalidCastException">The variant holds another type.</exception>
    public ReadOnlySpan<byte> GetByteSpan() => (byte[])Expect(Signatures.ByteArray)._object!;

    /// <summary>The strings of an <c>as</c>.</summary>
    /// <exception cref="InvalidCastException">The variant holds another type.</exception>
    public string[] GetStringArray()
    {
        var items = (Variant[])Expect(Signatures.StringArray)._object!;
        var result = new string[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            result[i] = (string)items[i]._object!;
        }
        return result;
    }

    /// <summary>The number of elements of an array, entries of a dictionary, or fields of a struct.</summary>
    /// <exception cref="InvalidCastException">The variant holds no container.</exception>
    public int Count => _object switch
    {
        byte[] bytes => bytes.Length,
        Variant[] items => items.Length,
        KeyValuePair<Variant, Variant>[] entries => entries.Length,
        _ => ThrowHelper.ThrowInvalidCast<int>("an array or a struct", SignatureInfo.Text),
    };

    /// <summary>An element of an array or a field of a struct.</summary>
    /// <exception cref="InvalidCastException">The variant holds no array or struct (use <see cref="GetEntry"/> for a dictionary).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the container.</exception>
    public Variant this[int index] => _object switch
    {
        byte[] bytes => new Variant(bytes[CheckIndex(index, bytes.Length)]),
        Variant[] items => items[CheckIndex(index, items.Length)],
        _ => ThrowHelper.ThrowInvalidCast<Variant>("an array or a struct", SignatureInfo.Text),
    };

    /// <summary>An entry of a dictionary (<c>a{..}</c>), in the order written or read.</summary>
    /// <exception cref="InvalidCastException">The variant holds no dictionary.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the dictionary.</exception>
    public KeyValuePair<Variant, Variant> GetEntry(int index) => _object is KeyValuePair<Variant, Variant>[] entries
        ? entries[CheckIndex(index, entries.Length)]
        : ThrowHelper.ThrowInvalidCast<KeyValuePair<Variant, Variant>>("a{..}", SignatureInfo.Text);

    /// <summary>The entries of a dictionary as a new <see cref="Dictionary{TKey, TValue}"/> (a later duplicate key wins).</summary>
    /// <exception cref="InvalidCastException">The variant holds no dictionary.</exception>
    public Dictionary<Variant, Variant> ToDictionary()
    {
        var entries = _object as KeyValuePair<Variant, Variant>[]
            ?? ThrowHelper.ThrowInvalidCast<KeyValuePair<Variant, Variant>[]>("a{..}", SignatureInfo.Text);
        var result = new Dictionary<Variant, Variant>(entries.Length);
        foreach (var (key, value) in entries)
        {
            result[key] = value;
        }
        return result;
    }

    /// <summary>The entries of an <c>a{sv}</c> as a new dictionary, values unwrapped from their <c>v</c>.</summary>
    /// <exception cref="InvalidCastException">The variant holds no <c>a{sv}</c>.</exception>
    public Dictionary<string, Variant> ToStringVariantDictionary()
    {
        var entries = (KeyValuePair<Variant, Variant>[])Expect(Signatures.StringVariantDictionary)._object!;
        var result = new Dictionary<string, Variant>(entries.Length, StringComparer.Ordinal);
        foreach (var (key, value) in entries)
        {
            result[(string)key._object!] = value.GetVariant();
        }
        return result;
    }

    private Variant Expect(SignatureInfo expected)
    {
        if (!ReferenceEquals(_signature, expected) && (_signature is null || _signature.Text != expected.Text))
        {
            return ThrowHelper.ThrowInvalidCast<Variant>(expected.Text, SignatureInfo.Text);
        }
        return this;
    }

    private static int CheckIndex(int index, int count)
    {
        if ((uint)index >= (uint)count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"the container holds {count} items");
        }
        return index;
    }

    /// <summary>The value in the text form of GVariant (for logs and debugging), such as <c>{'a': &lt;1&gt;}</c>.</summary>
    public override string ToString()
    {
        if (_signature is null)
        {
            return "<empty>";
        }
        var sb = new StringBuilder();
        Format(sb);
        return sb.ToString();
    }

    private void Format(StringBuilder sb)
    {
        switch (Node.Kind)
        {
            case SignatureKind.Byte: sb.Append("0x").Append(((byte)_bits).ToString("x2")); break;
            case SignatureKind.Boolean: sb.Append(_bits != 0 ? "true" : "false"); break;
            case SignatureKind.Int16:
            case SignatureKind.UInt16:
            case SignatureKind.Int32:
            case SignatureKind.UInt32:
            case SignatureKind.Int64: sb.Append(_bits); break;
            case SignatureKind.UInt64: sb.Append(unchecked((ulong)_bits)); break;
            case SignatureKind.Double: sb.Append(BitConverter.Int64BitsToDouble(_bits).ToString("R", System.Globalization.CultureInfo.InvariantCulture)); break;
            case SignatureKind.String: sb.Append('\'').Append(((string)_object!).Replace("'", "\\'")).Append('\''); break;
            case SignatureKind.ObjectPath: sb.Append("objectpath '").Append((string)_object!).Append('\''); break;
            case SignatureKind.Signature: sb.Append("signature '").Append(((SignatureInfo)_object!).Text).Append('\''); break;
            case SignatureKind.UnixFd: sb.Append("handle ").Append(_object); break;
            case SignatureKind.Variant:
                sb.Append('<');
                ((VariantBox)_object!).Value.Format(sb);
                sb.Append('>');
                break;
            case SignatureKind.Struct:
                sb.Append('(');
                var fields = (Variant[])_object!;
                for (int i = 0; i < fields.Length; i++)
                {
                    sb.Append(i == 0 ? "" : ", ");
                    fields[i].Format(sb);
                }
                sb.Append(fields.Length == 1 ? ",)" : ")");
                break;
            default:
                FormatArray(sb);
                break;
        }
    }

    private void FormatArray(StringBuilder sb)
    {
        switch (_object)
        {
            case byte[] bytes:
                sb.Append("b'").Append(Convert.ToHexString(bytes)).Append('\'');
                break;
            case KeyValuePair<Variant, Variant>[] entries:
                sb.Append('{');
                for (int i = 0; i < entries.Length; i++)
                {
                    sb.Append(i == 0 ? "" : ", ");
                    entries[i].Key.Format(sb);
                    sb.Append(": ");
                    entries[i].Value.Format(sb);
                }
                sb.Append('}');
                break;
            case Variant[] items:
                sb.Append('[');
                for (int i = 0; i < items.Length; i++)
                {
                    sb.Append(i == 0 ? "" : ", ");
                    items[i].Format(sb);
                }
                sb.Append(']');
                break;
        }
    }
}
