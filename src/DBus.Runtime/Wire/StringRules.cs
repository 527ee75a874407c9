using System.Text;

namespace DBus;

/// <summary>What the specification asks of a string value: valid UTF-8 (so no lone surrogate in UTF-16) and no NUL.</summary>
internal static class StringRules
{
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Returns null for a valid string, or a sentence saying what is wrong.</summary>
    public static string? Check(ReadOnlySpan<char> value)
    {
        int nul = value.IndexOf('\0');
        if (nul >= 0)
        {
            return $"a D-Bus string must not contain NUL (found at character {nul})";
        }
        try
        {
            StrictUtf8.GetByteCount(value);
        }
        catch (EncoderFallbackException e)
        {
            return $"the string holds a lone surrogate at character {e.Index} and has no UTF-8 form";
        }
        return null;
    }
}
