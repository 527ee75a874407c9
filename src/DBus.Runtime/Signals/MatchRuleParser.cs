using DBus.Shared;

namespace DBus;

/// <summary>
/// Builds a <see cref="MatchRule"/> from its string form. The syntax and the validation of keys and values live
/// in <see cref="MatchRuleSyntax"/> (src/Shared), which the analyzers use to check literal rules at compile time.
/// </summary>
internal static class MatchRuleParser
{
    /// <summary>dbus-daemon refuses longer rules.</summary>
    public const int MaxLength = MatchRuleSyntax.MaxLength;

    public static MatchRule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var error = MatchRuleSyntax.TryParse(text, out var entries);
        if (error is not null)
        {
            throw new FormatException($"invalid match rule \"{text}\" at character {error.Position}: {error.Reason}");
        }

        MessageType? type = null;
        string? sender = null, iface = null, member = null, destination = null, arg0ns = null;
        ObjectPath? path = null, pathNamespace = null;
        bool? eavesdrop = null;
        foreach (var entry in entries)
        {
            string value = entry.Value;
            switch (entry.Key)
            {
                case MatchRuleKey.Type:
                    type = value switch
                    {
                        "method_call" => MessageType.MethodCall,
                        "method_return" => MessageType.MethodReturn,
                        "error" => MessageType.Error,
                        _ => MessageType.Signal,
                    };
                    break;
                case MatchRuleKey.Sender: sender = value; break;
                case MatchRuleKey.Interface: iface = value; break;
                case MatchRuleKey.Member: member = value; break;
                case MatchRuleKey.Path: path = ObjectPath.FromValidated(value); break;
                case MatchRuleKey.PathNamespace: pathNamespace = ObjectPath.FromValidated(value); break;
                case MatchRuleKey.Destination: destination = value; break;
                case MatchRuleKey.Arg0Namespace: arg0ns = value; break;
                case MatchRuleKey.Eavesdrop: eavesdrop = value == "true"; break;
            }
        }

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
        // Entries arrive in text order; the rule's dictionaries keep argument indexes sorted.
        foreach (var entry in entries)
        {
            if (entry.Key == MatchRuleKey.Arg)
            {
                rule.Args[entry.ArgIndex] = entry.Value;
            }
            else if (entry.Key == MatchRuleKey.ArgPath)
            {
                rule.ArgPaths[entry.ArgIndex] = entry.Value;
            }
        }
        return rule;
    }
}
