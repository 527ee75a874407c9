using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DBus.Analyzers.Helpers;

/// <summary>
/// Finds constant strings given to whatever carries a marker attribute: arguments of marked parameters (calls and
/// object creations), implicit conversions through a marked operator parameter (<c>Signature s = "a{sv}"</c>),
/// assignments and initializers of marked properties and fields.
/// </summary>
internal static class MarkedValues
{
    public delegate void Check(OperationAnalysisContext context, AttributeData attribute, StringValue value);

    public static void Register(CompilationStartAnalysisContext context, INamedTypeSymbol attributeClass, Check check)
    {
        context.RegisterOperationAction(c => OnArguments(c, ((IInvocationOperation)c.Operation).Arguments, attributeClass, check), OperationKind.Invocation);
        context.RegisterOperationAction(c => OnArguments(c, ((IObjectCreationOperation)c.Operation).Arguments, attributeClass, check), OperationKind.ObjectCreation);
        context.RegisterOperationAction(c => OnConversion(c, attributeClass, check), OperationKind.Conversion);
        context.RegisterOperationAction(c => OnAssignment(c, attributeClass, check), OperationKind.SimpleAssignment);
        context.RegisterOperationAction(c => OnInitializer(c, attributeClass, check), OperationKind.FieldInitializer, OperationKind.PropertyInitializer);
    }

    /// <summary>The constant string an operation produces, looking through implicit conversions.</summary>
    public static StringValue? GetConstant(IOperation operation)
    {
        operation = Unwrap(operation);
        return operation.ConstantValue is { HasValue: true, Value: string text } ? new StringValue(text, operation) : null;
    }

    private static IOperation Unwrap(IOperation operation)
    {
        while (operation is IConversionOperation conversion && (conversion.IsImplicit || conversion.OperatorMethod is not null))
        {
            operation = conversion.Operand;
        }
        return operation;
    }

    private static void OnArguments(OperationAnalysisContext context, ImmutableArray<IArgumentOperation> arguments, INamedTypeSymbol attributeClass, Check check)
    {
        foreach (var argument in arguments)
        {
            if (argument.ArgumentKind == ArgumentKind.DefaultValue || argument.Parameter is not { } parameter)
            {
                continue;
            }
            if (KnownSymbols.Find(parameter, attributeClass) is { } attribute && GetConstant(argument.Value) is { } value)
            {
                check(context, attribute, value);
            }
        }
    }

    private static void OnConversion(OperationAnalysisContext context, INamedTypeSymbol attributeClass, Check check)
    {
        var conversion = (IConversionOperation)context.Operation;
        if (conversion.OperatorMethod is not { Parameters.Length: 1 } op
            || KnownSymbols.Find(op.Parameters[0], attributeClass) is not { } attribute
            || IsCheckedByParent(conversion, attributeClass))
        {
            return;
        }
        if (GetConstant(conversion.Operand) is { } value)
        {
            check(context, attribute, value);
        }
    }

    // A conversion that feeds a marked parameter, property or field is checked there, once.
    private static bool IsCheckedByParent(IConversionOperation conversion, INamedTypeSymbol attributeClass)
    {
        IOperation current = conversion;
        while (current.Parent is IConversionOperation parent)
        {
            current = parent;
        }
        return current.Parent switch
        {
            IArgumentOperation { Parameter: { } p } => KnownSymbols.Find(p, attributeClass) is not null,
            ISimpleAssignmentOperation assignment => TargetMember(assignment.Target) is { } m && KnownSymbols.Find(m, attributeClass) is not null,
            IFieldInitializerOperation f => Any(f.InitializedFields, attributeClass),
            IPropertyInitializerOperation p => Any(p.InitializedProperties, attributeClass),
            _ => false,
        };
    }

    private static void OnAssignment(OperationAnalysisContext context, INamedTypeSymbol attributeClass, Check check)
    {
        var assignment = (ISimpleAssignmentOperation)context.Operation;
        if (TargetMember(assignment.Target) is { } member
            && KnownSymbols.Find(member, attributeClass) is { } attribute
            && GetConstant(assignment.Value) is { } value)
        {
            check(context, attribute, value);
        }
    }

    private static void OnInitializer(OperationAnalysisContext context, INamedTypeSymbol attributeClass, Check check)
    {
        var initializer = (ISymbolInitializerOperation)context.Operation;
        ISymbol? member = initializer switch
        {
            IFieldInitializerOperation f => First(f.InitializedFields, attributeClass),
            IPropertyInitializerOperation p => First(p.InitializedProperties, attributeClass),
            _ => null,
        };
        if (member is not null && KnownSymbols.Find(member, attributeClass) is { } attribute && GetConstant(initializer.Value) is { } value)
        {
            check(context, attribute, value);
        }
    }

    private static ISymbol? TargetMember(IOperation target) => target switch
    {
        IPropertyReferenceOperation p => p.Property,
        IFieldReferenceOperation f => f.Field,
        _ => null,
    };

    private static bool Any<T>(ImmutableArray<T> members, INamedTypeSymbol attributeClass)
        where T : ISymbol => First(members, attributeClass) is not null;

    private static ISymbol? First<T>(ImmutableArray<T> members, INamedTypeSymbol attributeClass)
        where T : ISymbol
    {
        foreach (var member in members)
        {
            if (KnownSymbols.Find(member, attributeClass) is not null)
            {
                return member;
            }
        }
        return null;
    }
}
