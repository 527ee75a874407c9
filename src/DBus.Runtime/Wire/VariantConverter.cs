using System.Collections;
using System.Runtime.CompilerServices;

namespace DBus;

/// <summary>
/// Turns plain .NET values into <see cref="Variant"/>s of a given D-Bus type, for calls by name where the
/// signature comes from introspection (dbus-python's way). No reflection: numbers, strings, the wire types,
/// arrays and lists, dictionaries and tuples (<see cref="ITuple"/>) are recognised by interface.
/// </summary>
internal static class VariantConverter
{
    public static Variant FromObject(object? value, Signature type, string what)
    {
        if (value is Variant variant)
        {
            if (variant.Signature == type)
            {
                return variant;
            }
            if (type.FirstType == DBusType.Variant)
            {
                return Variant.FromVariant(variant);
            }
        }
        if (value is null)
        {
            throw new ArgumentNullException(what, $"{what} is null, but D-Bus has no null: a value of type '{type}' is needed");
        }
        string text = type.Value;
        try
        {
            switch (type.FirstType)
            {
                case DBusType.Byte: return new Variant(Convert.ToByte(value, System.Globalization.CultureInfo.InvariantCulture));
                case DBusType.Boolean when value is bool b: return new Variant(b);
                case DBusType.Int16: return new Variant(Convert.ToInt16(value, System.Globalization.CultureInfo.InvariantCulture));
                case DBusType.UInt16: return new Variant(Convert.ToUInt16(value, System.Globalization.CultureInfo.InvariantCulture));
                case DBusType.Int32: return new Variant(Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture));
                case DBusType.UInt32: return new Variant(Convert.ToUInt32(value, System.Globalization.CultureInfo.InvariantCulture));
                case DBusType.Int64: return new Variant(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                case DBusType.UInt64: return new Variant(Convert.ToUInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                case DBusType.Double: return new Variant(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                case DBusType.String when value is string s: return new Variant(s);
                case DBusType.ObjectPath when value is ObjectPath path: return new Variant(path);
                case DBusType.ObjectPath when value is string s: return new Variant(new ObjectPath(s));
                case DBusType.Signature when value is Signature signature: return new Variant(signature);
                case DBusType.Signature when value is string s: return new Variant(new Signature(s));
                case DBusType.UnixFd when value is UnixFd fd: return new Variant(fd);
                case DBusType.Variant: return Variant.FromVariant(Infer(value, what));
                case DBusType.Array when text.StartsWith("a{", StringComparison.Ordinal) && value is IDictionary dictionary:
                {
                    var entry = new Signature(text[2..^1]);
                    var (keyType, valueType) = (entry[0], entry[1]);
                    var entries = new List<KeyValuePair<Variant, Variant>>();
                    foreach (DictionaryEntry item in dictionary)
                    {
                        entries.Add(new(FromObject(item.Key, keyType, what + " key"), FromObject(item.Value, valueType, $"{what}[{item.Key}]")));
                    }
                    return Variant.CreateDictionary(keyType, valueType, entries);
                }
                case DBusType.Array when value is IEnumerable items and not string:
                {
                    var element = new Signature(text[1..]);
                    if (element.FirstType == DBusType.Byte && value is byte[] bytes)
                    {
                        return new Variant(bytes);
                    }
                    var list = new List<Variant>();
                    int index = 0;
                    foreach (var item in items)
                    {
                        list.Add(FromObject(item, element, $"{what}[{index++}]"));
                    }
                    return Variant.CreateArray(element, list);
                }
                case DBusType.Struct when value is ITuple tuple:
                {
                    var fields = new Signature(text[1..^1]);
                    if (tuple.Length != fields.Count)
                    {
                        break;
                    }
                    var converted = new Variant[tuple.Length];
                    for (int i = 0; i < converted.Length; i++)
                    {
                        converted[i] = FromObject(tuple[i], fields[i], $"{what}.Item{i + 1}");
                    }
                    return Variant.CreateStruct(converted);
                }
            }
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            throw new ArgumentException($"{what}: {value.GetType().Name} {value} does not fit D-Bus type '{type}': {e.Message}", what, e);
        }
        throw new ArgumentException($"{what}: a {value.GetType().Name} cannot be sent as D-Bus type '{type}'", what);
    }

    /// <summary>Converts each of <paramref name="args"/> to its type in <paramref name="signature"/>.</summary>
    /// <exception cref="ArgumentException">The count or a value does not fit; the message names the argument.</exception>
    public static Variant[] FromObjects(object?[] args, Signature signature, string what)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length != signature.Count)
        {
            throw new ArgumentException($"{what} takes {signature.Count} argument(s) ('{signature}'), not {args.Length}", nameof(args));
        }
        var values = new Variant[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            values[i] = FromObject(args[i], signature[i], $"argument {i} of {what}");
        }
        return values;
    }

    /// <summary>Reads every value of a body of signature <paramref name="signature"/>; values holding descriptors own them.</summary>
    public static Variant[] ReadValues(MessageReader reader, Signature signature)
    {
        var results = new Variant[signature.Count];
        try
        {
            for (int i = 0; i < results.Length; i++)
            {
                results[i] = reader.ReadValue(signature[i]);
            }
        }
        catch
        {
            Variant.DisposeAll(results); // descriptors of the values read before the failure
            throw;
        }
        return results;
    }

    /// <summary>The natural D-Bus type of a value that goes into a variant, or as an argument when no signature is known.</summary>
    public static Variant Infer(object? value, string what) => value switch
    {
        null => throw new ArgumentNullException(what, $"{what} is null, but D-Bus has no null"),
        Variant v => v,
        byte b => new Variant(b),
        bool b => new Variant(b),
        short n => new Variant(n),
        ushort q => new Variant(q),
        int i => new Variant(i),
        uint u => new Variant(u),
        long x => new Variant(x),
        ulong t => new Variant(t),
        double d => new Variant(d),
        string s => new Variant(s),
        ObjectPath o => new Variant(o),
        Signature g => new Variant(g),
        UnixFd h => new Variant(h),
        byte[] ay => new Variant(ay),
        string[] strings => new Variant(strings),
        _ => throw new ArgumentException($"{what}: the D-Bus type of a {value.GetType().Name} is not obvious without a signature; pass a Variant, or give the signature (ProxyObject.CallWithSignatureAsync)", what),
    };
}
