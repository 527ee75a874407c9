namespace DBus.CodeAnalysis;

/// <summary>
/// Marks a <c>params object?[]</c> (or <c>ReadOnlySpan&lt;object?&gt;</c>) parameter whose values are written
/// with the signature given in another parameter of the same method. The DBusGen analyzers check the number and
/// the C# types of the arguments against a literal or constant signature.
/// </summary>
/// <param name="signatureParameter">The name of the parameter that holds the signature.</param>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class DBusArgumentsAttribute(string signatureParameter) : Attribute
{
    /// <summary>The name of the parameter that holds the signature.</summary>
    public string SignatureParameter { get; } = signatureParameter;
}
