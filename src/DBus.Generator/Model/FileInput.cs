namespace DBus.Generator.Model;

/// <summary>
/// One XML file selected for generation: its path, its text and the settings from its item metadata.
/// Plain values only: the parse step reruns exactly when one of them changes.
/// </summary>
internal sealed record FileInput(
    string Path,
    string Text,
    string GenerateMetadata,
    string Namespace,
    string FaultInjection,
    string PooledArrays = "",
    string ValueTasks = "");
