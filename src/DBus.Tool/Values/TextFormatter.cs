using System.Globalization;
using System.Text;

namespace DBus.Tool.Values;

/// <summary>
/// Writes values in busctl's text form, which is also its argument syntax: the signature, then the values;
/// arrays and dictionaries as a count followed by their elements, variants as their content's signature
/// followed by the content, strings C-escaped in double quotes.
/// </summary>
internal static class TextFormatter
{
    /// <summary>The whole body: <c>SIGNATURE VALUE…</c>, or an empty string when there is no body.</summary>
    public static string Format(Signature signature, IReadOnlyList<Variant> values)
    {
        if (signature.IsEmpty)
        {
            return "";
        }
        var sb = new StringBuilder(signature.Value);
        foreach (var value in values)
        {
            sb.Append(' ');
            Append(sb, value);
        }
        return sb.ToString();
    }

    /// <summary>One value without its signature.</summary>
    public static void Append(StringBuilder sb, Variant value)
    {
        switch (value.Type)
        {
            case DBusType.Byte: sb.Append(value.GetByte()); break;
            case DBusType.Boolean: sb.Append(value.GetBoolean() ? "true" : "false"); break;
            case DBusType.Int16: sb.Append(value.GetInt16()); break;
            case DBusType.UInt16: sb.Append(value.GetUInt16()); break;
            case DBusType.Int32: sb.Append(value.GetInt32()); break;
            case DBusType.UInt32: sb.Append(value.GetUInt32()); break;
            case DBusType.Int64: sb.Append(value.GetInt64()); break;
            case DBusType.UInt64: sb.Append(value.GetUInt64()); break;
            case DBusType.Double: sb.Append(FormatGeneral(value.GetDouble())); break;
            case DBusType.String: AppendQuoted(sb, value.GetString()); break;
            case DBusType.ObjectPath: AppendQuoted(sb, value.GetObjectPath().ToString()); break;
            case DBusType.Signature: AppendQuoted(sb, value.GetSignature().Value); break;
            case DBusType.UnixFd: sb.Append(value.GetUnixFd().DangerousGetDescriptor()); break;
            case DBusType.Variant:
                {
                    var inner = value.GetVariant();
                    sb.Append(inner.Signature.Value).Append(' ');
                    Append(sb, inner);
                    break;
                }
            case DBusType.Array when TypeParts.IsDictionary(value.Signature):
                sb.Append(value.Count);
                for (int i = 0; i < value.Count; i++)
                {
                    var (key, entryValue) = value.GetEntry(i);
                    sb.Append(' ');
                    Append(sb, key);
                    sb.Append(' ');
                    Append(sb, entryValue);
                }
                break;
            case DBusType.Array:
                sb.Append(value.Count);
                for (int i = 0; i < value.Count; i++)
                {
                    sb.Append(' ');
                    Append(sb, value[i]);
                }
                break;
            case DBusType.Struct:
                for (int i = 0; i < value.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(' ');
                    }
                    Append(sb, value[i]);
                }
                break;
            default:
                sb.Append(value.ToString());
                break;
        }
    }

    /// <summary>C's <c>%g</c> (six significant digits), as busctl prints doubles.</summary>
    public static string FormatGeneral(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }
        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }
        // Round to six significant digits first: the exponent of the rounded value decides the notation.
        string exponential = value.ToString("E5", CultureInfo.InvariantCulture);
        int e = int.Parse(exponential.AsSpan(exponential.IndexOf('E') + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (e < -4 || e >= 6)
        {
            string mantissa = TrimZeros(exponential[..exponential.IndexOf('E')]);
            return mantissa + "e" + (e < 0 ? "-" : "+") + Math.Abs(e).ToString("00", CultureInfo.InvariantCulture);
        }
        return TrimZeros(value.ToString("F" + (5 - e), CultureInfo.InvariantCulture));
    }

    private static string TrimZeros(string number) =>
        number.Contains('.', StringComparison.Ordinal) ? number.TrimEnd('0').TrimEnd('.') : number;

    /// <summary>Double quotes around systemd's cescape: backslash escapes, and octal for control and non-ASCII bytes.</summary>
    private static void AppendQuoted(StringBuilder sb, string text)
    {
        sb.Append('"');
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            switch (b)
            {
                case (byte)'\a': sb.Append("\\a"); break;
                case (byte)'\b': sb.Append("\\b"); break;
                case (byte)'\f': sb.Append("\\f"); break;
                case (byte)'\n': sb.Append("\\n"); break;
                case (byte)'\r': sb.Append("\\r"); break;
                case (byte)'\t': sb.Append("\\t"); break;
                case (byte)'\v': sb.Append("\\v"); break;
                case (byte)'\\': sb.Append("\\\\"); break;
                case (byte)'"': sb.Append("\\\""); break;
                case (byte)'\'': sb.Append("\\'"); break;
                case < 0x20 or >= 0x7f:
                    sb.Append('\\').Append(Convert.ToString(b, 8).PadLeft(3, '0'));
                    break;
                default: sb.Append((char)b); break;
            }
        }
        sb.Append('"');
    }
}
