namespace DBus;

/// <summary>A declared property.</summary>
internal sealed record PropertyDescription(string Name, Signature Type, bool CanRead, bool CanWrite, EmitsChangedSignal? Emits);
