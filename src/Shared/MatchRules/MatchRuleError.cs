// Linked source: compiled into DBus.Runtime, DBus.Generator and DBus.Analyzers.
namespace DBus.Shared;

/// <summary>Why a match rule is invalid, and at which character.</summary>
internal sealed class MatchRuleError
{
    public MatchRuleError(int position, int length, string reason)
    {
        Position = position;
        Length = length;
        Reason = reason;
    }

    /// <summary>Zero-based index of the character where the rule goes wrong.</summary>
    public int Position { get; }

    /// <summary>How many characters from <see cref="Position"/> are to blame (at least 0).</summary>
    public int Length { get; }

    /// <summary>A sentence that says what is wrong, without the position.</summary>
    public string Reason { get; }

    public override string ToString() => $"{Reason} (at character {Position})";
}
