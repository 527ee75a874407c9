using System.Collections.Concurrent;
using System.Text;
using DBus.Shared;

namespace DBus;

/// <summary>
/// A validated, parsed signature, shared by every <see cref="Signature"/> with the same text. Instances are
/// cached (up to a bound) so signatures read from the wire cost neither an allocation nor a second parse.
/// </summary>
internal sealed class SignatureInfo
{
    private const int MaxEntries = 4096;

    private static readonly ConcurrentDictionary<string, SignatureInfo> s_cache = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, SignatureInfo>.AlternateLookup<ReadOnlySpan<char>> s_lookup =
        s_cache.GetAlternateLookup<ReadOnlySpan<char>>();

    public static readonly SignatureInfo Empty = new(string.Empty, []);

    private Signature[]? _completeTypes;

    private SignatureInfo(string text, SignatureNode[] nodes)
    {
        Text = text;
        Nodes = nodes;
        Utf8 = Encoding.ASCII.GetBytes(text);
    }

    public string Text { get; }

    public byte[] Utf8 { get; }

    /// <summary>The complete types, in order.</summary>
    public SignatureNode[] Nodes { get; }

    /// <summary>The complete types as signatures of their own (built once, on first use).</summary>
    public Signature[] CompleteTypes => _completeTypes ??= BuildCompleteTypes();

    private Signature[] BuildCompleteTypes()
    {
        if (Nodes.Length == 1)
        {
            return [new Signature(this)];
        }
        var result = new Signature[Nodes.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = new Signature(GetValidated(Nodes[i].Text));
        }
        return result;
    }

    /// <summary>Parses and validates; returns null with <paramref name="error"/> set when the text is invalid.</summary>
    public static SignatureInfo? TryGet(string text, out SignatureError? error)
    {
        error = null;
        if (text.Length == 0)
        {
            return Empty;
        }
        if (s_cache.TryGetValue(text, out var known))
        {
            return known;
        }
        error = SignatureParser.TryParse(text, out var nodes);
        if (error is not null)
        {
            return null;
        }
        return Add(new SignatureInfo(text, nodes.ToArray()));
    }

    /// <summary>A signature read from the wire: at most 255 bytes, checked for ASCII before the lookup.</summary>
    public static SignatureInfo? TryGet(ReadOnlySpan<byte> utf8, out SignatureError? error)
    {
        error = null;
        if (utf8.Length == 0)
        {
            return Empty;
        }
        if (utf8.Length <= SignatureParser.MaxLength && Ascii.IsValid(utf8))
        {
            Span<char> chars = stackalloc char[utf8.Length];
            Ascii.ToUtf16(utf8, chars, out _);
            if (s_lookup.TryGetValue(chars, out var known))
            {
                return known;
            }
            return TryGet(new string(chars), out error);
        }
        return TryGet(Encoding.UTF8.GetString(utf8), out error);
    }

    /// <summary>For text this library built from valid parts.</summary>
    public static SignatureInfo GetValidated(string text)
    {
        var info = TryGet(text, out var error);
        if (info is null)
        {
            throw new InvalidOperationException($"internal error: built an invalid signature '{text}': {error}");
        }
        return info;
    }

    private static SignatureInfo Add(SignatureInfo info)
    {
        if (s_cache.Count >= MaxEntries)
        {
            return info;
        }
        return s_cache.GetOrAdd(info.Text, info);
    }
}
