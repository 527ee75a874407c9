namespace DBus.CodeAnalysis;

/// <summary>
/// Marks a string parameter, property or field whose value is a match rule in its string form
/// (<c>type='signal',interface='org.example.Iface'</c>). The DBusGen analyzers parse literal and constant values.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
public sealed class DBusMatchRuleAttribute : Attribute
{
}
