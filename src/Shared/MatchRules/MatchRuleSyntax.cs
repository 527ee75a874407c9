// Linked source: compiled into DBus.Runtime, DBus.Generator and DBus.Analyzers.
// Keep it netstandard2.0-compatible and free of dependencies.
using System.Collections.Generic;
using System.Text;

namespace DBus.Shared;

/// <summary>
/// Reads the string form of a match rule, <c>key='value',key=value,...</c>, and validates its keys and values.
/// Inside apostrophes nothing is special; outside them <c>\'</c> is an apostrophe and every other character
/// stands for itself (as in libdbus). Keys may not repeat. Errors carry the position of the offending text.
/// The runtime builds its <c>MatchRule</c> from the entries; the analyzers report the errors in the editor.
/// </summary>
internal static class MatchRuleSyntax
{
    /// <summary>dbus-daemon refuses longer rules.</summary>
    public const int MaxLength = 1024;

    /// <summary>The highest argument index a rule may test (argN, argNpath).</summary>
    public const int MaxArgIndex = 63;

    public static MatchRuleError? TryParse(string text, out List<MatchRuleEntry> entries)
    {
        entries = new List<MatchRuleEntry>();
        if (text.Length > MaxLength)
        {
            return new MatchRuleError(MaxLength, 0, $"a match rule is at most {MaxLength} characters");
        }

        var seen = new HashSet<string>();
        int pos = 0;
        while (pos < text.Length)
        {
            while (pos < text.Length && char.IsWhiteSpace(text[pos]))
            {
                pos++;
            }
            if (pos == text.Length)
            {
                break;
            }
            int keyStart = pos;
            int eq = text.IndexOf('=', pos);
            if (eq < 0)
            {
                return new MatchRuleError(keyStart, text.Length - keyStart, "key without '=' and value");
            }
            string key = text.Substring(keyStart, eq - keyStart).TrimEnd();
            if (key.Length == 0)
            {
                return new MatchRuleError(keyStart, 0, "empty key");
            }
            int valueStart = eq + 1;
            pos = valueStart;
            string? value = ReadValue(text, ref pos, out var quoteError);
            if (value is null)
            {
                return quoteError;
            }
            int valueLength = pos - valueStart;
            if (pos < text.Length)
            {
                // ReadValue stops only at a ',' or the end.
                pos++;
                if (pos == text.Length)
                {
                    return new MatchRuleError(pos - 1, 1, "rule ends with ','");
                }
            }
            if (!seen.Add(key))
            {
                return new MatchRuleError(keyStart, key.Length, $"key '{key}' appears twice");
            }

            var error = ParseEntry(text, key, value, keyStart, valueStart, valueLength, out var entry);
            if (error is not null)
            {
                return error;
            }
            entries.Add(entry!);
        }

        if (seen.Contains("path") && seen.Contains("path_namespace"))
        {
            var later = entries[entries.Count - 1];
            foreach (var e in entries)
            {
                if (e.Key is MatchRuleKey.Path or MatchRuleKey.PathNamespace)
                {
                    later = e;
                }
            }
            return new MatchRuleError(later.KeyStart, later.Key == MatchRuleKey.Path ? 4 : 14, "'path' and 'path_namespace' cannot both be given");
        }
        return null;
    }

    private static MatchRuleError? ParseEntry(string text, string key, string value, int keyStart, int valueStart, int valueLength, out MatchRuleEntry? entry)
    {
        entry = null;
        MatchRuleKey kind;
        int argIndex = 0;
        string? problem = null;
        int problemAt = -1;
        switch (key)
        {
            case "type":
                kind = MatchRuleKey.Type;
                if (value is not ("signal" or "method_call" or "method_return" or "error"))
                {
                    return new MatchRuleError(valueStart, valueLength, $"type '{value}' is not one of signal, method_call, method_return, error");
                }
                break;
            case "sender":
                kind = MatchRuleKey.Sender;
                problem = DBusNameValidator.ValidateBusName(value, out problemAt);
                break;
            case "interface":
                kind = MatchRuleKey.Interface;
                problem = DBusNameValidator.ValidateInterfaceName(value, out problemAt);
                break;
            case "member":
                kind = MatchRuleKey.Member;
                problem = DBusNameValidator.ValidateMemberName(value, out problemAt);
                break;
            case "path":
                kind = MatchRuleKey.Path;
                problem = DBusNameValidator.ValidateObjectPath(value, out problemAt);
                break;
            case "path_namespace":
                kind = MatchRuleKey.PathNamespace;
                problem = DBusNameValidator.ValidateObjectPath(value, out problemAt);
                break;
            case "destination":
                kind = MatchRuleKey.Destination;
                problem = DBusNameValidator.ValidateBusName(value, out problemAt);
                break;
            case "arg0namespace":
                kind = MatchRuleKey.Arg0Namespace;
                problem = ValidateNamespace(value);
                break;
            case "eavesdrop":
                kind = MatchRuleKey.Eavesdrop;
                if (value is not ("true" or "false"))
                {
                    return new MatchRuleError(valueStart, valueLength, $"eavesdrop must be 'true' or 'false', not '{value}'");
                }
                break;
            default:
                if (!TryParseArgKey(key, out argIndex, out bool isPath))
                {
                    string hint = key.StartsWith("arg", System.StringComparison.Ordinal)
                        ? $" (argument keys are arg0 to arg{MaxArgIndex}, optionally followed by 'path')"
                        : "";
                    return new MatchRuleError(keyStart, key.Length, $"unknown key '{key}'{hint}");
                }
                kind = isPath ? MatchRuleKey.ArgPath : MatchRuleKey.Arg;
                break;
        }
        if (problem is not null)
        {
            string reason = $"match rule key '{key}': '{value}' is not valid: {problem}";
            int content = ContentStart(text, value, valueStart, valueLength);
            if (problemAt < 0 || content < 0)
            {
                return new MatchRuleError(valueStart, valueLength, reason);
            }
            // A character outside the BMP is two UTF-16 units: the error covers both.
            bool pair = char.IsHighSurrogate(value[problemAt]) && problemAt + 1 < value.Length && char.IsLowSurrogate(value[problemAt + 1]);
            return new MatchRuleError(content + problemAt, pair ? 2 : 1, reason);
        }
        entry = new MatchRuleEntry(kind, argIndex, value, keyStart, valueStart);
        return null;
    }

    /// <summary>Where <paramref name="value"/> starts in <paramref name="text"/> when it is written there as is,
    /// bare or inside one pair of apostrophes, so that its characters map one to one; -1 when escapes or several
    /// quoted parts make the written form differ.</summary>
    private static int ContentStart(string text, string value, int valueStart, int valueLength)
    {
        if (valueLength == value.Length && string.CompareOrdinal(text, valueStart, value, 0, value.Length) == 0)
        {
            return valueStart;
        }
        if (valueLength == value.Length + 2 && text[valueStart] == '\'' && text[valueStart + valueLength - 1] == '\''
            && string.CompareOrdinal(text, valueStart + 1, value, 0, value.Length) == 0)
        {
            return valueStart + 1;
        }
        return -1;
    }

    /// <summary>arg0namespace holds a bus name or an interface name (or a prefix of one).</summary>
    public static string? ValidateNamespace(string value) =>
        DBusNameValidator.ValidateBusName(value) is null || DBusNameValidator.ValidateInterfaceName(value) is null
            ? null
            : DBusNameValidator.ValidateBusName(value);

    private static bool TryParseArgKey(string key, out int index, out bool isPath)
    {
        index = 0;
        isPath = false;
        if (!key.StartsWith("arg", System.StringComparison.Ordinal))
        {
            return false;
        }
        isPath = key.EndsWith("path", System.StringComparison.Ordinal);
        int digitsEnd = key.Length - (isPath ? 4 : 0);
        int digits = digitsEnd - 3;
        if (digits is < 1 or > 2)
        {
            return false;
        }
        for (int i = 3; i < digitsEnd; i++)
        {
            char c = key[i];
            if (c < '0' || c > '9')
            {
                return false;
            }
            index = (index * 10) + (c - '0');
        }
        return index <= MaxArgIndex;
    }

    private static string? ReadValue(string text, ref int pos, out MatchRuleError? error)
    {
        error = null;
        var sb = new StringBuilder();
        while (pos < text.Length && text[pos] != ',')
        {
            char c = text[pos];
            if (c == '\'')
            {
                int close = text.IndexOf('\'', pos + 1);
                if (close < 0)
                {
                    error = new MatchRuleError(pos, 1, "quote opened here is never closed");
                    return null;
                }
                sb.Append(text, pos + 1, close - pos - 1);
                pos = close + 1;
            }
            else if (c == '\\' && pos + 1 < text.Length && text[pos + 1] == '\'')
            {
                sb.Append('\'');
                pos += 2;
            }
            else
            {
                sb.Append(c);
                pos++;
            }
        }
        return sb.ToString();
    }
}
