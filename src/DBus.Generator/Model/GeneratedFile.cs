namespace DBus.Generator.Model;

/// <summary>The emitted text of one interface, or the diagnostics that stopped it.</summary>
internal sealed record GeneratedFile(
    string HintName,
    string? Source,
    LocationInfo Location,
    string InterfaceName,
    string Namespace,
    EquatableArray<DiagnosticInfo> Diagnostics);
