using System.Globalization;

namespace DBus.Tool.Values;

/// <summary>
/// Turns command-line words into D-Bus values the way busctl does: each complete type of the signature takes its
/// words in order; an array or dictionary takes a count first and then that many elements (or key/value pairs);
/// a variant takes the signature of its content first; a struct takes its fields one after another.
/// </summary>
/// <example><c>a{sv} 2 Name s Ada Age u 36</c> is a dictionary of two entries.</example>
internal sealed class ArgumentParser
{
    private readonly IReadOnlyList<string> _words;
    private int _next;

    private ArgumentParser(IReadOnlyList<string> words) => _words = words;

    /// <summary>Parses every word into one value per complete type of <paramref name="signature"/>.</summary>
    /// <exception cref="ToolException">A word does not fit its type, or there are too few or too many words.</exception>
    public static Variant[] Parse(Signature signature, IReadOnlyList<string> words)
    {
        var parser = new ArgumentParser(words);
        var values = new Variant[signature.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = parser.ParseValue(signature[i]);
        }
        if (parser._next < words.Count)
        {
            throw new ToolException($"too many arguments for signature '{signature}': '{words[parser._next]}' and after it are left over");
        }
        return values;
    }

    private Variant ParseValue(Signature type)
    {
        switch (type.FirstType)
        {
            case DBusType.Byte: return ParseNumber<byte>(type, byte.TryParse);
            case DBusType.Boolean: return ParseBoolean(Take(type));
            case DBusType.Int16: return ParseNumber<short>(type, short.TryParse);
            case DBusType.UInt16: return ParseNumber<ushort>(type, ushort.TryParse);
            case DBusType.Int32: return ParseNumber<int>(type, int.TryParse);
            case DBusType.UInt32: return ParseNumber<uint>(type, uint.TryParse);
            case DBusType.Int64: return ParseNumber<long>(type, long.TryParse);
            case DBusType.UInt64: return ParseNumber<ulong>(type, ulong.TryParse);
            case DBusType.Double:
                {
                    string word = Take(type);
                    return double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
                        ? d
                        : throw Invalid(word, type);
                }
            case DBusType.String: return Take(type);
            case DBusType.ObjectPath:
                {
                    string word = Take(type);
                    try
                    {
                        return new ObjectPath(word);
                    }
                    catch (ArgumentException)
                    {
                        throw Invalid(word, type);
                    }
                }
            case DBusType.Signature:
                return TypeParts.ParseSignature(Take(type), "signature argument");
            case DBusType.Variant:
                {
                    var inner = TypeParts.ParseSignature(Take(type, "the signature of a variant's content"), "variant content type");
                    if (!inner.IsSingleCompleteType)
                    {
                        throw new ToolException($"a variant holds exactly one complete type, not '{inner}'");
                    }
                    return Variant.FromVariant(ParseValue(inner));
                }
            case DBusType.Array:
                return ParseArray(type);
            case DBusType.Struct:
                {
                    var fields = TypeParts.StructFields(type);
                    var values = new Variant[fields.Count];
                    for (int i = 0; i < values.Length; i++)
                    {
                        values[i] = ParseValue(fields[i]);
                    }
                    return Variant.CreateStruct(values);
                }
            case DBusType.UnixFd:
                return ParseDescriptor(Take(type));
            default:
                throw new ToolException($"cannot read a value of type '{type}' from the command line");
        }
    }

    /// <summary>
    /// A descriptor open in this process, by its number (0 is standard input; the shell opens others, as with
    /// <c>3&lt;/path/file</c>): the value holds a duplicate, which the message duplicates again. busctl 252 refuses
    /// <c>h</c> altogether.
    /// </summary>
    private static Variant ParseDescriptor(string word)
    {
        if (!int.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out int fd))
        {
            throw new ToolException($"'{word}' is not a file descriptor number for 'h': give one open in dbusgen's process, 0 for its standard input or one the shell opened (3</path/file, then h 3)");
        }
        try
        {
            return UnixFd.Duplicate(fd);
        }
        catch (IOException)
        {
            throw new ToolException($"file descriptor {fd} is not open in dbusgen's process: for 'h' give 0 for its standard input or one the shell opened (3</path/file, then h 3)");
        }
    }

    private Variant ParseArray(Signature type)
    {
        string countWord = Take(type, $"the element count of '{type}'");
        if (!int.TryParse(countWord, NumberStyles.None, CultureInfo.InvariantCulture, out int count))
        {
            throw new ToolException($"'{countWord}' is not an element count for '{type}' (busctl syntax: the count comes before the elements)");
        }
        if (TypeParts.IsDictionary(type))
        {
            var (keyType, valueType) = TypeParts.DictionaryEntry(type);
            var entries = new KeyValuePair<Variant, Variant>[count];
            for (int i = 0; i < count; i++)
            {
                var key = ParseValue(keyType);
                entries[i] = new(key, ParseValue(valueType));
            }
            return Variant.CreateDictionary(keyType, valueType, entries);
        }
        var elementType = TypeParts.Element(type);
        if (elementType.FirstType == DBusType.Byte)
        {
            var bytes = new byte[count];
            for (int i = 0; i < count; i++)
            {
                bytes[i] = ParseValue(elementType).GetByte();
            }
            return bytes;
        }
        var items = new Variant[count];
        for (int i = 0; i < count; i++)
        {
            items[i] = ParseValue(elementType);
        }
        return Variant.CreateArray(elementType, items);
    }

    private delegate bool TryParseNumber<T>(string text, NumberStyles styles, IFormatProvider provider, out T value);

    private Variant ParseNumber<T>(Signature type, TryParseNumber<T> tryParse)
    {
        string word = Take(type);
        bool ok = word.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? tryParse(word[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out T value)
            : tryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
        if (!ok)
        {
            throw Invalid(word, type);
        }
        return value switch
        {
            byte b => b,
            short s => s,
            ushort us => us,
            int i => i,
            uint ui => ui,
            long l => l,
            ulong ul => ul,
            _ => throw new InvalidOperationException("unexpected number type " + typeof(T)),
        };
    }

    private static Variant ParseBoolean(string word) => word.ToLowerInvariant() switch
    {
        "true" or "yes" or "on" or "1" => true,
        "false" or "no" or "off" or "0" => false,
        _ => throw new ToolException($"'{word}' is not a boolean (true/false, yes/no, on/off, 1/0)"),
    };

    private string Take(Signature type, string? what = null)
    {
        if (_next >= _words.Count)
        {
            throw new ToolException($"too few arguments: expected {what ?? "a value of type '" + type + "'"} after {(_next == 0 ? "the signature" : "'" + _words[_next - 1] + "'")}");
        }
        return _words[_next++];
    }

    private static ToolException Invalid(string word, Signature type) =>
        new($"'{word}' is not a valid value of type '{type}' ({TypeName(type.FirstType)})");

    private static string TypeName(DBusType type) => type switch
    {
        DBusType.Byte => "byte, 0 to 255",
        DBusType.Int16 => "int16",
        DBusType.UInt16 => "uint16",
        DBusType.Int32 => "int32",
        DBusType.UInt32 => "uint32",
        DBusType.Int64 => "int64",
        DBusType.UInt64 => "uint64",
        DBusType.Double => "double",
        DBusType.ObjectPath => "object path",
        _ => type.ToString(),
    };
}
