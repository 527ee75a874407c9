using System.Collections.Immutable;
using DBus.Analyzers.Diagnostics;
using DBus.Analyzers.Helpers;
using DBus.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DBus.Analyzers;

/// <summary>
/// DBG2003: constant bus names, interface names, member names, error names and object paths given to whatever
/// carries <c>[DBusName(kind)]</c> follow the specification's rules for that kind.
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
        if (Validate(kind, value.Text) is { } problem)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidName, value.Location, value.Text, Describe(kind), problem));
        }
    }

    internal static string? Validate(int kind, string text) => kind switch
    {
        BusName => DBusNameValidator.ValidateBusName(text),
        WellKnownBusName => text.StartsWith(":", System.StringComparison.Ordinal)
            ? "a unique name (beginning with ':') is assigned by the bus; only a well-known name can be requested or released"
            : DBusNameValidator.ValidateBusName(text),
        InterfaceName => DBusNameValidator.ValidateInterfaceName(text),
        MemberName => DBusNameValidator.ValidateMemberName(text),
        ErrorName => DBusNameValidator.ValidateErrorName(text),
        ObjectPath => DBusNameValidator.ValidateObjectPath(text),
        _ => null,
    };

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
