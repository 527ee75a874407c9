namespace DBus.CodeAnalysis;

/// <summary>
/// Marks a string (or <see cref="Signature"/>) parameter, property or field whose value is a D-Bus type
/// signature. The DBusGen analyzers check literal and constant values given to it.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
public sealed class DBusSignatureAttribute : Attribute
{
    /// <summary>Whether the value must be exactly one complete type (as a variant or an array element holds),
    /// rather than zero or more.</summary>
    public bool SingleCompleteType { get; set; }
}
