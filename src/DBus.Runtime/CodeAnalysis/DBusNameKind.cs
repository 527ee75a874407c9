namespace DBus.CodeAnalysis;

/// <summary>Which D-Bus name rules a value marked with <see cref="DBusNameAttribute"/> follows.</summary>
public enum DBusNameKind
{
    /// <summary>A unique (<c>:1.42</c>) or well-known (<c>org.example.App</c>) bus name.</summary>
    BusName,

    /// <summary>A well-known bus name only (<c>org.example.App</c>), as given to RequestName.</summary>
    WellKnownBusName,

    /// <summary>An interface name (<c>org.freedesktop.DBus.Properties</c>).</summary>
    InterfaceName,

    /// <summary>A method, signal or property name (<c>GetAll</c>).</summary>
    MemberName,

    /// <summary>An error name (<c>org.freedesktop.DBus.Error.Failed</c>).</summary>
    ErrorName,

    /// <summary>An object path (<c>/org/freedesktop/DBus</c>).</summary>
    ObjectPath,
}
