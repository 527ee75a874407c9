using System.Collections;
using DBus.CodeAnalysis;
using DBus.Shared;

namespace DBus;

/// <summary>
/// A validated D-Bus type signature (type code <c>g</c>) made of zero or more complete types, such as
/// <c>a{sv}</c> or <c>si(ii)</c>. Enumerating it yields each complete type as a signature of its own.
/// The default value is the empty signature.
/// </summary>
public readonly struct Signature : IEquatable<Signature>, IReadOnlyList<Signature>
{
    private readonly SignatureInfo? _info;

    /// <summary>Validates and parses <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">The signature breaks the specification; the message says how and where.</exception>
    public Signature([DBusSignature] string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _info = SignatureInfo.TryGet(value, out var error);
        if (_info is null)
        {
            ThrowHelper.ThrowArgument(nameof(value), $"'{value}' is not a valid D-Bus signature: {error}");
        }
    }

    internal Signature(SignatureInfo info) => _info = info;

    /// <summary>The empty signature (no types), as used by a message without a body.</summary>
    public static Signature Empty => default;

    /// <summary>The signature text.</summary>
    public string Value => Info.Text;

    /// <summary>Whether the signature holds no type at all.</summary>
    public bool IsEmpty => Info.Nodes.Length == 0;

    /// <summary>Whether the signature is exactly one complete type (what a variant or an array element holds).</summary>
    public bool IsSingleCompleteType => Info.Nodes.Length == 1;

    /// <summary>The number of complete types.</summary>
    public int Count => Info.Nodes.Length;

    /// <summary>The complete type at <paramref name="index"/>.</summary>
    public Signature this[int index] => Info.CompleteTypes[index];

    /// <summary>The type of the first complete type (<see cref="DBusType.Invalid"/> when empty).</summary>
    public DBusType FirstType => Info.Nodes.Length == 0 ? DBusType.Invalid : (DBusType)Info.Text[0];

    internal SignatureInfo Info => _info ?? SignatureInfo.Empty;

    /// <summary>The parsed single complete type; only for signatures known to hold exactly one.</summary>
    internal SignatureNode Node => Info.Nodes[0];

    internal static Signature FromNode(SignatureNode node) => new(SignatureInfo.GetValidated(node.Text));

    internal static Signature FromValidated(string text) => new(SignatureInfo.GetValidated(text));

    /// <summary>Validates a string as a signature.</summary>
    /// <exception cref="ArgumentException">The signature breaks the specification.</exception>
    public static implicit operator Signature([DBusSignature] string value) => new(value);

    /// <summary>Returns an enumerator over the complete types.</summary>
    public Enumerator GetEnumerator() => new(Info.CompleteTypes);

    IEnumerator<Signature> IEnumerable<Signature>.GetEnumerator() => ((IEnumerable<Signature>)Info.CompleteTypes).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => Info.CompleteTypes.GetEnumerator();

    /// <summary>Returns <see cref="Value"/>.</summary>
    public override string ToString() => Value;

    /// <inheritdoc/>
    public bool Equals(Signature other) =>
        ReferenceEquals(Info, other.Info) || string.Equals(Info.Text, other.Info.Text, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Signature other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Info.Text);

    /// <summary>Compares two signatures ordinally.</summary>
    public static bool operator ==(Signature left, Signature right) => left.Equals(right);

    /// <summary>Compares two signatures ordinally.</summary>
    public static bool operator !=(Signature left, Signature right) => !left.Equals(right);

    /// <summary>Enumerates the complete types of a signature without allocating.</summary>
    public struct Enumerator
    {
        private readonly Signature[] _types;
        private int _index;

        internal Enumerator(Signature[] types)
        {
            _types = types;
            _index = -1;
        }

        /// <summary>The current complete type.</summary>
        public readonly Signature Current => _types[_index];

        /// <summary>Moves to the next complete type.</summary>
        public bool MoveNext() => ++_index < _types.Length;
    }
}
