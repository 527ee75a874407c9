using System;
using System.Collections.Generic;
using System.Collections.Immutable;

namespace DBus.Generator.Model;

/// <summary>A file's claim on a hint name. Roslyn compares hint names ignoring case.</summary>
internal sealed record HintClaim(string HintName, string FilePath)
{
    public bool Equals(HintClaim? other) =>
        other is not null
        && StringComparer.OrdinalIgnoreCase.Equals(HintName, other.HintName)
        && StringComparer.Ordinal.Equals(FilePath, other.FilePath);

    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(HintName);

    /// <summary>
    /// The claims that lose: for each hint name, the first file in AdditionalFiles order keeps it and
    /// every later file loses. (A file never claims a hint name twice: the parser numbers its own.)
    /// </summary>
    public static EquatableArray<HintClaim> Losers(ImmutableArray<HintClaim> claims)
    {
        var winners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var losers = new List<HintClaim>();
        foreach (var claim in claims)
        {
            if (!winners.TryGetValue(claim.HintName, out var path))
            {
                winners.Add(claim.HintName, claim.FilePath);
            }
            else if (path != claim.FilePath)
            {
                losers.Add(claim);
            }
        }
        return new EquatableArray<HintClaim>(losers.ToArray());
    }
}
