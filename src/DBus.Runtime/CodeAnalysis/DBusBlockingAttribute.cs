namespace DBus.CodeAnalysis;

/// <summary>
/// Marks a method that blocks the calling thread until the connection answers. Called from code that runs on the
/// connection's dispatch thread (see <see cref="DBusDispatchThreadAttribute"/>) it would wait for a reply that
/// thread can never read; the DBusGen analyzers warn about such calls.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor, Inherited = false)]
public sealed class DBusBlockingAttribute : Attribute
{
}
