namespace DBus.Generator.Model;

/// <summary>Whether a property can be read, written or both.</summary>
internal enum PropertyAccess
{
    Read = 1,
    Write = 2,
    ReadWrite = 3,
}

/// <summary>The value of <c>org.freedesktop.DBus.Property.EmitsChangedSignal</c>.</summary>
internal enum ChangedSignalKind
{
    /// <summary>PropertiesChanged carries the new value (the default).</summary>
    True,
    /// <summary>PropertiesChanged names the property without its value.</summary>
    Invalidates,
    /// <summary>The value never changes while the object exists.</summary>
    Const,
    /// <summary>No PropertiesChanged signal for this property.</summary>
    False,
}

/// <summary>A D-Bus property. <paramref name="CSharpName"/> is the base name: <c>Get{CSharpName}Async</c> on proxies;
/// the accessors return a <c>ValueTask</c> when <paramref name="ValueTask"/> (opted in to <c>org.dbusgen.ValueTasks</c>).</summary>
internal sealed record PropertyModel(
    string Name,
    string CSharpName,
    string Signature,
    string CSharpType,
    PropertyAccess Access,
    ChangedSignalKind EmitsChangedSignal,
    bool Deprecated,
    string? Doc,
    bool ValueTask = false);
