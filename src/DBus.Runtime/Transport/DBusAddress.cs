using System.Collections.ObjectModel;
using System.Text;

namespace DBus;

/// <summary>
/// One entry of a D-Bus server address list, such as <c>unix:path=/run/user/1000/bus,guid=…</c>: a transport name
/// and its key/value properties, with the values %-unescaped.
/// </summary>
/// <remarks>
/// The grammar is the specification's: entries are separated by <c>;</c>, an entry is
/// <c>transport:key=value,key=value</c>, and a value keeps the bytes <c>[-0-9A-Za-z_/.\*]</c> as they are while every
/// other byte of its UTF-8 form is written <c>%xx</c>.
/// </remarks>
public sealed class DBusAddress
{
    private readonly KeyValuePair<string, string>[] _entries;

    internal DBusAddress(string transport, IEnumerable<KeyValuePair<string, string>> properties)
    {
        Transport = transport;
        _entries = properties.ToArray();
        var dictionary = new Dictionary<string, string>(_entries.Length, StringComparer.Ordinal);
        foreach (var (key, value) in _entries)
        {
            dictionary.Add(key, value);
        }
        Properties = new ReadOnlyDictionary<string, string>(dictionary);
        Guid = dictionary.GetValueOrDefault("guid");
    }

    /// <summary>The transport name: <c>unix</c>, <c>tcp</c>, <c>nonce-tcp</c>, <c>unixexec</c>, …</summary>
    public string Transport { get; }

    /// <summary>The entry's properties with their values unescaped; keys compare ordinally.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; }

    /// <summary>The server's guid (32 hex digits) when the entry names one.</summary>
    public string? Guid { get; }

    /// <summary>Parses a <c>;</c>-separated address list. A trailing <c>;</c> is allowed.</summary>
    /// <exception cref="FormatException">The list is empty or an entry is malformed; the message names the problem and
    /// its position.</exception>
    public static IReadOnlyList<DBusAddress> ParseList(string addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var result = new List<DBusAddress>();
        int start = 0;
        while (start <= addresses.Length)
        {
            int end = addresses.IndexOf(';', start);
            if (end < 0)
            {
                end = addresses.Length;
            }
            if (end == start)
            {
                // Only a trailing ';' (or nothing at all after a previous entry) may be empty.
                if (end == addresses.Length && result.Count > 0)
                {
                    break;
                }
                throw Problem(addresses.Length == 0 ? "the address is empty" : "an address entry is empty", start);
            }
            result.Add(ParseEntry(addresses, start, end));
            start = end + 1;
        }
        return result;
    }

    /// <summary>Parses exactly one address entry.</summary>
    /// <exception cref="FormatException">The text is not exactly one well-formed entry.</exception>
    public static DBusAddress Parse(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        int semicolon = address.IndexOf(';');
        if (semicolon >= 0)
        {
            throw Problem("expected one address entry but found a ';' separating several", semicolon);
        }
        if (address.Length == 0)
        {
            throw Problem("the address is empty", 0);
        }
        return ParseEntry(address, 0, address.Length);
    }

    /// <summary>Escapes a value for an address: bytes <c>[-0-9A-Za-z_/.\*]</c> stay, every other byte of the UTF-8
    /// form becomes <c>%xx</c>.</summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        bool plain = true;
        foreach (char c in value)
        {
            if (c >= 0x80 || !IsOptionallyEscaped((byte)c))
            {
                plain = false;
                break;
            }
        }
        if (plain)
        {
            return value;
        }
        var sb = new StringBuilder(value.Length * 2);
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            if (IsOptionallyEscaped(b))
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
        }
        return sb.ToString();
    }

    /// <summary>The session bus address: <c>DBUS_SESSION_BUS_ADDRESS</c> when set, else
    /// <c>unix:path=$XDG_RUNTIME_DIR/bus</c> when that socket exists, else <see langword="null"/>.</summary>
    public static string? GetSessionBusAddress()
    {
        string? address = Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS");
        if (!string.IsNullOrEmpty(address))
        {
            return address;
        }
        string? runtimeDirectory = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (!string.IsNullOrEmpty(runtimeDirectory))
        {
            string path = Path.Combine(runtimeDirectory, "bus");
            if (File.Exists(path))
            {
                return "unix:path=" + Escape(path);
            }
        }
        return null;
    }

    /// <summary>The system bus address: <c>DBUS_SYSTEM_BUS_ADDRESS</c> when set, else
    /// <c>unix:path=/var/run/dbus/system_bus_socket</c>.</summary>
    public static string GetSystemBusAddress()
    {
        string? address = Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS");
        return string.IsNullOrEmpty(address) ? "unix:path=/var/run/dbus/system_bus_socket" : address;
    }

    /// <summary>The entry in canonical form: the transport, then each property in its original order with its value
    /// escaped.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Transport).Append(':');
        for (int i = 0; i < _entries.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            sb.Append(_entries[i].Key).Append('=').Append(Escape(_entries[i].Value));
        }
        return sb.ToString();
    }

    internal string? GetProperty(string key) => Properties.GetValueOrDefault(key);

    internal static bool IsValidGuid(string guid) => guid.Length == 32 && guid.All(char.IsAsciiHexDigit);

    private static DBusAddress ParseEntry(string text, int start, int end)
    {
        int colon = text.IndexOf(':', start, end - start);
        if (colon < 0)
        {
            throw Problem("the entry has no ':' after its transport name", start);
        }
        if (colon == start)
        {
            throw Problem("the transport name is empty", start);
        }
        for (int i = start; i < colon; i++)
        {
            char c = text[i];
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                throw Problem($"the transport name has the character '{Printable(c)}', not allowed there", i);
            }
        }
        string transport = text[start..colon];

        var properties = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int pos = colon + 1;
        while (pos < end)
        {
            int comma = text.IndexOf(',', pos, end - pos);
            if (comma < 0)
            {
                comma = end;
            }
            if (comma == pos)
            {
                throw Problem("a key=value pair is empty", pos);
            }
            int equals = text.IndexOf('=', pos, comma - pos);
            if (equals < 0)
            {
                throw Problem($"the pair '{text[pos..comma]}' has no '='", pos);
            }
            if (equals == pos)
            {
                throw Problem("a key is empty", pos);
            }
            for (int i = pos; i < equals; i++)
            {
                char c = text[i];
                if (c >= 0x80 || c == '%' || !IsOptionallyEscaped((byte)c))
                {
                    throw Problem($"the key has the character '{Printable(c)}', not allowed in a key", i);
                }
            }
            string key = text[pos..equals];
            if (!seen.Add(key))
            {
                throw Problem($"the key '{key}' appears twice", pos);
            }
            string value = Unescape(text, equals + 1, comma);
            if (key == "guid" && !IsValidGuid(value))
            {
                throw Problem($"the guid '{value}' is not 32 hex digits", equals + 1);
            }
            properties.Add(new(key, value));
            pos = comma + 1;
            if (comma < end && pos == end)
            {
                throw Problem("the entry ends with ','", comma);
            }
        }
        return new DBusAddress(transport, properties);
    }

    private static string Unescape(string text, int start, int end)
    {
        if (text.IndexOf('%', start, end - start) < 0)
        {
            for (int i = start; i < end; i++)
            {
                CheckPlain(text, i);
            }
            return text[start..end];
        }
        var bytes = new List<byte>(end - start);
        for (int i = start; i < end; i++)
        {
            char c = text[i];
            if (c == '%')
            {
                if (i + 2 >= end)
                {
                    throw Problem("a '%' escape is cut short: two hex digits must follow it", i);
                }
                if (!char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
                {
                    throw Problem($"the escape '%{text[i + 1]}{text[i + 2]}' is not '%' and two hex digits", i);
                }
                bytes.Add((byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2])));
                i += 2;
            }
            else
            {
                CheckPlain(text, i);
                bytes.Add((byte)c);
            }
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            throw Problem("the escaped bytes of a value are not valid UTF-8", start);
        }
    }

    private static void CheckPlain(string text, int i)
    {
        char c = text[i];
        if (c >= 0x80 || !IsOptionallyEscaped((byte)c))
        {
            throw Problem($"the character '{Printable(c)}' must be %-escaped in a value", i);
        }
    }

    private static bool IsOptionallyEscaped(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'-' or (byte)'_' or (byte)'/' or (byte)'\\' or (byte)'*' or (byte)'.';

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static string Printable(char c) => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString();

    private static FormatException Problem(string problem, int position) =>
        new($"Invalid D-Bus address: {problem} (at position {position}).");
}
