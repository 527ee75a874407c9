using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DBus.Analyzers.Helpers;

/// <summary>
/// Finds the awaits after which code has certainly left the dispatch thread. An ordinary <c>await</c> is no such
/// boundary: when the awaited task has already completed (a cached value, <c>Task.CompletedTask</c>, a call that
/// failed at once) the code after it goes on synchronously on the same thread. Only two awaits always suspend:
/// <c>await Task.Yield()</c>, whose continuation the dispatch loop (started with <c>Task.Run</c>, so with no
/// synchronization context and the default scheduler) leaves to the thread pool, and
/// <c>await t.ConfigureAwait(options)</c> with a constant <c>options</c> that has <c>ForceYielding</c> and not
/// <c>ContinueOnCapturedContext</c>, which resumes on the thread pool whatever the context. Only statement order in
/// one block is trusted: such an await as a statement of its own, followed in the same block by the code, with no
/// label in between that a <c>goto</c> could jump to.
/// </summary>
internal static class ForcedYield
{
    private const long ContinueOnCapturedContext = 1;
    private const long ForceYielding = 4;

    /// <summary>Whether <paramref name="statement"/>, a statement of <paramref name="block"/>, runs only after a
    /// forced yield earlier in the block.</summary>
    public static bool Precedes(IBlockOperation block, IOperation statement)
    {
        var statements = block.Operations;
        var index = statements.IndexOf(statement);
        for (var i = index - 1; i >= 0; i--)
        {
            // A label after statement i lets a goto reach the statement without passing statement i.
            if (statements[i + 1] is ILabeledOperation)
            {
                return false;
            }
            if (IsForcedYield(statements[i]))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsForcedYield(IOperation statement)
    {
        if (statement is not IExpressionStatementOperation { Operation: IAwaitOperation { Operation: var awaited } })
        {
            return false;
        }
        if (awaited is not IInvocationOperation call || !IsTasksType(call.TargetMethod.ContainingType))
        {
            return false;
        }
        if (call.TargetMethod is { Name: "Yield", IsStatic: true, Parameters.IsEmpty: true }
            && call.TargetMethod.ContainingType.Name == "Task")
        {
            return true;
        }
        return call.TargetMethod is { Name: "ConfigureAwait", IsStatic: false, Parameters.Length: 1 }
            && call.TargetMethod.Parameters[0].Type is { TypeKind: TypeKind.Enum, Name: "ConfigureAwaitOptions" }
            && call.Arguments[0].Value.ConstantValue is { HasValue: true, Value: { } options }
            && System.Convert.ToInt64(options, System.Globalization.CultureInfo.InvariantCulture) is var value
            && (value & ForceYielding) != 0 && (value & ContinueOnCapturedContext) == 0;
    }

    private static bool IsTasksType(INamedTypeSymbol? type) =>
        type is { ContainingNamespace: { Name: "Tasks", ContainingNamespace: { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } };
}
