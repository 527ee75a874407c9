namespace DBus.CodeAnalysis;

/// <summary>
/// Marks a string (or <see cref="DBus.ObjectPath"/>) parameter, property or field whose value is a D-Bus name
/// or object path. The DBusGen analyzers check literal and constant values given to it.
/// </summary>
/// <param name="kind">Which rules the name follows.</param>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
public sealed class DBusNameAttribute(DBusNameKind kind) : Attribute
{
    /// <summary>Which rules the name follows.</summary>
    public DBusNameKind Kind { get; } = kind;
}
