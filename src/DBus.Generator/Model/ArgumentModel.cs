namespace DBus.Generator.Model;

/// <summary>
/// An argument of a method or signal.
/// </summary>
/// <param name="Name">The D-Bus name, or null when the XML gives none.</param>
/// <param name="ParameterName">The C# parameter name, camelCase, escaped with <c>@</c> when it is a keyword.</param>
/// <param name="ElementName">The PascalCase tuple element name, or null for an unnamed element.</param>
/// <param name="Signature">The D-Bus type: one single complete type.</param>
/// <param name="CSharpType">The C# type of the single complete type <paramref name="Signature"/>.</param>
/// <param name="Doc">Plain-text documentation, if any.</param>
/// <param name="Pooled">Opted in to <c>org.dbusgen.PooledArrays</c> (only ever true for an array of a pooled element type):
/// sent as <c>ReadOnlyMemory&lt;T&gt;</c>, received as <c>PooledArray&lt;T&gt;</c>.</param>
internal sealed record ArgumentModel(
    string? Name,
    string ParameterName,
    string? ElementName,
    string Signature,
    string CSharpType,
    string? Doc,
    bool Pooled = false);
