using System.Globalization;
using System.Text;

namespace DBus;

/// <summary>
/// Reads the string form of a match rule: <c>key='value',key=value,...</c>. Inside apostrophes nothing is
/// special; outside them <c>\'</c> is an apostrophe and every other character stands for itself (as in
/// libdbus). Keys may not repeat.
/// </summary>
internal static class MatchRuleParser
{
    /// <summary>dbus-daemon refuses longer rules.</summary>
    public const int MaxLength = 1024;

    public static MatchRule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw Error(text, MaxLength, $"a match rule is at most {MaxLength} characters");
        }

        MessageType? type = null;
        string? sender = null, iface = null, member = null, destination = null, arg0ns = null;
        ObjectPath? path = null, pathNamespace = null;
        bool? eavesdrop = null;
        var args = new SortedDictionary<int, string>();
        var argPaths = new SortedDictionary<int, string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);

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
                throw Error(text, keyStart, "key without '=' and value");
            }
            string key = text.Substring(keyStart, eq - keyStart).Trim();
            if (key.Length == 0)
            {
                throw Error(text, keyStart, "empty key");
            }
            pos = eq + 1;
            string value = ReadValue(text, ref pos);
            if (pos < text.Length)
            {
                if (text[pos] != ',')
                {
                    throw Error(text, pos, "',' expected after a value");
                }
                pos++;
                if (pos == text.Length)
                {
                    throw Error(text, pos, "rule ends with ','");
                }
            }
            if (!seen.Add(key))
            {
                throw Error(text, keyStart, $"key '{key}' appears twice");
            }

            try
            {
                switch (key)
                {
                    case "type":
                        type = value switch
                        {
                            "signal" => MessageType.Signal,
                            "method_call" => MessageType.MethodCall,
                            "method_return" => MessageType.MethodReturn,
                            "error" => MessageType.Error,
                            _ => throw Error(text, keyStart, $"type '{value}' is not one of signal, method_call, method_return, error"),
                        };
                        break;
                    case "sender": sender = value; break;
                    case "interface": iface = value; break;
                    case "member": member = value; break;
                    case "path": path = new ObjectPath(value); break;
                    case "path_namespace": pathNamespace = new ObjectPath(value); break;
                    case "destination": destination = value; break;
                    case "arg0namespace": arg0ns = value; break;
                    case "eavesdrop":
                        eavesdrop = value switch
                        {
                            "true" => true,
                            "false" => false,
                            _ => throw Error(text, keyStart, $"eavesdrop must be 'true' or 'false', not '{value}'"),
                        };
                        break;
                    default:
                        ParseArgKey(text, keyStart, key, value, args, argPaths);
                        break;
                }
            }
            catch (ArgumentException e)
            {
                throw Error(text, keyStart, e.Message);
            }
        }

        if (path is not null && pathNamespace is not null)
        {
            throw Error(text, 0, "'path' and 'path_namespace' cannot both be given");
        }

        try
        {
            var rule = new MatchRule
            {
                Type = type,
                Sender = sender,
                Interface = iface,
                Member = member,
                Path = path,
                PathNamespace = pathNamespace,
                Destination = destination,
                Arg0Namespace = arg0ns,
                Eavesdrop = eavesdrop,
            };
            foreach (var (i, v) in args)
            {
                rule.Args[i] = v;
            }
            foreach (var (i, v) in argPaths)
            {
                rule.ArgPaths[i] = v;
            }
            return rule;
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"invalid match rule \"{text}\": {e.Message}", e);
        }
    }

    private static void ParseArgKey(string text, int keyStart, string key, string value, SortedDictionary<int, string> args, SortedDictionary<int, string> argPaths)
    {
        if (!key.StartsWith("arg", StringComparison.Ordinal))
        {
            throw Error(text, keyStart, $"unknown key '{key}'");
        }
        bool isPath = key.EndsWith("path", StringComparison.Ordinal);
        string digits = key.Substring(3, key.Length - 3 - (isPath ? 4 : 0));
        if (digits.Length is 0 or > 2 || !digits.All(char.IsAsciiDigit)
            || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || index > MatchRule.MaxArgIndex)
        {
            throw Error(text, keyStart, $"unknown key '{key}' (argument keys are arg0 to arg{MatchRule.MaxArgIndex}, optionally followed by 'path')");
        }
        (isPath ? argPaths : args)[index] = value;
    }

    private static string ReadValue(string text, ref int pos)
    {
        var sb = new StringBuilder();
        while (pos < text.Length && text[pos] != ',')
        {
            char c = text[pos];
            if (c == '\'')
            {
                int close = text.IndexOf('\'', pos + 1);
                if (close < 0)
                {
                    throw Error(text, pos, "quote opened here is never closed");
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

    private static FormatException Error(string text, int position, string reason) =>
        new($"invalid match rule \"{text}\" at character {position}: {reason}");
}
