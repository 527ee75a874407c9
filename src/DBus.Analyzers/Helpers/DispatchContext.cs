using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DBus.Analyzers.Helpers;

/// <summary>
/// Decides whether an operation runs on the connection's dispatch thread, from the function around it:
/// <list type="bullet">
/// <item>a lambda passed to a <c>[DBusDispatchThread]</c> parameter runs there;</item>
/// <item>a local function runs there when it is passed there as a method group, or called from code that runs there;</item>
/// <item>a lambda runs there when it is called where it is written, or stored in a local that is never reassigned
/// and called through it from code that runs there;</item>
/// <item>any other lambda (given to <c>Task.Run</c>, a LINQ operator, an event…) may run anywhere: no;</item>
/// <item>the member's own body runs there when the member implements a method of a <c>[DBusDispatchThread]</c>
/// interface or of an interface derived from one (exported objects' handlers), and otherwise when the member is passed as a method group somewhere, which the caller settles.</item>
/// </list>
/// Code after a statement <c>await Task.Yield();</c> (or an await that forces yielding) in the same block, within the
/// same function, runs elsewhere: no (see <see cref="ForcedYield"/>). Any other await may complete at once and is not
/// a boundary.
/// Only the member's own operation tree is searched, and only once a blocking operation was found.
/// </summary>
internal static class DispatchContext
{
    public static DispatchVerdict Resolve(IOperation operation, ISymbol? member, INamedTypeSymbol dispatch) =>
        Resolve(operation, member as IMethodSymbol, dispatch, new HashSet<ISymbol>(SymbolEqualityComparer.Default));

    /// <summary>Whether a lambda or method group is passed straight to a <c>[DBusDispatchThread]</c> parameter.</summary>
    public static bool IsHandler(IOperation function, INamedTypeSymbol dispatch)
    {
        var parent = function.Parent;
        while (parent is IDelegateCreationOperation or IConversionOperation)
        {
            parent = parent.Parent;
        }
        return parent is IArgumentOperation { Parameter: { } parameter } && KnownSymbols.Find(parameter, dispatch) is not null;
    }

    private static DispatchVerdict Resolve(IOperation operation, IMethodSymbol? member, INamedTypeSymbol dispatch, HashSet<ISymbol> visiting)
    {
        var child = operation;
        for (var parent = operation.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            switch (parent)
            {
                case IAnonymousFunctionOperation lambda:
                    return OfLambda(lambda, member, dispatch, visiting);
                case ILocalFunctionOperation local:
                    return OfLocalFunction(local, member, dispatch, visiting);
                case IBlockOperation block when ForcedYield.Precedes(block, child):
                    return DispatchVerdict.No;
            }
        }
        if (member is null)
        {
            return DispatchVerdict.No;
        }
        if (ImplementedDispatchInterface(member, dispatch) is { } implemented)
        {
            return DispatchVerdict.Yes($"'{DisplayName(member)}' (it implements {implemented.Name})");
        }
        return DispatchVerdict.IfHandler(member);
    }

    private static DispatchVerdict OfLambda(IAnonymousFunctionOperation lambda, IMethodSymbol? member, INamedTypeSymbol dispatch, HashSet<ISymbol> visiting)
    {
        if (IsHandler(lambda, dispatch))
        {
            return DispatchVerdict.Yes("this handler");
        }
        IOperation outer = lambda;
        while (outer.Parent is IDelegateCreationOperation or IConversionOperation)
        {
            outer = outer.Parent;
        }
        // ((Action)(() => …))(): runs right there.
        if (outer.Parent is IInvocationOperation invoked && invoked.Instance == outer)
        {
            return Resolve(invoked, member, dispatch, visiting).CalledFrom(r => $"a lambda (called in {r})");
        }
        // Action a = () => …; … a(); runs where a is called, if a never holds anything else.
        if (outer.Parent is not IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Symbol: { } local } }
            || !visiting.Add(local))
        {
            return DispatchVerdict.No;
        }
        var root = Root(lambda);
        if (IsReassigned(local, root))
        {
            return DispatchVerdict.No;
        }
        var result = DispatchVerdict.No;
        foreach (var operation in root.Descendants())
        {
            if (operation is IInvocationOperation { TargetMethod.MethodKind: MethodKind.DelegateInvoke } call
                && Skip(Receiver(call)) is ILocalReferenceOperation reference
                && SymbolEqualityComparer.Default.Equals(reference.Local, local))
            {
                var verdict = Resolve(call, member, dispatch, visiting).CalledFrom(r => $"the lambda in '{local.Name}' (called in {r})");
                if (verdict.Reason is not null)
                {
                    return verdict;
                }
                if (verdict.Member is not null && result.Member is null)
                {
                    result = verdict;
                }
            }
        }
        return result;
    }

    private static DispatchVerdict OfLocalFunction(ILocalFunctionOperation function, IMethodSymbol? member, INamedTypeSymbol dispatch, HashSet<ISymbol> visiting)
    {
        var symbol = function.Symbol;
        if (!visiting.Add(symbol))
        {
            return DispatchVerdict.No;
        }
        var result = DispatchVerdict.No;
        foreach (var operation in Root(function).Descendants())
        {
            switch (operation)
            {
                case IMethodReferenceOperation reference when Same(reference.Method, symbol) && IsHandler(reference, dispatch):
                    return DispatchVerdict.Yes($"'{symbol.Name}' (it is passed as a handler)");
                case IInvocationOperation call when Same(call.TargetMethod, symbol):
                    var verdict = Resolve(call, member, dispatch, visiting).CalledFrom(r => $"'{symbol.Name}' (called in {r})");
                    if (verdict.Reason is not null)
                    {
                        return verdict;
                    }
                    if (verdict.Member is not null && result.Member is null)
                    {
                        result = verdict;
                    }
                    break;
            }
        }
        return result;
    }

    /// <summary>The interface, marked <c>[DBusDispatchThread]</c> or derived from one that is, that declares a method
    /// <paramref name="method"/> implements (implicitly, explicitly, or by overriding the implementation) for its own
    /// type; null when there is none.</summary>
    private static INamedTypeSymbol? ImplementedDispatchInterface(IMethodSymbol method, INamedTypeSymbol dispatch)
    {
        var type = method.ContainingType;
        if (type is null || method.IsStatic)
        {
            return null;
        }
        foreach (var candidate in type.AllInterfaces)
        {
            if (!IsDispatchInterface(candidate.OriginalDefinition, dispatch))
            {
                continue;
            }
            foreach (var interfaceMember in candidate.GetMembers())
            {
                // Accessors too: IntrospectionXml is read on the dispatch thread to answer Introspect.
                if (interfaceMember is not IMethodSymbol { IsStatic: false })
                {
                    continue;
                }
                if (type.FindImplementationForInterfaceMember(interfaceMember) is IMethodSymbol implementation && Overrides(method, implementation))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    /// <summary>Whether <paramref name="method"/> is <paramref name="implementation"/> or overrides it: the interface
    /// calls the override when a base class implements the interface with a virtual or abstract method.</summary>
    private static bool Overrides(IMethodSymbol method, IMethodSymbol implementation)
    {
        for (IMethodSymbol? current = method; current is not null; current = current.OverriddenMethod)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, implementation.OriginalDefinition))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The name a reader knows the member by: <c>WriteProperty</c> for an explicit implementation
    /// (<c>IDBusInterfaceHandler.WriteProperty</c>), <c>IntrospectionXml</c> for its getter.</summary>
    private static string DisplayName(IMethodSymbol member)
    {
        if (member.ExplicitInterfaceImplementations.Length > 0)
        {
            member = member.ExplicitInterfaceImplementations[0];
        }
        return member.AssociatedSymbol?.Name ?? member.Name;
    }

    /// <summary>Whether <paramref name="candidate"/> is marked <c>[DBusDispatchThread]</c> or derives from an
    /// interface that is: the generator's <c>I{Name}Handler</c> interfaces derive from the runtime's marked handler
    /// interface, and their methods are called from its <c>HandleCallAsync</c> on the dispatch thread.</summary>
    private static bool IsDispatchInterface(INamedTypeSymbol candidate, INamedTypeSymbol dispatch)
    {
        if (KnownSymbols.Find(candidate, dispatch) is not null)
        {
            return true;
        }
        foreach (var baseInterface in candidate.AllInterfaces)
        {
            if (KnownSymbols.Find(baseInterface.OriginalDefinition, dispatch) is not null)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether anything but its declaration writes <paramref name="local"/> (assignment, ref or out
    /// argument, deconstruction), in which case the lambda it was declared with may not be what it calls.</summary>
    private static bool IsReassigned(ILocalSymbol local, IOperation root)
    {
        foreach (var operation in root.Descendants())
        {
            if (operation is not ILocalReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Local, local))
            {
                continue;
            }
            switch (reference.Parent)
            {
                case IAssignmentOperation assignment when assignment.Target == reference:
                case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out }:
                case ITupleOperation:
                case IAddressOfOperation:
                    return true;
            }
        }
        return false;
    }

    /// <summary>The delegate a call invokes: its instance, or for <c>a?.Invoke()</c> the conditionally accessed value.</summary>
    private static IOperation? Receiver(IInvocationOperation call)
    {
        if (call.Instance is not IConditionalAccessInstanceOperation)
        {
            return call.Instance;
        }
        for (var parent = call.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is IConditionalAccessOperation access)
            {
                return access.Operation;
            }
        }
        return null;
    }

    private static IOperation? Skip(IOperation? operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } conversion)
        {
            operation = conversion.Operand;
        }
        return operation;
    }

    private static bool Same(IMethodSymbol method, IMethodSymbol definition) =>
        SymbolEqualityComparer.Default.Equals(method.OriginalDefinition, definition.OriginalDefinition);

    private static IOperation Root(IOperation operation)
    {
        while (operation.Parent is not null)
        {
            operation = operation.Parent;
        }
        return operation;
    }
}
