using DBus.Shared;

namespace DBus;

/// <summary>
/// Any D-Bus value together with its signature (one complete type): a basic value, an array, a dictionary,
/// a struct, a nested variant or a <see cref="UnixFd"/>. Variants compare by value.
/// </summary>
/// <remarks>
/// Basic values convert implicitly (<c>Variant v = 42;</c> holds an <c>i</c>); containers come from
/// <see cref="CreateArray(Signature, ReadOnlySpan{Variant})"/>, <see cref="CreateDictionary(Signature, Signature, IEnumerable{KeyValuePair{Variant, Variant}})"/>,
/// <see cref="CreateStruct(ReadOnlySpan{Variant})"/> and <see cref="FromVariant"/>. A variant that holds a
/// <see cref="UnixFd"/> (<see cref="HasUnixFds"/>) owns it: <see cref="Dispose"/> closes it, and every variant a
/// reader returns should be disposed (a no-op without descriptors).
/// </remarks>
public readonly partial struct Variant : IEquatable<Variant>
{
    // One complete type; null only in default(Variant).
    private readonly SignatureInfo? _signature;

    // Fixed-size values (y b n q i u x t d) live in _bits (a double as its bit pattern).
    private readonly long _bits;

    // string (s, o), SignatureInfo (g), UnixFd (h), VariantBox (v), Variant[] (array elements, struct fields),
    // byte[] (ay, kept whole so a blob is not a million variants), KeyValuePair<Variant, Variant>[] (a{..}).
    private readonly object? _object;

    private Variant(SignatureInfo signature, long bits, object? obj)
    {
        _signature = signature;
        _bits = bits;
        _object = obj;
    }

    /// <summary>The signature of the value: exactly one complete type (empty for a default variant).</summary>
    public Signature Signature => _signature is null ? Signature.Empty : new Signature(_signature);

    /// <summary>The outermost type of the value.</summary>
    public DBusType Type => _signature is null ? DBusType.Invalid : (DBusType)_signature.Text[0];

    /// <summary>Whether this is a default variant that holds nothing (it cannot be written).</summary>
    public bool IsEmpty => _signature is null;

    internal SignatureNode Node => _signature is null
        ? ThrowHelper.ThrowInvalidOperation<SignatureNode>("the variant is empty (default): it holds no value")
        : _signature.Nodes[0];

    internal SignatureInfo SignatureInfo => _signature ?? SignatureInfo.Empty;

    internal long Bits => _bits;

    internal object? Object => _object;

    internal static Variant FromParts(SignatureInfo signature, long bits, object? obj) => new(signature, bits, obj);

    /// <summary>Holds a value that is itself a variant (signature <c>v</c>).</summary>
    public static Variant FromVariant(Variant inner)
    {
        if (inner.IsEmpty)
        {
            ThrowHelper.ThrowArgument(nameof(inner), "cannot nest an empty (default) variant");
        }
        return new Variant(Signatures.Variant, 0, new VariantBox(inner));
    }

    /// <summary>Boxes a nested variant: a struct cannot contain itself.</summary>
    internal sealed class VariantBox(Variant value)
    {
        public Variant Value { get; } = value;
    }

    /// <summary>Signatures of the basic types, shared so basic variants allocate nothing.</summary>
    internal static class Signatures
    {
        public static readonly SignatureInfo Byte = SignatureInfo.GetValidated("y");
        public static readonly SignatureInfo Boolean = SignatureInfo.GetValidated("b");
        public static readonly SignatureInfo Int16 = SignatureInfo.GetValidated("n");
        public static readonly SignatureInfo UInt16 = SignatureInfo.GetValidated("q");
        public static readonly SignatureInfo Int32 = SignatureInfo.GetValidated("i");
        public static readonly SignatureInfo UInt32 = SignatureInfo.GetValidated("u");
        public static readonly SignatureInfo Int64 = SignatureInfo.GetValidated("x");
        public static readonly SignatureInfo UInt64 = SignatureInfo.GetValidated("t");
        public static readonly SignatureInfo Double = SignatureInfo.GetValidated("d");
        public static readonly SignatureInfo String = SignatureInfo.GetValidated("s");
        public static readonly SignatureInfo ObjectPath = SignatureInfo.GetValidated("o");
        public static readonly SignatureInfo Signature = SignatureInfo.GetValidated("g");
        public static readonly SignatureInfo UnixFd = SignatureInfo.GetValidated("h");
        public static readonly SignatureInfo Variant = SignatureInfo.GetValidated("v");
        public static readonly SignatureInfo ByteArray = SignatureInfo.GetValidated("ay");
        public static readonly SignatureInfo StringArray = SignatureInfo.GetValidated("as");
        public static readonly SignatureInfo StringVariantDictionary = SignatureInfo.GetValidated("a{sv}");
    }
}
