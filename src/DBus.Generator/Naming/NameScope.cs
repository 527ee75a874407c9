using System;
using System.Collections.Generic;

namespace DBus.Generator.Naming;

/// <summary>The identifiers already taken in one generated C# type.</summary>
internal sealed class NameScope
{
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    public NameScope(IEnumerable<string> reserved)
    {
        foreach (var name in reserved)
        {
            _taken.Add(name);
        }
    }

    public bool IsFree(string name) => !_taken.Contains(name);

    public void Claim(string name) => _taken.Add(name);
}
