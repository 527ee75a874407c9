using System.Collections.Immutable;
using DBus.Analyzers.Diagnostics;
using DBus.Analyzers.Helpers;
using DBus.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DBus.Analyzers;

/// <summary>
/// DBG2004: constant match rules given to whatever carries <c>[DBusMatchRule]</c> parse, with known keys and
/// valid values, using the same parser as the runtime. The diagnostic covers the offending key or value.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MatchRuleAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.InvalidMatchRule);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownSymbols.Create(start.Compilation).MatchRuleAttribute is { } attribute)
            {
                MarkedValues.Register(start, attribute, Check);
            }
        });
    }

    private static void Check(OperationAnalysisContext context, AttributeData attribute, StringValue value)
    {
        if (MatchRuleSyntax.TryParse(value.Text, out _) is { } error)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidMatchRule,
                value.At(error.Position, error.Length), error.Reason, error.Position));
        }
    }
}
