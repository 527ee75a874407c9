using System.Globalization;
using System.Text.Json;

namespace DBus.Tool.Values;

/// <summary>
/// Writes values in the JSON shape of <c>busctl --json=short</c>: a body is <c>{"type":SIGNATURE,"data":[…]}</c>;
/// numbers (64-bit ones too) are JSON numbers, arrays and structs JSON arrays, dictionaries JSON objects and
/// variants <c>{"type":…,"data":…}</c> objects.
/// </summary>
/// <remarks>
/// JSON object keys are strings, so a dictionary with non-string keys gets its keys in text form
/// (busctl refuses such dictionaries).
/// </remarks>
internal static class JsonFormatter
{
    public static void WriteBody(Utf8JsonWriter writer, Signature signature, IReadOnlyList<Variant> values)
    {
        writer.WriteStartObject();
        writer.WriteString("type", signature.Value);
        writer.WriteStartArray("data");
        foreach (var value in values)
        {
            WriteValue(writer, value);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static void WriteValue(Utf8JsonWriter writer, Variant value)
    {
        switch (value.Type)
        {
            case DBusType.Byte: writer.WriteNumberValue(value.GetByte()); break;
            case DBusType.Boolean: writer.WriteBooleanValue(value.GetBoolean()); break;
            case DBusType.Int16: writer.WriteNumberValue(value.GetInt16()); break;
            case DBusType.UInt16: writer.WriteNumberValue(value.GetUInt16()); break;
            case DBusType.Int32: writer.WriteNumberValue(value.GetInt32()); break;
            case DBusType.UInt32: writer.WriteNumberValue(value.GetUInt32()); break;
            case DBusType.Int64: writer.WriteNumberValue(value.GetInt64()); break;
            case DBusType.UInt64: writer.WriteNumberValue(value.GetUInt64()); break;
            case DBusType.Double:
                double d = value.GetDouble();
                if (double.IsFinite(d))
                {
                    writer.WriteNumberValue(d);
                }
                else
                {
                    // JSON has no NaN or infinity.
                    writer.WriteNullValue();
                }
                break;
            case DBusType.String: writer.WriteStringValue(value.GetString()); break;
            case DBusType.ObjectPath: writer.WriteStringValue(value.GetObjectPath().ToString()); break;
            case DBusType.Signature: writer.WriteStringValue(value.GetSignature().Value); break;
            case DBusType.UnixFd: writer.WriteNumberValue(value.GetUnixFd().DangerousGetDescriptor()); break;
            case DBusType.Variant:
                var inner = value.GetVariant();
                writer.WriteStartObject();
                writer.WriteString("type", inner.Signature.Value);
                writer.WritePropertyName("data");
                WriteValue(writer, inner);
                writer.WriteEndObject();
                break;
            case DBusType.Array when TypeParts.IsDictionary(value.Signature):
                writer.WriteStartObject();
                for (int i = 0; i < value.Count; i++)
                {
                    var (key, entryValue) = value.GetEntry(i);
                    writer.WritePropertyName(KeyText(key));
                    WriteValue(writer, entryValue);
                }
                writer.WriteEndObject();
                break;
            case DBusType.Array:
            case DBusType.Struct:
                writer.WriteStartArray();
                for (int i = 0; i < value.Count; i++)
                {
                    WriteValue(writer, value[i]);
                }
                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(value.ToString());
                break;
        }
    }

    private static string KeyText(Variant key) => key.Type switch
    {
        DBusType.String => key.GetString(),
        DBusType.ObjectPath => key.GetObjectPath().ToString(),
        DBusType.Signature => key.GetSignature().Value,
        DBusType.Boolean => key.GetBoolean() ? "true" : "false",
        DBusType.Double => key.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        DBusType.Byte => key.GetByte().ToString(CultureInfo.InvariantCulture),
        DBusType.Int16 => key.GetInt16().ToString(CultureInfo.InvariantCulture),
        DBusType.UInt16 => key.GetUInt16().ToString(CultureInfo.InvariantCulture),
        DBusType.Int32 => key.GetInt32().ToString(CultureInfo.InvariantCulture),
        DBusType.UInt32 => key.GetUInt32().ToString(CultureInfo.InvariantCulture),
        DBusType.Int64 => key.GetInt64().ToString(CultureInfo.InvariantCulture),
        DBusType.UInt64 => key.GetUInt64().ToString(CultureInfo.InvariantCulture),
        _ => key.ToString(),
    };
}
