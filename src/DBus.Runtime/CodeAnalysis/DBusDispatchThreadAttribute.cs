namespace DBus.CodeAnalysis;

/// <summary>
/// Marks a delegate-typed parameter whose delegate runs on the connection's dispatch thread (a signal or method
/// handler), or an interface whose implementations' methods run there. Lambdas, anonymous methods and method
/// groups passed to such a parameter, and methods that implement a method of such an interface or of an interface
/// derived from it, are handlers: the DBusGen analyzers warn about calls to <see cref="DBusBlockingAttribute"/>
/// methods inside them.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Interface, Inherited = false)]
public sealed class DBusDispatchThreadAttribute : Attribute
{
}
