// Linked source: compiled into DBus.Runtime, DBus.Generator and DBus.Analyzers.
namespace DBus.Shared;

/// <summary>The keys a match rule may hold ("Match Rules" in the specification).</summary>
internal enum MatchRuleKey
{
    Type,
    Sender,
    Interface,
    Member,
    Path,
    PathNamespace,
    Destination,
    Arg,
    ArgPath,
    Arg0Namespace,
    Eavesdrop,
}
