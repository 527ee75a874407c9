namespace DBus.Generator.Model;

/// <summary>The result of parsing one XML file: its interfaces ready to emit, and what to report.</summary>
internal sealed record FileModel(
    string Path,
    EquatableArray<InterfaceModel> Interfaces,
    EquatableArray<DiagnosticInfo> Diagnostics);
