namespace DBus.Generator.Naming;

/// <summary>The kinds of D-Bus members, each with its own generated names.</summary>
internal enum MemberKind
{
    Method,
    Property,
    Signal,
}
