namespace DBus.Generator.Model;

/// <summary>A D-Bus signal. <paramref name="CSharpName"/> is the base name: <c>Watch{CSharpName}Async</c> on proxies.</summary>
internal sealed record SignalModel(
    string Name,
    string CSharpName,
    EquatableArray<ArgumentModel> Args,
    string Signature,
    bool Deprecated,
    string? Doc);
