using System.Text;
using DBus.CodeAnalysis;
using DBus.Shared;

namespace DBus;

public readonly partial struct Variant
{
    /// <summary>A byte (<c>y</c>).</summary>
    public Variant(byte value) : this(Signatures.Byte, value, null) { }

    /// <summary>A boolean (<c>b</c>).</summary>
    public Variant(bool value) : this(Signatures.Boolean, value ? 1 : 0, null) { }

    /// <summary>A signed 16-bit integer (<c>n</c>).</summary>
    public Variant(short value) : this(Signatures.Int16, value, null) { }

    /// <summary>An unsigned 16-bit integer (<c>q</c>).</summary>
    public Variant(ushort value) : this(Signatures.UInt16, value, null) { }

    /// <summary>A signed 32-bit integer (<c>i</c>).</summary>
    public Variant(int value) : this(Signatures.Int32, value, null) { }

    /// <summary>An unsigned 32-bit integer (<c>u</c>).</summary>
    public Variant(uint value) : this(Signatures.UInt32, value, null) { }

    /// <summary>A signed 64-bit integer (<c>x</c>).</summary>
    public Variant(long value) : this(Signatures.Int64, value, null) { }

    /// <summary>An unsigned 64-bit integer (<c>t</c>).</summary>
    public Variant(ulong value) : this(Signatures.UInt64, unchecked((long)value), null) { }

    /// <summary>A double (<c>d</c>).</summary>
    public Variant(double value) : this(Signatures.Double, BitConverter.DoubleToInt64Bits(value), null) { }

    /// <summary>A string (<c>s</c>).</summary>
    /// <exception cref="ArgumentException">The string contains NUL or a lone surrogate (it has no UTF-8 form).</exception>
    public Variant(string value) : this(Signatures.String, 0, CheckString(value)) { }

    /// <summary>An object path (<c>o</c>).</summary>
    public Variant(ObjectPath value) : this(Signatures.ObjectPath, 0, value.Value) { }

    /// <summary>A signature (<c>g</c>).</summary>
    public Variant(Signature value) : this(Signatures.Signature, 0, value.Info) { }

    /// <summary>A Unix file descriptor (<c>h</c>); the variant refers to it and does not own it.</summary>
    public Variant(UnixFd value) : this(Signatures.UnixFd, 0, value ?? throw new ArgumentNullException(nameof(value))) { }

    /// <summary>A byte array (<c>ay</c>); the bytes are copied.</summary>
    public Variant(ReadOnlySpan<byte> value) : this(Signatures.ByteArray, 0, value.ToArray()) { }

    /// <summary>A string array (<c>as</c>).</summary>
    public Variant(IEnumerable<string> value) : this(Signatures.StringArray, 0, ToStringVariants(value)) { }

    /// <summary>Converts a byte.</summary>
    public static implicit operator Variant(byte value) => new(value);

    /// <summary>Converts a boolean.</summary>
    public static implicit operator Variant(bool value) => new(value);

    /// <summary>Converts a signed 16-bit integer.</summary>
    public static implicit operator Variant(short value) => new(value);

    /// <summary>Converts an unsigned 16-bit integer.</summary>
    public static implicit operator Variant(ushort value) => new(value);

    /// <summary>Converts a signed 32-bit integer.</summary>
    public static implicit operator Variant(int value) => new(value);

    /// <summary>Converts an unsigned 32-bit integer.</summary>
    public static implicit operator Variant(uint value) => new(value);

    /// <summary>Converts a signed 64-bit integer.</summary>
    public static implicit operator Variant(long value) => new(value);

    /// <summary>Converts an unsigned 64-bit integer.</summary>
    public static implicit operator Variant(ulong value) => new(value);

    /// <summary>Converts a double.</summary>
    public static implicit operator Variant(double value) => new(value);

    /// <summary>Converts a string.</summary>
    public static implicit operator Variant(string value) => new(value);

    /// <summary>Converts an object path.</summary>
    public static implicit operator Variant(ObjectPath value) => new(value);

    /// <summary>Converts a signature.</summary>
    public static implicit operator Variant(Signature value) => new(value);

    /// <summary>Converts a Unix file descriptor (the variant does not own it).</summary>
    public static implicit operator Variant(UnixFd value) => new(value);

    /// <summary>Converts a byte array to <c>ay</c> (the bytes are copied).</summary>
    public static implicit operator Variant(byte[] value) => new((ReadOnlySpan<byte>)(value ?? throw new ArgumentNullException(nameof(value))));

    /// <summary>Converts a string array to <c>as</c>.</summary>
    public static implicit operator Variant(string[] value) => new((IEnumerable<string>)value);

    /// <summary>An array whose elements all have the signature <paramref name="elementType"/>.</summary>
    /// <exception cref="ArgumentException">The element type is not one complete type, or an item has another signature.</exception>
    public static Variant CreateArray([DBusSignature(SingleCompleteType = true)] Signature elementType, ReadOnlySpan<Variant> items)
    {
        if (!elementType.IsSingleCompleteType)
        {
            ThrowHelper.ThrowArgument(nameof(elementType), $"an array element type must be one complete type, not '{elementType}'");
        }
        var arraySignature = MakeSignature(nameof(elementType), "a" + elementType.Value);
        var elementInfo = elementType.Info;
        if (elementInfo.Text == "y")
        {
            var bytes = new byte[items.Length];
            for (int i = 0; i < items.Length; i++)
            {
                bytes[i] = items[i].GetByte();
            }
            return new Variant(arraySignature, 0, bytes);
        }
        var copy = items.ToArray();
        for (int i = 0; i < copy.Length; i++)
        {
            if (!ReferenceEquals(copy[i]._signature, elementInfo) && copy[i].SignatureInfo.Text != elementInfo.Text)
            {
                ThrowHelper.ThrowArgument(nameof(items), $"item {i} has signature '{copy[i].Signature}' but the array holds '{elementType}'");
            }
        }
        return new Variant(arraySignature, 0, copy);
    }

    /// <summary>An array whose elements all have the signature <paramref name="elementType"/>.</summary>
    public static Variant CreateArray([DBusSignature(SingleCompleteType = true)] Signature elementType, IEnumerable<Variant> items) =>
        CreateArray(elementType, (items ?? throw new ArgumentNullException(nameof(items))).ToArray());

    /// <summary>A dictionary <c>a{KV}</c>: a basic key type and any value type; entries keep their order.</summary>
    /// <exception cref="ArgumentException">The key type is not basic, or an entry has other signatures.</exception>
    public static Variant CreateDictionary([DBusSignature(SingleCompleteType = true)] Signature keyType,
        [DBusSignature(SingleCompleteType = true)] Signature valueType, IEnumerable<KeyValuePair<Variant, Variant>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (!keyType.IsSingleCompleteType || !keyType.Node.IsBasic)
        {
            ThrowHelper.ThrowArgument(nameof(keyType), $"a dictionary key must be a basic type, not '{keyType}'");
        }
        if (!valueType.IsSingleCompleteType)
        {
            ThrowHelper.ThrowArgument(nameof(valueType), $"a dictionary value type must be one complete type, not '{valueType}'");
        }
        var signature = MakeSignature(nameof(valueType), "a{" + keyType.Value + valueType.Value + "}");
        var copy = entries.ToArray();
        for (int i = 0; i < copy.Length; i++)
        {
            if (copy[i].Key.SignatureInfo.Text != keyType.Value || copy[i].Value.SignatureInfo.Text != valueType.Value)
            {
                ThrowHelper.ThrowArgument(nameof(entries),
                    $"entry {i} is {{{copy[i].Key.Signature}{copy[i].Value.Signature}}} but the dictionary holds {{{keyType}{valueType}}}");
            }
        }
        return new Variant(signature, 0, copy);
    }

    /// <summary>A dictionary <c>a{sv}</c>, the usual shape of properties and options.</summary>
    public static Variant CreateDictionary(IEnumerable<KeyValuePair<string, Variant>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = new List<KeyValuePair<Variant, Variant>>();
        foreach (var (key, value) in entries)
        {
            list.Add(new(new Variant(key), FromVariant(value)));
        }
        return new Variant(Signatures.StringVariantDictionary, 0, list.ToArray());
    }

    /// <summary>A struct of one or more fields.</summary>
    /// <exception cref="ArgumentException">No fields, an empty field, or nesting beyond the specification's limits.</exception>
    public static Variant CreateStruct(params ReadOnlySpan<Variant> fields)
    {
        if (fields.Length == 0)
        {
            ThrowHelper.ThrowArgument(nameof(fields), "a struct needs at least one field");
        }
        var text = new StringBuilder("(");
        for (int i = 0; i < fields.Length; i++)
        {
            if (fields[i].IsEmpty)
            {
                ThrowHelper.ThrowArgument(nameof(fields), $"field {i} is an empty (default) variant");
            }
            text.Append(fields[i].SignatureInfo.Text);
        }
        text.Append(')');
        return new Variant(MakeSignature(nameof(fields), text.ToString()), 0, fields.ToArray());
    }

    private static SignatureInfo MakeSignature(string paramName, string text)
    {
        var info = SignatureInfo.TryGet(text, out var error);
        return info ?? ThrowHelper.ThrowArgument<SignatureInfo>(paramName, $"the value would have signature '{text}', which is invalid: {error}");
    }

    private static string CheckString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string? problem = StringRules.Check(value);
        if (problem is not null)
        {
            ThrowHelper.ThrowArgument(nameof(value), problem);
        }
        return value;
    }

    private static Variant[] ToStringVariants(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var list = new List<Variant>();
        foreach (string s in values)
        {
            list.Add(new Variant(s));
        }
        return list.ToArray();
    }
}
