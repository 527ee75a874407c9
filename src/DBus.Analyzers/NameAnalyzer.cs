using System.Collections.Immutable;
using DBus.Analyzers.Diagnostics;
using DBus.Analyzers.Helpers;
using DBus.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DBus.Analyzers;

/// <summary>
/// DBG2003: constant bus names, interface names, member names, error names and object paths given to whatever
/// carries <c>[DBusName(kind)]</c> follow the specification's rules for that kind. The diagnostic points at the
/// character to blame when there is one (an invalid character, an empty element's separator, a leading or trailing
/// separator) and covers the whole value otherwise (empty, too long, too few elements).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NameAnalyzer : DiagnosticAnalyzer
{
    // The values of DBus.CodeAnalysis.DBusNameKind, which this assembly cannot reference.
    private const int BusName = 0;
    private const int WellKnownBusName = 1;
    private const int InterfaceName = 2;
    private const int MemberName = 3;
    private const int ErrorName = 4;
    private const int ObjectPath = 5;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.InvalidName);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownSymbols.Create(start.Compilation).NameAttribute is { } attribute)
            {
                MarkedValues.Register(start, attribute, Check);
            }
        });
    }

    private static void Check(OperationAnalysisContext context, AttributeData attribute, StringValue value)
    {
        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not int kind)
        {
            return;
        }
        string text = value.Text;
        if (Validate(kind, text, out int position) is { } problem)
        {
            var location = position < 0 ? value.Location : value.At(position, CharacterLength(text, position));
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidName, location, text, Describe(kind), problem));
        }
    }

    /// <summary>Why <paramref name="text"/> is not a valid name of <paramref name="kind"/>, or null; the character to
    /// blame, or -1.</summary>
    internal static string? Validate(int kind, string text, out int position)
    {
        position = -1;
        switch (kind)
        {
            case BusName:
                return DBusNameValidator.ValidateBusName(text, out position);
            case WellKnownBusName when text.StartsWith(":", System.StringComparison.Ordinal):
                position = 0;
                return "a unique name (beginning with ':') is assigned by the bus; only a well-known name can be requested or released";
            case WellKnownBusName:
                return DBusNameValidator.ValidateBusName(text, out position);
            case InterfaceName:
                return DBusNameValidator.ValidateInterfaceName(text, out position);
            case MemberName:
                return DBusNameValidator.ValidateMemberName(text, out position);
            case ErrorName:
                return DBusNameValidator.ValidateErrorName(text, out position);
            case ObjectPath:
                return DBusNameValidator.ValidateObjectPath(text, out position);
            default:
                return null;
        }
    }

    // A character outside the BMP is two UTF-16 units; the squiggle covers both.
    private static int CharacterLength(string text, int position) =>
        char.IsHighSurrogate(text[position]) && position + 1 < text.Length && char.IsLowSurrogate(text[position + 1]) ? 2 : 1;

    private static string Describe(int kind) => kind switch
    {
        BusName => "bus name",
        WellKnownBusName => "well-known bus name",
        InterfaceName => "interface name",
        MemberName => "member name",
        ErrorName => "error name",
        _ => "object path",
    };
}
