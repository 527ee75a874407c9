using System.Collections.Generic;

namespace DBus.Generator.Naming;

/// <summary>
/// Every C# name the generated code derives from a member's base name, grouped by the generated type
/// it lives in. The clash resolver checks all of them, so two members never produce the same
/// identifier in the same type. docs/generator.md holds the same table; keep them in step.
/// </summary>
internal static class NameTemplates
{
    /// <summary>The generated types whose members are derived from D-Bus members.</summary>
    public enum Scope
    {
        /// <summary><c>{N}Proxy</c> and <c>I{N}Handler</c> (and the server's dispatch): one scope, as they mirror each other.</summary>
        Proxy,
        /// <summary><c>{N}Messages</c>: builds call and signal messages, reads replies.</summary>
        Messages,
        /// <summary><c>{N}Properties</c>: one C# property per D-Bus property.</summary>
        Properties,
        /// <summary><c>{N}Interface</c>: names, signatures and introspection XML as constants.</summary>
        Constants,
    }

    public static readonly string[] ObjectMembers =
    {
        "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize", "ReferenceEquals",
    };

    /// <summary>The templates of one member kind: (scope, format) where {0} is the base name.</summary>
    public static IReadOnlyList<(Scope Scope, string Format)> For(MemberKind kind) => kind switch
    {
        MemberKind.Method => s_method,
        MemberKind.Property => s_property,
        _ => s_signal,
    };

    /// <summary>The suffix tried before numbering when a base name clashes (none for methods: overloads get numbers).</summary>
    public static string? FallbackSuffix(MemberKind kind) => kind switch
    {
        MemberKind.Property => "Property",
        MemberKind.Signal => "Signal",
        _ => null,
    };

    /// <summary>Names each scope holds before any D-Bus member is added.</summary>
    public static IEnumerable<string> Reserved(Scope scope, string typeName)
    {
        foreach (var name in ObjectMembers)
        {
            yield return name;
        }
        string[] fixedNames = scope switch
        {
            Scope.Proxy => new[]
            {
                typeName + "Proxy", "I" + typeName + "Handler", "Connection", "Destination", "Path", "Messages",
                "Timeout", "WithTimeout", "GetAllPropertiesAsync", "WatchPropertiesChangedAsync", "ReadPropertiesChangedAsync",
                "Dispose", "DisposeAsync",
                // I{N}Handler inherits these from IDBusInterfaceHandler: a generated member must not hide one.
                "InterfaceName", "IntrospectionXml", "HandleCallAsync", "WriteProperty", "SetProperty",
            },
            Scope.Messages => new[]
            {
                typeName + "Messages", "Destination", "Path", "Interface", "GetAll", "ReadGetAll",
                "ReadPropertiesChanged",
            },
            Scope.Properties => new[]
            {
                typeName + "Properties", "EqualityContract", "PrintMembers", "Deconstruct",
            },
            _ => new[] { typeName + "Interface", "Name", "IntrospectionXml" },
        };
        foreach (var name in fixedNames)
        {
            yield return name;
        }
    }

    private static readonly (Scope, string)[] s_method =
    {
        (Scope.Proxy, "{0}Async"),
        (Scope.Messages, "{0}"),
        (Scope.Messages, "Read{0}Reply"),
        (Scope.Constants, "{0}Method"),
    };

    private static readonly (Scope, string)[] s_property =
    {
        (Scope.Proxy, "Get{0}Async"),
        (Scope.Proxy, "Set{0}Async"),
        (Scope.Messages, "Get{0}"),
        (Scope.Messages, "Set{0}"),
        (Scope.Messages, "Read{0}"),
        (Scope.Properties, "{0}"),
        (Scope.Constants, "{0}Property"),
    };

    private static readonly (Scope, string)[] s_signal =
    {
        (Scope.Proxy, "Watch{0}Async"),
        (Scope.Proxy, "Read{0}Async"),
        (Scope.Proxy, "Emit{0}Async"),
        (Scope.Messages, "{0}"),
        (Scope.Messages, "Read{0}"),
        (Scope.Constants, "{0}Signal"),
    };
}
