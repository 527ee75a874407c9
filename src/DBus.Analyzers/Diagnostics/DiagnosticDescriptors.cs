using Microsoft.CodeAnalysis;

namespace DBus.Analyzers.Diagnostics;

/// <summary>
/// Every diagnostic the analyzers report (IDs DBG2xxx: problems in hand-written C# that uses the runtime).
/// docs/diagnostics.md has a bad and a fixed example of each; AnalyzerReleases.Unshipped.md tracks them.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "DBusGen";
    private const string HelpBase = "https://github.com/dbusgen/DBusGen/blob/main/docs/diagnostics.md#";

    public const string InvalidSignatureId = "DBG2001";
    public const string NotSingleCompleteTypeId = "DBG2002";
    public const string InvalidNameId = "DBG2003";
    public const string InvalidMatchRuleId = "DBG2004";
    public const string ArgumentCountMismatchId = "DBG2005";
    public const string ArgumentTypeMismatchId = "DBG2006";
    public const string BlockingCallInHandlerId = "DBG2007";

    /// <summary>Diagnostic property: the text a code fix inserts at the diagnostic's position (closing brackets).</summary>
    public const string MissingClosersProperty = "MissingClosers";

    /// <summary>Diagnostic property: a signature computed from the argument types, for the code fix.</summary>
    public const string SuggestedSignatureProperty = "SuggestedSignature";

    public static readonly DiagnosticDescriptor InvalidSignature = Create(
        InvalidSignatureId, DiagnosticSeverity.Error,
        "Invalid D-Bus signature",
        "'{0}' is not a valid D-Bus signature: {1} (at character {2})");

    public static readonly DiagnosticDescriptor NotSingleCompleteType = Create(
        NotSingleCompleteTypeId, DiagnosticSeverity.Error,
        "Signature is not a single complete type",
        "'{0}' must be exactly one complete type here: {1}");

    public static readonly DiagnosticDescriptor InvalidName = Create(
        InvalidNameId, DiagnosticSeverity.Error,
        "Invalid D-Bus name or object path",
        "'{0}' is not a valid {1}: {2}");

    public static readonly DiagnosticDescriptor InvalidMatchRule = Create(
        InvalidMatchRuleId, DiagnosticSeverity.Error,
        "Invalid match rule",
        "Invalid match rule: {0} (at character {1})");

    public static readonly DiagnosticDescriptor ArgumentCountMismatch = Create(
        ArgumentCountMismatchId, DiagnosticSeverity.Error,
        "Argument count does not match the signature",
        "Signature '{0}' holds {1} complete type(s) but {2} argument(s) are given");

    public static readonly DiagnosticDescriptor ArgumentTypeMismatch = Create(
        ArgumentTypeMismatchId, DiagnosticSeverity.Error,
        "Argument type does not match the signature",
        "Argument {0} ('{1}') is of type '{2}' but signature '{3}' expects '{4}' there ({5})");

    public static readonly DiagnosticDescriptor BlockingCallInHandler = Create(
        BlockingCallInHandlerId, DiagnosticSeverity.Warning,
        "Blocking call on the connection's dispatch thread",
        "'{0}' blocks until the connection answers, but {1} runs on the connection's dispatch thread, which then cannot read the answer: this deadlocks; use the async form");

    /// <summary>DBG2007 for a handler passed as a method group from another type: settled at the end of the
    /// compilation, so it carries the CompilationEnd tag (editors show it with full-solution analysis and builds).</summary>
    public static readonly DiagnosticDescriptor BlockingCallInCrossTypeHandler = new(
        BlockingCallInHandlerId, BlockingCallInHandler.Title, BlockingCallInHandler.MessageFormat, Category, DiagnosticSeverity.Warning,
        isEnabledByDefault: true, helpLinkUri: HelpBase + BlockingCallInHandlerId.ToLowerInvariant(), customTags: WellKnownDiagnosticTags.CompilationEnd);

    private static DiagnosticDescriptor Create(string id, DiagnosticSeverity severity, string title, string message) =>
        new(id, title, message, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());
}
