// Linked source: compiled into DBus.Runtime, DBus.Generator and DBus.Analyzers.
// Keep it netstandard2.0-compatible and free of dependencies.
namespace DBus.Shared;

/// <summary>Why a signature is invalid, and at which character.</summary>
internal sealed class SignatureError
{
    public SignatureError(int position, string reason)
    {
        Position = position;
        Reason = reason;
    }

    /// <summary>Zero-based index of the character where the signature goes wrong
    /// (equal to the length when the signature ends too early).</summary>
    public int Position { get; }

    /// <summary>A sentence that says what is wrong, without the position.</summary>
    public string Reason { get; }

    public override string ToString() => $"{Reason} (at character {Position})";
}
