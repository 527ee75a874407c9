using System.Collections.Concurrent;
using System.Text;
using DBus.Shared;

namespace DBus;

/// <summary>
/// Remembers names (object paths, interface, member, error and bus names) already read and validated, keyed by
/// their bytes, so a connection that sees the same few names over and over neither allocates nor re-validates them.
/// </summary>
/// <remarks>
/// Every valid name of these kinds is ASCII, so the UTF-8 bytes widen to the chars of the key one to one.
/// The cache stops growing at a bound so a peer sending endless distinct names costs only the allocation.
/// </remarks>
internal sealed class ValidatedNameCache
{
    private const int MaxEntries = 4096;
    private const int MaxCachedLength = 256;

    public static readonly ValidatedNameCache ObjectPaths = new(DBusNameValidator.ValidateObjectPath);
    public static readonly ValidatedNameCache InterfaceNames = new(DBusNameValidator.ValidateInterfaceName);
    public static readonly ValidatedNameCache MemberNames = new(DBusNameValidator.ValidateMemberName);
    public static readonly ValidatedNameCache ErrorNames = new(DBusNameValidator.ValidateErrorName);
    public static readonly ValidatedNameCache BusNames = new(DBusNameValidator.ValidateBusName);

    private readonly ConcurrentDictionary<string, bool> _names = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Func<string, string?> _validate;

    private ValidatedNameCache(Func<string, string?> validate)
    {
        _validate = validate;
        _lookup = _names.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Returns the validated name for <paramref name="utf8"/>, or null with <paramref name="error"/> set.</summary>
    public string? Get(ReadOnlySpan<byte> utf8, out string? error)
    {
        error = null;
        if (utf8.Length <= MaxCachedLength && Ascii.IsValid(utf8))
        {
            Span<char> chars = stackalloc char[utf8.Length];
            Ascii.ToUtf16(utf8, chars, out _);
            if (_lookup.TryGetValue(chars, out string? known, out _))
            {
                return known;
            }
        }
        string name = Encoding.UTF8.GetString(utf8);
        error = _validate(name);
        if (error is not null)
        {
            return null;
        }
        if (utf8.Length <= MaxCachedLength && _names.Count < MaxEntries)
        {
            _names.TryAdd(name, true);
        }
        return name;
    }
}
