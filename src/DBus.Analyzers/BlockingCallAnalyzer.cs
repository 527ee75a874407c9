using System.Collections.Concurrent;
using System.Collections.Immutable;
using DBus.Analyzers.Diagnostics;
using DBus.Analyzers.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DBus.Analyzers;

/// <summary>
/// DBG2007: a <c>[DBusBlocking]</c> call inside code that runs on the connection's dispatch thread: a lambda passed
/// to a <c>[DBusDispatchThread]</c> parameter, a method of the same type passed there as a method group, or a method
/// implementing a <c>[DBusDispatchThread]</c> interface. The innermost lambda or local function decides: a lambda
/// handed to something else (<c>Task.Run</c>) may run elsewhere and is not reported.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BlockingCallAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.BlockingCallInHandler);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var symbols = KnownSymbols.Create(start.Compilation);
            if (symbols.BlockingAttribute is not { } blocking || symbols.DispatchThreadAttribute is not { } dispatch)
            {
                return;
            }
            // Method groups are matched with the calls inside them per type, so a handler method is found when it
            // is declared in the type that registers it (the usual case) without any compilation-wide state.
            start.RegisterSymbolStartAction(typeStart =>
            {
                var handlers = new ConcurrentDictionary<IMethodSymbol, byte>(SymbolEqualityComparer.Default);
                var candidates = new ConcurrentQueue<(IMethodSymbol Container, Location Location, string Callee)>();
                typeStart.RegisterOperationAction(c => OnInvocation(c, blocking, dispatch, candidates), OperationKind.Invocation);
                typeStart.RegisterOperationAction(c =>
                {
                    var reference = (IMethodReferenceOperation)c.Operation;
                    if (IsHandler(reference, dispatch))
                    {
                        handlers.TryAdd(reference.Method.OriginalDefinition, 0);
                    }
                }, OperationKind.MethodReference);
                typeStart.RegisterSymbolEndAction(end =>
                {
                    foreach (var (container, location, callee) in candidates)
                    {
                        if (handlers.ContainsKey(container.OriginalDefinition))
                        {
                            end.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BlockingCallInHandler, location,
                                callee, $"'{container.Name}' (it is passed as a handler)"));
                        }
                    }
                });
            }, SymbolKind.NamedType);
        });
    }

    private static void OnInvocation(OperationAnalysisContext context, INamedTypeSymbol blocking, INamedTypeSymbol dispatch,
        ConcurrentQueue<(IMethodSymbol, Location, string)> candidates)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var target = invocation.TargetMethod.ReducedFrom ?? invocation.TargetMethod;
        if (KnownSymbols.Find(target.OriginalDefinition, blocking) is null)
        {
            return;
        }
        string callee = target.ContainingType.Name + "." + target.Name;
        var location = NameLocation(invocation);

        for (var parent = invocation.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is IAnonymousFunctionOperation lambda)
            {
                if (IsHandler(lambda, dispatch))
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BlockingCallInHandler, location, callee, "this handler"));
                }
                return;
            }
            if (parent is ILocalFunctionOperation)
            {
                return;
            }
        }

        if (context.ContainingSymbol is not IMethodSymbol container)
        {
            return;
        }
        if (ImplementedDispatchInterface(container, dispatch) is { } implemented)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BlockingCallInHandler, location,
                callee, $"'{container.Name}' (it implements {implemented.Name})"));
            return;
        }
        candidates.Enqueue((container, location, callee));
    }

    /// <summary>Whether a lambda or method group is passed straight to a <c>[DBusDispatchThread]</c> parameter.</summary>
    private static bool IsHandler(IOperation function, INamedTypeSymbol dispatch)
    {
        var parent = function.Parent;
        while (parent is IDelegateCreationOperation or IConversionOperation)
        {
            parent = parent.Parent;
        }
        return parent is IArgumentOperation { Parameter: { } parameter } && KnownSymbols.Find(parameter, dispatch) is not null;
    }

    private static INamedTypeSymbol? ImplementedDispatchInterface(IMethodSymbol method, INamedTypeSymbol dispatch)
    {
        var type = method.ContainingType;
        if (type is null)
        {
            return null;
        }
        foreach (var candidate in type.AllInterfaces)
        {
            if (KnownSymbols.Find(candidate.OriginalDefinition, dispatch) is null)
            {
                continue;
            }
            foreach (var member in candidate.GetMembers())
            {
                if (SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(member), method))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    /// <summary>The called name (<c>Call</c> in <c>bus.Call(m)</c>), where the squiggle belongs.</summary>
    private static Location NameLocation(IInvocationOperation invocation) => invocation.Syntax switch
    {
        InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } => access.Name.GetLocation(),
        InvocationExpressionSyntax { Expression: MemberBindingExpressionSyntax binding } => binding.Name.GetLocation(),
        InvocationExpressionSyntax call => call.Expression.GetLocation(),
        _ => invocation.Syntax.GetLocation(),
    };
}
