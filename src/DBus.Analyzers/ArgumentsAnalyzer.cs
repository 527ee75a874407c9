using System.Collections.Generic;
using System.Collections.Immutable;
using DBus.Analyzers.Diagnostics;
using DBus.Analyzers.Helpers;
using DBus.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DBus.Analyzers;

/// <summary>
/// DBG2005, DBG2006: the values given to a <c>[DBusArguments("signature")]</c> parameter match, in number and
/// C# type, the constant signature given to the named parameter. When every argument's type has a D-Bus
/// signature, the diagnostic carries it so that a code fix can offer it.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ArgumentsAnalyzer : DiagnosticAnalyzer
{
    private const int MaxExpressionLength = 40;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.ArgumentCountMismatch, DiagnosticDescriptors.ArgumentTypeMismatch);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var symbols = KnownSymbols.Create(start.Compilation);
            if (symbols.ArgumentsAttribute is not { } attribute)
            {
                return;
            }
            var mapping = new DBusTypeMapping(symbols);
            start.RegisterOperationAction(c =>
            {
                var invocation = (IInvocationOperation)c.Operation;
                Analyze(c, invocation.TargetMethod, invocation.Arguments, attribute, mapping);
            }, OperationKind.Invocation);
            start.RegisterOperationAction(c =>
            {
                var creation = (IObjectCreationOperation)c.Operation;
                if (creation.Constructor is { } constructor)
                {
                    Analyze(c, constructor, creation.Arguments, attribute, mapping);
                }
            }, OperationKind.ObjectCreation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, IMethodSymbol method, ImmutableArray<IArgumentOperation> arguments,
        INamedTypeSymbol attributeClass, DBusTypeMapping mapping)
    {
        foreach (var parameter in method.Parameters)
        {
            if (KnownSymbols.Find(parameter, attributeClass) is not { } attribute
                || attribute.ConstructorArguments.Length != 1
                || attribute.ConstructorArguments[0].Value is not string signatureParameter)
            {
                continue;
            }
            var signatureArgument = FindArgument(arguments, signatureParameter);
            var valuesArgument = FindArgument(arguments, parameter.Name);
            if (signatureArgument is null || valuesArgument is null
                || MarkedValues.GetConstant(signatureArgument.Value) is not { } signature
                || SignatureParser.TryParse(signature.Text, out var types) is not null
                || GetElements(valuesArgument.Value) is not { } values)
            {
                // An invalid signature is DBG2001's business; values known only at run time cannot be checked.
                continue;
            }
            Check(context, signature, types, values, mapping);
        }
    }

    private static void Check(OperationAnalysisContext context, StringValue signature, List<SignatureNode> types,
        ImmutableArray<IOperation> values, DBusTypeMapping mapping)
    {
        var properties = SuggestedSignature(signature, values, mapping);
        var additionalLocations = new[] { signature.Location };
        if (values.Length != types.Count)
        {
            var location = values.Length > types.Count ? values[types.Count].Syntax.GetLocation() : signature.Location;
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ArgumentCountMismatch, location, additionalLocations, properties,
                signature.Text, types.Count, values.Length));
            return;
        }
        for (int i = 0; i < values.Length; i++)
        {
            if (TypeOf(values[i]) is { } type && !mapping.Matches(type, types[i]))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ArgumentTypeMismatch, values[i].Syntax.GetLocation(),
                    additionalLocations, properties,
                    i, Shorten(values[i].Syntax.ToString()), type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                    signature.Text, types[i].Text, DBusTypeMapping.Describe(types[i])));
            }
        }
    }

    private static ImmutableDictionary<string, string?> SuggestedSignature(StringValue signature, ImmutableArray<IOperation> values, DBusTypeMapping mapping)
    {
        var properties = ImmutableDictionary<string, string?>.Empty;
        if (signature.Literal.RawKind == 0)
        {
            return properties;
        }
        var text = new System.Text.StringBuilder();
        foreach (var value in values)
        {
            if (TypeOf(value) is not { } type || mapping.SignatureOf(type) is not { } part)
            {
                return properties;
            }
            text.Append(part);
        }
        string suggestion = text.ToString();
        return SignatureParser.Validate(suggestion) is null && suggestion != signature.Text
            ? properties.Add(DiagnosticDescriptors.SuggestedSignatureProperty, suggestion)
            : properties;
    }

    private static IArgumentOperation? FindArgument(ImmutableArray<IArgumentOperation> arguments, string parameterName)
    {
        foreach (var argument in arguments)
        {
            if (argument.Parameter?.Name == parameterName)
            {
                return argument;
            }
        }
        return null;
    }

    /// <summary>The values written into a params array or collection, or null when they are not all in sight
    /// (an array variable, a spread).</summary>
    private static ImmutableArray<IOperation>? GetElements(IOperation value)
    {
        value = Unwrap(value);
        switch (value)
        {
            case IArrayCreationOperation { Initializer: { } initializer }:
                return initializer.ElementValues;
            case IArrayCreationOperation { DimensionSizes.Length: 1 } empty when empty.DimensionSizes[0].ConstantValue is { HasValue: true, Value: 0 }:
                return ImmutableArray<IOperation>.Empty;
            case ICollectionExpressionOperation collection:
                foreach (var element in collection.Elements)
                {
                    if (element is ISpreadOperation)
                    {
                        return null;
                    }
                }
                return collection.Elements;
            default:
                return null;
        }
    }

    /// <summary>The C# type of a value before it was boxed into <c>object?</c>; null for a null literal.</summary>
    private static ITypeSymbol? TypeOf(IOperation value) => Unwrap(value).Type;

    private static IOperation Unwrap(IOperation operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } conversion)
        {
            operation = conversion.Operand;
        }
        return operation;
    }

    private static string Shorten(string text)
    {
        text = text.Replace("\r", " ").Replace("\n", " ");
        return text.Length <= MaxExpressionLength ? text : text.Substring(0, MaxExpressionLength - 1) + "…";
    }
}
