namespace DBus.Auth;

/// <summary>The SASL mechanism names D-Bus uses and what they share.</summary>
internal static class SaslMechanisms
{
    public const string External = "EXTERNAL";
    public const string CookieSha1 = "DBUS_COOKIE_SHA1";
    public const string Anonymous = "ANONYMOUS";

    public static bool IsKnown(string mechanism) => mechanism is External or CookieSha1 or Anonymous;

    /// <summary>Checks a mechanism list from options: not empty, only known names.</summary>
    public static void Validate(IReadOnlyList<string> mechanisms, string paramName)
    {
        ArgumentNullException.ThrowIfNull(mechanisms, paramName);
        if (mechanisms.Count == 0)
        {
            ThrowHelper.ThrowArgument(paramName, "at least one SASL mechanism is needed");
        }
        foreach (string mechanism in mechanisms)
        {
            if (!IsKnown(mechanism))
            {
                ThrowHelper.ThrowArgument(paramName, $"unknown SASL mechanism '{mechanism}'; known: {External}, {CookieSha1}, {Anonymous}");
            }
        }
    }

    /// <summary>Lowercase hex of the ASCII text, as AUTH and DATA carry it.</summary>
    public static string ToHex(string text) => Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Decodes hex to text; null when it is not even-length hex or not UTF-8.</summary>
    public static string? FromHex(string hex)
    {
        if (hex.Length % 2 != 0 || !hex.All(char.IsAsciiHexDigit))
        {
            return null;
        }
        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromHexString(hex));
        }
        catch (System.Text.DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>Splits a line into its command and the rest (without the separating space).</summary>
    public static (string Command, string Argument) Split(string line)
    {
        int space = line.IndexOf(' ');
        return space < 0 ? (line, "") : (line[..space], line[(space + 1)..]);
    }

    /// <summary>A line as it can be shown in an error message: clipped, control characters escaped.</summary>
    public static string Show(string line)
    {
        const int limit = 80;
        var sb = new System.Text.StringBuilder();
        foreach (char c in line.Length > limit ? line[..limit] : line)
        {
            sb.Append(c is >= ' ' and <= '~' ? c.ToString() : $"\\x{(int)c:x2}");
        }
        if (line.Length > limit)
        {
            sb.Append("…");
        }
        return "'" + sb + "'";
    }
}
