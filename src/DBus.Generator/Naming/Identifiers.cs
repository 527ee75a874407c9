using System.Collections.Generic;
using System.Text;

namespace DBus.Generator.Naming;

/// <summary>
/// Turns D-Bus names into C# identifiers: PascalCase for types and members, camelCase for parameters,
/// keywords escaped. Pure functions; the rules are documented in docs/generator.md.
/// </summary>
internal static class Identifiers
{
    private static readonly HashSet<string> s_keywords = new(System.StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    };

    // Contextual keywords are legal identifiers almost everywhere, but some are not in some places
    // (await in async methods, value in setters, field in accessors...). Escaping them is always legal.
    private static readonly HashSet<string> s_contextualKeywords = new(System.StringComparer.Ordinal)
    {
        "add", "allows", "alias", "and", "ascending", "args", "async", "await", "by", "descending", "dynamic",
        "equals", "extension", "field", "file", "from", "get", "global", "group", "init", "into", "join", "let",
        "managed", "nameof", "nint", "not", "notnull", "nuint", "on", "or", "orderby", "partial", "record",
        "remove", "required", "scoped", "select", "set", "unmanaged", "value", "var", "when", "where", "with",
        "yield",
    };

    public static bool IsKeyword(string name) => s_keywords.Contains(name) || s_contextualKeywords.Contains(name);

    /// <summary>Prefixes <c>@</c> when <paramref name="name"/> is a reserved or contextual keyword.</summary>
    public static string Escape(string name) => IsKeyword(name) ? "@" + name : name;

    /// <summary>
    /// Whether <paramref name="name"/> is an identifier a user may ask for with the rename annotation:
    /// ASCII letters, digits and '_', not starting with a digit or with "__" (kept for generated locals),
    /// and not a reserved keyword.
    /// </summary>
    public static bool IsValidUserIdentifier(string name)
    {
        if (name.Length == 0 || IsDigit(name[0]) || name.StartsWith("__", System.StringComparison.Ordinal))
        {
            return false;
        }
        foreach (char c in name)
        {
            if (!IsLetter(c) && !IsDigit(c) && c != '_')
            {
                return false;
            }
        }
        return !s_keywords.Contains(name);
    }

    /// <summary>
    /// PascalCase: splits on '_', '-' and every character C# does not allow, capitalizes the first letter
    /// of each part and keeps the rest (<c>object_path</c> → <c>ObjectPath</c>, <c>isActive</c> →
    /// <c>IsActive</c>, <c>UUID</c> → <c>UUID</c>). A leading digit gets a '_' prefix; nothing usable gives
    /// <paramref name="fallback"/>.
    /// </summary>
    public static string ToPascalCase(string name, string fallback)
    {
        var sb = new StringBuilder(name.Length);
        bool upperNext = true;
        foreach (char c in name)
        {
            if (IsLetter(c) || IsDigit(c))
            {
                sb.Append(upperNext ? char.ToUpperInvariant(c) : c);
                upperNext = false;
            }
            else
            {
                upperNext = true;
            }
        }
        if (sb.Length == 0)
        {
            return fallback;
        }
        if (IsDigit(sb[0]))
        {
            sb.Insert(0, '_');
        }
        return sb.ToString();
    }

    /// <summary>
    /// camelCase from PascalCase: the leading run of capitals is lowered, except the last one when a
    /// lowercase letter follows (<c>UUID</c> → <c>uuid</c>, <c>URLPath</c> → <c>urlPath</c>).
    /// Not escaped; see <see cref="Escape"/>.
    /// </summary>
    public static string ToCamelCase(string name, string fallback)
    {
        string pascal = ToPascalCase(name, fallback);
        if (pascal[0] == '_')
        {
            return pascal;
        }
        var chars = pascal.ToCharArray();
        int run = 0;
        while (run < chars.Length && IsUpper(chars[run]))
        {
            run++;
        }
        if (run == 0)
        {
            return pascal;
        }
        int lowerUpTo = run == 1 || run == chars.Length || !IsLetter(chars[run]) ? run : run - 1;
        for (int i = 0; i < lowerUpTo; i++)
        {
            chars[i] = char.ToLowerInvariant(chars[i]);
        }
        return new string(chars);
    }

    /// <summary>Whether <paramref name="ns"/> is a dotted C# namespace made of identifiers (empty is the global namespace).</summary>
    public static bool IsValidNamespace(string ns)
    {
        if (ns.Length == 0)
        {
            return true;
        }
        foreach (var part in ns.Split('.'))
        {
            string p = part.StartsWith("@", System.StringComparison.Ordinal) ? part.Substring(1) : part;
            if (p.Length == 0 || IsDigit(p[0]) || (s_keywords.Contains(p) && !part.StartsWith("@", System.StringComparison.Ordinal)))
            {
                return false;
            }
            foreach (char c in p)
            {
                if (!char.IsLetterOrDigit(c) && c != '_')
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static bool IsLetter(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

    private static bool IsUpper(char c) => c >= 'A' && c <= 'Z';

    private static bool IsDigit(char c) => c >= '0' && c <= '9';
}
