using DBus.CodeAnalysis;
using DBus.Shared;

namespace DBus;

/// <summary>
/// A validated D-Bus object path such as <c>/org/freedesktop/DBus</c> (type code <c>o</c>).
/// The default value is the root path <c>/</c>.
/// </summary>
public readonly struct ObjectPath : IEquatable<ObjectPath>
{
    private readonly string? _value;

    /// <summary>Validates <paramref name="value"/> as an object path.</summary>
    /// <exception cref="ArgumentException">The path breaks the specification; the message says how.</exception>
    public ObjectPath([DBusName(DBusNameKind.ObjectPath)] string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string? error = DBusNameValidator.ValidateObjectPath(value);
        if (error is not null)
        {
            ThrowHelper.ThrowArgument(nameof(value), $"'{value}' is not a valid object path: {error}");
        }
        _value = value;
    }

    // For strings already validated (read from the wire through the name cache).
    private ObjectPath(string value, bool validated)
    {
        _ = validated;
        _value = value;
    }

    /// <summary>The root path, <c>/</c>.</summary>
    public static ObjectPath Root => default;

    /// <summary>The path as a string.</summary>
    public string Value => _value ?? "/";

    internal static ObjectPath FromValidated(string value) => new(value, validated: true);

    /// <summary>Validates a string as an object path.</summary>
    /// <exception cref="ArgumentException">The path breaks the specification.</exception>
    public static implicit operator ObjectPath([DBusName(DBusNameKind.ObjectPath)] string value) => new(value);

    /// <summary>Returns <see cref="Value"/>.</summary>
    public override string ToString() => Value;

    /// <inheritdoc/>
    public bool Equals(ObjectPath other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ObjectPath other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <summary>Compares two paths ordinally.</summary>
    public static bool operator ==(ObjectPath left, ObjectPath right) => left.Equals(right);

    /// <summary>Compares two paths ordinally.</summary>
    public static bool operator !=(ObjectPath left, ObjectPath right) => !left.Equals(right);
}
