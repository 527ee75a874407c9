using Microsoft.CodeAnalysis;

namespace DBus.Generator.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports (IDs DBG1xxx: problems in introspection XML or in the
/// MSBuild items). docs/diagnostics.md has one example each; AnalyzerReleases.Unshipped.md tracks them.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "DBusGen";
    private const string HelpBase = "https://github.com/dbusgen/DBusGen/blob/main/docs/diagnostics.md#";

    public static readonly DiagnosticDescriptor MalformedXml = Create(
        "DBG1001", DiagnosticSeverity.Error,
        "Malformed introspection XML",
        "The XML is not well-formed: {0}");

    public static readonly DiagnosticDescriptor InvalidSignature = Create(
        "DBG1002", DiagnosticSeverity.Error,
        "Invalid type signature",
        "Type '{0}' of {1} is not a valid single complete type: {2} (at character {3}); {4} is skipped");

    public static readonly DiagnosticDescriptor InvalidName = Create(
        "DBG1003", DiagnosticSeverity.Warning,
        "Name not allowed by the D-Bus specification",
        "{0} name '{1}' is not valid D-Bus: {2}; the generated code still uses it");

    public static readonly DiagnosticDescriptor DuplicateName = Create(
        "DBG1004", DiagnosticSeverity.Warning,
        "Duplicate name",
        "{0} '{1}' is declared more than once in {2}; {3}");

    public static readonly DiagnosticDescriptor UnknownDirection = Create(
        "DBG1005", DiagnosticSeverity.Error,
        "Unknown argument direction",
        "Argument direction '{0}' is neither 'in' nor 'out'; {1} is skipped");

    public static readonly DiagnosticDescriptor UnknownAccess = Create(
        "DBG1006", DiagnosticSeverity.Error,
        "Unknown property access",
        "Property access '{0}' is not 'read', 'write' or 'readwrite'; property '{1}' is skipped");

    public static readonly DiagnosticDescriptor MissingAttribute = Create(
        "DBG1007", DiagnosticSeverity.Error,
        "Missing required attribute",
        "<{0}> has no '{1}' attribute; {2} is skipped");

    public static readonly DiagnosticDescriptor UnknownElement = Create(
        "DBG1008", DiagnosticSeverity.Warning,
        "Unknown element",
        "<{0}> is not part of D-Bus introspection XML inside <{1}>; it is ignored");

    public static readonly DiagnosticDescriptor NotIntrospection = Create(
        "DBG1009", DiagnosticSeverity.Error,
        "Not an introspection document",
        "The root element is <{0}>; D-Bus introspection XML starts with <node> or <interface>");

    public static readonly DiagnosticDescriptor InvalidAnnotationValue = Create(
        "DBG1010", DiagnosticSeverity.Warning,
        "Invalid annotation value",
        "Annotation '{0}' has the value '{1}' where {2} is expected; it is ignored");

    public static readonly DiagnosticDescriptor InvalidCSharpName = Create(
        "DBG1011", DiagnosticSeverity.Warning,
        "Invalid C# name annotation",
        "org.dbusgen.CSharpName '{0}' is not a usable C# identifier (ASCII letters, digits and '_', not a keyword, not starting with a digit or '__'); it is ignored");

    public static readonly DiagnosticDescriptor NameAdjusted = Create(
        "DBG1012", DiagnosticSeverity.Info,
        "C# name adjusted to avoid a clash",
        "The C# name '{0}' of {1} '{2}' would clash with another generated name; '{3}' is used instead");

    public static readonly DiagnosticDescriptor StandardInterface = Create(
        "DBG1013", DiagnosticSeverity.Info,
        "Standard interface handled by the runtime",
        "Interface '{0}' is a standard interface that the runtime implements; no code is generated for it");

    public static readonly DiagnosticDescriptor InvalidGenerateMetadata = Create(
        "DBG1014", DiagnosticSeverity.Warning,
        "Invalid DBusGenerate value",
        "DBusGenerate value '{0}' is not 'Client' or 'Server'; it is ignored");

    public static readonly DiagnosticDescriptor InvalidNamespace = Create(
        "DBG1015", DiagnosticSeverity.Error,
        "Invalid namespace",
        "DBusNamespace '{0}' is not a valid C# namespace; no code is generated for this file");

    public static readonly DiagnosticDescriptor DuplicateGeneratedFile = Create(
        "DBG1016", DiagnosticSeverity.Error,
        "Interface generated twice",
        "Interface '{0}' is generated into namespace '{1}' from another file too; this copy is skipped (give one file another DBusNamespace)");

    public static readonly DiagnosticDescriptor NoReplyWithOutArgs = Create(
        "DBG1017", DiagnosticSeverity.Warning,
        "NoReply method with out arguments",
        "Method '{0}' is annotated NoReply but declares out arguments; the call expects no reply and they are ignored");

    public static readonly DiagnosticDescriptor UndeclaredEntity = Create(
        "DBG1018", DiagnosticSeverity.Warning,
        "Undeclared XML entity",
        "The entity '&{0};' is referenced but never declared; it is kept as literal text");

    public static readonly DiagnosticDescriptor PooledArraysNotApplicable = Create(
        "DBG1019", DiagnosticSeverity.Warning,
        "PooledArrays does not apply here",
        "org.dbusgen.PooledArrays does not apply to {0}: {1}; it keeps the normal mapping");

    public static readonly DiagnosticDescriptor ValueTasksNotApplicable = Create(
        "DBG1020", DiagnosticSeverity.Warning,
        "ValueTasks does not apply here",
        "org.dbusgen.ValueTasks does not apply to {0}: {1}; it is ignored here");

    public static readonly DiagnosticDescriptor InternalError = Create(
        "DBG1999", DiagnosticSeverity.Error,
        "Internal generator error",
        "The D-Bus generator failed on this file and generated nothing for it: {0}. This is a bug; please report it with the file.");

    private static DiagnosticDescriptor Create(string id, DiagnosticSeverity severity, string title, string message) =>
        new(id, title, message, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());
}
