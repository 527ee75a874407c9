namespace DBus;

/// <summary>The <c>org.freedesktop.DBus.Property.EmitsChangedSignal</c> annotation of a property.</summary>
internal enum EmitsChangedSignal
{
    /// <summary>PropertiesChanged carries the new value (the default).</summary>
    True,

    /// <summary>PropertiesChanged names the property as invalidated, without its value.</summary>
    Invalidates,

    /// <summary>The value never changes; no signal.</summary>
    Const,

    /// <summary>No signal is emitted for changes.</summary>
    False,
}
