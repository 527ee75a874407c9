using System.Collections.Generic;
using System.Globalization;

namespace DBus.Generator.Naming;

/// <summary>
/// Gives each member of one interface a C# base name such that none of the names derived from it
/// (see <see cref="NameTemplates"/>) clashes with another in the same generated type. Members are
/// claimed in a fixed order (methods, then properties, then signals, each in document order), so the
/// result is deterministic: the first keeps its name, later ones try <c>{B}Property</c> or
/// <c>{B}Signal</c>, then numbers 2, 3, …
/// </summary>
internal sealed class MemberNamer
{
    private readonly Dictionary<NameTemplates.Scope, NameScope> _scopes = new();

    public MemberNamer(string typeName)
    {
        foreach (NameTemplates.Scope scope in new[]
        {
            NameTemplates.Scope.Proxy, NameTemplates.Scope.Messages, NameTemplates.Scope.Properties, NameTemplates.Scope.Constants,
        })
        {
            _scopes[scope] = new NameScope(NameTemplates.Reserved(scope, typeName));
        }
    }

    /// <summary>Claims a base name for a member; returns <paramref name="preferred"/> when it is free.</summary>
    public string Claim(string preferred, MemberKind kind)
    {
        var templates = NameTemplates.For(kind);
        if (TryClaim(preferred, templates))
        {
            return preferred;
        }
        string? suffix = NameTemplates.FallbackSuffix(kind);
        string stem = preferred + suffix;
        if (suffix is not null && TryClaim(stem, templates))
        {
            return stem;
        }
        for (int n = 2; ; n++)
        {
            string candidate = stem + n.ToString(CultureInfo.InvariantCulture);
            if (TryClaim(candidate, templates))
            {
                return candidate;
            }
        }
    }

    private bool TryClaim(string baseName, IReadOnlyList<(NameTemplates.Scope Scope, string Format)> templates)
    {
        foreach (var (scope, format) in templates)
        {
            if (!_scopes[scope].IsFree(string.Format(CultureInfo.InvariantCulture, format, baseName)))
            {
                return false;
            }
        }
        foreach (var (scope, format) in templates)
        {
            _scopes[scope].Claim(string.Format(CultureInfo.InvariantCulture, format, baseName));
        }
        return true;
    }
}
