using System.Collections.Generic;
using System.Collections.Immutable;
using System.Text;
using DBus.Analyzers.Diagnostics;
using DBus.Analyzers.Helpers;
using DBus.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DBus.Analyzers;

/// <summary>
/// DBG2001, DBG2002: constant signatures given to whatever carries <c>[DBusSignature]</c> are valid (and exactly
/// one complete type where the attribute says so). The diagnostic points at the offending character.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SignatureAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.InvalidSignature, DiagnosticDescriptors.NotSingleCompleteType);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownSymbols.Create(start.Compilation).SignatureAttribute is { } attribute)
            {
                MarkedValues.Register(start, attribute, Check);
            }
        });
    }

    private static void Check(OperationAnalysisContext context, AttributeData attribute, StringValue value)
    {
        string text = value.Text;
        var error = SignatureParser.TryParse(text, out var types);
        if (error is not null)
        {
            var properties = ImmutableDictionary<string, string?>.Empty;
            if (error.Position == text.Length && MissingClosers(text) is { } closers)
            {
                properties = properties.Add(DiagnosticDescriptors.MissingClosersProperty, closers);
            }
            int length = error.Position < text.Length ? 1 : 0;
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidSignature, value.At(error.Position, length), properties,
                text, error.Reason, error.Position));
            return;
        }
        if (IsSingleCompleteTypeRequired(attribute) && types.Count != 1)
        {
            string reason = types.Count == 0
                ? "it is empty"
                : $"it holds {types.Count} complete types";
            int start = types.Count == 0 ? 0 : types[0].Text.Length;
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NotSingleCompleteType,
                value.At(start, text.Length - start), text, reason));
        }
    }

    private static bool IsSingleCompleteTypeRequired(AttributeData attribute)
    {
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "SingleCompleteType" && named.Value.Value is true)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The closing brackets that make a signature which ends too early valid, or null when closing
    /// what is open does not make it valid (a dangling 'a', a dict entry without a value…).</summary>
    internal static string? MissingClosers(string text)
    {
        var open = new Stack<char>();
        foreach (char c in text)
        {
            switch (c)
            {
                case '(':
                    open.Push(')');
                    break;
                case '{':
                    open.Push('}');
                    break;
                case ')':
                case '}':
                    if (open.Count == 0 || open.Pop() != c)
                    {
                        return null;
                    }
                    break;
            }
        }
        if (open.Count == 0)
        {
            return null;
        }
        var closers = new StringBuilder();
        while (open.Count > 0)
        {
            closers.Append(open.Pop());
        }
        return SignatureParser.Validate(text + closers) is null ? closers.ToString() : null;
    }
}
