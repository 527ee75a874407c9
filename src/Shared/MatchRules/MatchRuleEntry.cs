// Linked source: compiled into DBus.Runtime, DBus.Generator and DBus.Analyzers.
namespace DBus.Shared;

/// <summary>One <c>key=value</c> pair of a parsed match rule, with where it stands in the text.</summary>
internal sealed class MatchRuleEntry
{
    public MatchRuleEntry(MatchRuleKey key, int argIndex, string value, int keyStart, int valueStart)
    {
        Key = key;
        ArgIndex = argIndex;
        Value = value;
        KeyStart = keyStart;
        ValueStart = valueStart;
    }

    public MatchRuleKey Key { get; }

    /// <summary>N of argN and argNpath; 0 otherwise.</summary>
    public int ArgIndex { get; }

    /// <summary>The value with quotes and escapes removed.</summary>
    public string Value { get; }

    public int KeyStart { get; }

    public int ValueStart { get; }
}
