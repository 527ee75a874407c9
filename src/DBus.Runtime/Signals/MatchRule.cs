using System.Globalization;
using System.Text;
using DBus.CodeAnalysis;
using DBus.Shared;

namespace DBus;

/// <summary>
/// A D-Bus match rule ("Match Rules" in the specification): which messages a signal receiver wants.
/// Every key is optional; a message matches when it satisfies every key that is set. The string form
/// (<see cref="ToString"/>) is what AddMatch sends to the bus; <see cref="Parse"/> reads it back.
/// </summary>
/// <example><code>
/// var rule = new MatchRule
/// {
///     Type = MessageType.Signal,
///     Interface = "org.freedesktop.DBus",
///     Member = "NameOwnerChanged",
///     Args = { [0] = "org.example.App" },
/// };
/// </code></example>
public sealed class MatchRule : IEquatable<MatchRule>
{
    /// <summary>The highest argument index a rule may test (argN, argNpath).</summary>
    public const int MaxArgIndex = MatchRuleSyntax.MaxArgIndex;

    /// <summary>The message type (<c>type</c>).</summary>
    public MessageType? Type { get; init; }

    /// <summary>The sender (<c>sender</c>): a unique or well-known bus name. A connection resolves a
    /// well-known name to its current unique owner and follows owner changes.</summary>
    [DBusName(DBusNameKind.BusName)]
    public string? Sender
    {
        get => _sender;
        init => _sender = Check(value, DBusNameValidator.ValidateBusName, "sender");
    }

    /// <summary>The interface (<c>interface</c>).</summary>
    [DBusName(DBusNameKind.InterfaceName)]
    public string? Interface
    {
        get => _interface;
        init => _interface = Check(value, DBusNameValidator.ValidateInterfaceName, "interface");
    }

    /// <summary>The member (<c>member</c>).</summary>
    [DBusName(DBusNameKind.MemberName)]
    public string? Member
    {
        get => _member;
        init => _member = Check(value, DBusNameValidator.ValidateMemberName, "member");
    }

    /// <summary>The object path (<c>path</c>). Cannot be combined with <see cref="PathNamespace"/>.</summary>
    public ObjectPath? Path { get; init; }

    /// <summary>Matches the path and every path below it (<c>path_namespace</c>).</summary>
    public ObjectPath? PathNamespace { get; init; }

    /// <summary>The destination (<c>destination</c>): a unique name.</summary>
    [DBusName(DBusNameKind.BusName)]
    public string? Destination
    {
        get => _destination;
        init => _destination = Check(value, DBusNameValidator.ValidateBusName, "destination");
    }

    /// <summary>String arguments that must be equal (<c>argN</c>), by argument index 0–63.</summary>
    public IDictionary<int, string> Args => _args;

    /// <summary>Path-like arguments (<c>argNpath</c>): equal, or one is a '/'-terminated prefix of the other.</summary>
    public IDictionary<int, string> ArgPaths => _argPaths;

    /// <summary>Argument 0 is this bus or interface name or lies in its namespace (<c>arg0namespace</c>).</summary>
    public string? Arg0Namespace
    {
        get => _arg0Namespace;
        init => _arg0Namespace = Check(value, ValidateNamespace, "arg0namespace");
    }

    /// <summary>The <c>eavesdrop</c> key (deprecated by the specification in favour of BecomeMonitor).</summary>
    public bool? Eavesdrop { get; init; }

    private readonly MatchRuleArguments _args = new("arg");
    private readonly MatchRuleArguments _argPaths = new("argpath");
    private readonly string? _sender;
    private readonly string? _interface;
    private readonly string? _member;
    private readonly string? _destination;
    private readonly string? _arg0Namespace;

    /// <summary>Parses the string form of a match rule, as given to AddMatch.</summary>
    /// <exception cref="FormatException">The text is not a valid match rule; the message says where and why.</exception>
    public static MatchRule Parse([DBusMatchRule] string text) => MatchRuleParser.Parse(text);

    /// <summary>The rule in the canonical string form: keys in a fixed order, values quoted and escaped.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (Type is { } type)
        {
            Append(sb, "type", type switch
            {
                MessageType.MethodCall => "method_call",
                MessageType.MethodReturn => "method_return",
                MessageType.Error => "error",
                _ => "signal",
            });
        }
        Append(sb, "sender", Sender);
        Append(sb, "interface", Interface);
        Append(sb, "member", Member);
        Append(sb, "path", Path?.ToString());
        Append(sb, "path_namespace", PathNamespace?.ToString());
        Append(sb, "destination", Destination);
        foreach (var (index, value) in Args.OrderBy(a => a.Key))
        {
            Append(sb, "arg" + index.ToString(CultureInfo.InvariantCulture), value);
        }
        foreach (var (index, value) in ArgPaths.OrderBy(a => a.Key))
        {
            Append(sb, "arg" + index.ToString(CultureInfo.InvariantCulture) + "path", value);
        }
        Append(sb, "arg0namespace", Arg0Namespace);
        if (Eavesdrop is { } eavesdrop)
        {
            Append(sb, "eavesdrop", eavesdrop ? "true" : "false");
        }
        return sb.ToString();
    }

    /// <summary>Rules are equal when their canonical string forms are.</summary>
    public bool Equals(MatchRule? other) => other is not null && ToString() == other.ToString();

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as MatchRule);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    private static void Append(StringBuilder sb, string key, string? value)
    {
        if (value is null)
        {
            return;
        }
        if (sb.Length > 0)
        {
            sb.Append(',');
        }
        sb.Append(key).Append('=');
        // Inside quotes nothing is special; an apostrophe closes the quote, is escaped as \', and reopens it.
        sb.Append('\'').Append(value.Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'');
    }

    private static string? Check(string? value, Func<string, string?> validate, string key)
    {
        if (value is not null && validate(value) is { } problem)
        {
            throw new ArgumentException($"match rule key '{key}': '{value}' is not valid: {problem}", key);
        }
        return value;
    }

    private static string? ValidateNamespace(string value) => MatchRuleSyntax.ValidateNamespace(value);

    /// <summary>
    /// Whether <paramref name="message"/> satisfies every key of this rule, as the bus would decide. A well-known
    /// <see cref="Sender"/> matches a message only when <paramref name="senderOwner"/> (the unique name that owns it
    /// now; <see cref="SignalSubscription.SenderOwner"/> follows it) or the name itself is the message's sender.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="senderOwner">The current owner of a well-known <see cref="Sender"/>, if known.</param>
    public bool Matches(Message message, [DBusName(DBusNameKind.BusName)] string? senderOwner = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        return MatchesCore(message, senderOwner);
    }

    /// <summary>
    /// A frozen copy (its argument conditions cannot change), with <paramref name="type"/> as its type when given:
    /// what a subscription keeps, so the rule on the bus and the one matched against stay the same.
    /// </summary>
    internal MatchRule Freeze(MessageType? type = null)
    {
        var copy = new MatchRule
        {
            Type = type ?? Type,
            Sender = Sender,
            Interface = Interface,
            Member = Member,
            Path = Path,
            PathNamespace = PathNamespace,
            Destination = Destination,
            Arg0Namespace = Arg0Namespace,
            Eavesdrop = Eavesdrop,
        };
        _args.CopyTo(copy._args);
        _argPaths.CopyTo(copy._argPaths);
        copy._args.Freeze();
        copy._argPaths.Freeze();
        return copy;
    }

    /// <summary>True when every key set on <paramref name="criteria"/> has the same value here (dbus-python's
    /// matches_removal_spec): the criteria of <see cref="DBusConnection.RemoveSignalReceivers"/>.</summary>
    internal bool HasKeysOf(MatchRule criteria) =>
        (criteria.Type is null || criteria.Type == Type)
        && (criteria.Sender is null || criteria.Sender == Sender)
        && (criteria.Interface is null || criteria.Interface == Interface)
        && (criteria.Member is null || criteria.Member == Member)
        && (criteria.Path is null || criteria.Path == Path)
        && (criteria.PathNamespace is null || criteria.PathNamespace == PathNamespace)
        && (criteria.Destination is null || criteria.Destination == Destination)
        && (criteria.Arg0Namespace is null || criteria.Arg0Namespace == Arg0Namespace)
        && criteria.Args.All(a => Args.TryGetValue(a.Key, out var v) && v == a.Value)
        && criteria.ArgPaths.All(a => ArgPaths.TryGetValue(a.Key, out var v) && v == a.Value);

    private bool MatchesCore(Message message, string? senderOwner)
    {
        if (Type is { } type && message.Type != type)
        {
            return false;
        }
        if (Sender is not null)
        {
            string expected = Sender.StartsWith(':') || Sender == "org.freedesktop.DBus" ? Sender : senderOwner ?? Sender;
            if (message.Sender != expected && message.Sender != Sender)
            {
                return false;
            }
        }
        if (Interface is not null && message.Interface != Interface)
        {
            return false;
        }
        if (Member is not null && message.Member != Member)
        {
            return false;
        }
        if (Path is { } path && message.Path != path)
        {
            return false;
        }
        if (PathNamespace is { } ns && !IsInPathNamespace(message.Path, ns))
        {
            return false;
        }
        if (Destination is not null && message.Destination != Destination)
        {
            return false;
        }
        if (Args.Count == 0 && ArgPaths.Count == 0 && Arg0Namespace is null)
        {
            return true;
        }
        return MatchesArguments(message);
    }

    private bool MatchesArguments(Message message)
    {
        int highest = -1;
        foreach (int i in Args.Keys)
        {
            highest = Math.Max(highest, i);
        }
        foreach (int i in ArgPaths.Keys)
        {
            highest = Math.Max(highest, i);
        }
        if (Arg0Namespace is not null)
        {
            highest = Math.Max(highest, 0);
        }

        // Only string-like arguments can match; read the leading arguments as far as the rule needs.
        var values = new string?[highest + 1];
        var isString = new bool[highest + 1];
        if (!MessageArguments.TryReadLeading(message, values, isString))
        {
            return false;
        }
        foreach (var (index, expected) in Args)
        {
            if (!isString[index] || values[index] != expected)
            {
                return false;
            }
        }
        foreach (var (index, expected) in ArgPaths)
        {
            if (values[index] is not { } actual || !PathArgumentMatches(actual, expected))
            {
                return false;
            }
        }
        if (Arg0Namespace is not null)
        {
            if (!isString[0] || values[0] is not { } arg0)
            {
                return false;
            }
            if (arg0 != Arg0Namespace && !arg0.StartsWith(Arg0Namespace + ".", StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    internal static bool PathArgumentMatches(string actual, string expected) =>
        actual == expected
        || (expected.EndsWith('/') && actual.StartsWith(expected, StringComparison.Ordinal))
        || (actual.EndsWith('/') && expected.StartsWith(actual, StringComparison.Ordinal));

    internal static bool IsInPathNamespace(ObjectPath? path, ObjectPath ns)
    {
        if (path is not { } p)
        {
            return false;
        }
        string value = p.ToString();
        string prefix = ns.ToString();
        if (prefix == "/")
        {
            return true;
        }
        return value == prefix || (value.StartsWith(prefix, StringComparison.Ordinal) && value.Length > prefix.Length && value[prefix.Length] == '/');
    }
}
