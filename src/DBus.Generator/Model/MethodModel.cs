namespace DBus.Generator.Model;

/// <summary>A D-Bus method. <paramref name="CSharpName"/> is the base name: <c>{CSharpName}Async</c> on proxies, which
/// returns a <c>ValueTask</c> when <paramref name="ValueTask"/> (opted in to <c>org.dbusgen.ValueTasks</c>).</summary>
internal sealed record MethodModel(
    string Name,
    string CSharpName,
    EquatableArray<ArgumentModel> InArgs,
    EquatableArray<ArgumentModel> OutArgs,
    string InSignature,
    string OutSignature,
    bool NoReply,
    bool Deprecated,
    string? Doc,
    bool ValueTask = false);
