using System;
using System.Collections.Generic;
using System.Globalization;

namespace DBus.Generator.Naming;

/// <summary>
/// Parameter and tuple element names for the arguments of one method or signal: unique, never a
/// keyword without '@', never a name C# forbids in a tuple.
/// </summary>
internal static class ArgumentNamer
{
    /// <summary>The parameter every generated async method ends with; no argument may take it.</summary>
    public const string CancellationTokenParameter = "cancellationToken";

    private static readonly HashSet<string> s_reservedElements = new(StringComparer.Ordinal)
    {
        "Rest", "ToString", "Equals", "GetHashCode", "CompareTo", "Deconstruct", "GetType",
    };

    /// <summary>
    /// camelCase parameter names: the D-Bus name (or the rename annotation) converted, <c>arg{i}</c> when
    /// there is none, a number appended on a clash, <c>@</c> before keywords.
    /// </summary>
    public static string[] ParameterNames(IReadOnlyList<(string? Name, string? Rename)> args)
    {
        var scope = new NameScope(new[] { CancellationTokenParameter });
        var result = new string[args.Count];
        for (int i = 0; i < args.Count; i++)
        {
            string fallback = "arg" + i.ToString(CultureInfo.InvariantCulture);
            string preferred = args[i].Rename
                ?? (args[i].Name is { Length: > 0 } name ? Identifiers.ToCamelCase(name, fallback) : fallback);
            result[i] = Identifiers.Escape(Unique(scope, preferred));
        }
        return result;
    }

    /// <summary>
    /// PascalCase tuple element names, null for unnamed arguments. Names C# reserves in tuples
    /// (<c>Rest</c>, <c>ItemN</c>, <c>ToString</c>, …) get a <c>Value</c> suffix.
    /// </summary>
    public static string?[] ElementNames(IReadOnlyList<(string? Name, string? Rename)> args)
    {
        var scope = new NameScope(Array.Empty<string>());
        var result = new string?[args.Count];
        for (int i = 0; i < args.Count; i++)
        {
            string? source = args[i].Rename ?? args[i].Name;
            if (source is not { Length: > 0 })
            {
                continue;
            }
            string preferred = Identifiers.ToPascalCase(source, "Value");
            if (s_reservedElements.Contains(preferred) || IsItemName(preferred))
            {
                preferred += "Value";
            }
            result[i] = Unique(scope, preferred);
        }
        return result;
    }

    /// <summary>
    /// The name of a parameter that generated code appends after a member's arguments (<c>flags</c> on
    /// <c>{N}Messages</c> calls, <c>destination</c> on its signals): <paramref name="preferred"/> unless an
    /// argument already took it, then <paramref name="fallback"/>, then <paramref name="fallback"/> with
    /// 2, 3, … appended. Arguments keep their names; only the appended parameter moves.
    /// </summary>
    public static string AppendedParameter(IEnumerable<string> parameterNames, string preferred, string fallback)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in parameterNames)
        {
            taken.Add(name.TrimStart('@'));
        }
        if (!taken.Contains(preferred))
        {
            return preferred;
        }
        string candidate = fallback;
        for (int n = 2; taken.Contains(candidate); n++)
        {
            candidate = fallback + n.ToString(CultureInfo.InvariantCulture);
        }
        return candidate;
    }

    private static string Unique(NameScope scope, string preferred)
    {
        string name = preferred;
        for (int n = 2; !scope.IsFree(name) || IsItemName(name); n++)
        {
            name = preferred + n.ToString(CultureInfo.InvariantCulture);
        }
        scope.Claim(name);
        return name;
    }

    private static bool IsItemName(string name)
    {
        if (name.Length <= 4 || !name.StartsWith("Item", StringComparison.Ordinal))
        {
            return false;
        }
        for (int i = 4; i < name.Length; i++)
        {
            if (name[i] < '0' || name[i] > '9')
            {
                return false;
            }
        }
        return true;
    }
}
