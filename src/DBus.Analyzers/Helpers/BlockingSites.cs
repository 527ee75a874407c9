using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace DBus.Analyzers.Helpers;

/// <summary>
/// Recognizes operations that block the calling thread until the connection answers: calls to a
/// <c>[DBusBlocking]</c> method, and synchronous waits (<c>.Result</c>, <c>.Wait()</c>,
/// <c>.GetAwaiter().GetResult()</c>, also after <c>ConfigureAwait</c> or <c>AsTask</c>) on the task that one of our
/// async APIs returns. "Ours" is an instance method returning <c>Task</c>/<c>ValueTask</c> of <c>DBusConnection</c>,
/// <c>ProxyObject</c>, <c>MessageQueue</c>, <c>SignalStream&lt;T&gt;</c> or a class the generator wrote (proxies; not the
/// handler interfaces), other than <c>DisposeAsync</c>: such a task completes when the dispatch thread reads the
/// answer or delivers the next message. A task from anywhere else (a <c>SignalSubscription</c>'s, which
/// completes at once, a raw <c>MessageStream</c>'s, which has no dispatch thread), or one stored in a variable first,
/// is not followed.
/// </summary>
internal sealed class BlockingSites
{
    private readonly INamedTypeSymbol _blocking;
    private readonly INamedTypeSymbol? _connection;
    private readonly INamedTypeSymbol? _proxyObject;
    private readonly INamedTypeSymbol? _messageQueue;
    private readonly INamedTypeSymbol? _signalStream;
    private readonly INamedTypeSymbol? _task;
    private readonly INamedTypeSymbol? _taskOfT;
    private readonly INamedTypeSymbol? _valueTask;
    private readonly INamedTypeSymbol? _valueTaskOfT;

    public BlockingSites(Compilation compilation, INamedTypeSymbol blocking)
    {
        _blocking = blocking;
        _connection = compilation.GetTypeByMetadataName("DBus.DBusConnection");
        _proxyObject = compilation.GetTypeByMetadataName("DBus.ProxyObject");
        _messageQueue = compilation.GetTypeByMetadataName("DBus.MessageQueue");
        _signalStream = compilation.GetTypeByMetadataName("DBus.SignalStream`1");
        _task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        _taskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        _valueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        _valueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
    }

    /// <summary>What blocks, for the message (<c>Bus.Call</c>, <c>DBusConnection.CallAsync(…).Result</c>), and
    /// where the squiggle goes (the called or accessed name); null when <paramref name="operation"/> does not block.</summary>
    public (string Callee, Location Location)? Find(IOperation operation)
    {
        switch (operation)
        {
            case IInvocationOperation invocation:
                var target = invocation.TargetMethod.ReducedFrom ?? invocation.TargetMethod;
                if (KnownSymbols.Find(target.OriginalDefinition, _blocking) is not null)
                {
                    return (target.ContainingType.Name + "." + target.Name, NameLocation(invocation.Syntax));
                }
                if (target.Name == "Wait" && IsTaskType(target.ContainingType) && OurTaskCall(invocation.Instance) is { } waited)
                {
                    return (Describe(waited) + ".Wait()", NameLocation(invocation.Syntax));
                }
                if (target.Name == "GetResult" && invocation.Arguments.IsEmpty
                    && Unwrap(invocation.Instance) is IInvocationOperation { TargetMethod.Name: "GetAwaiter", Arguments.IsEmpty: true } getAwaiter
                    && OurTaskCall(getAwaiter.Instance) is { } awaited)
                {
                    return (Describe(awaited) + ".GetAwaiter().GetResult()", NameLocation(invocation.Syntax));
                }
                return null;
            case IPropertyReferenceOperation { Property.Name: "Result" } property
                when IsTaskType(property.Property.ContainingType) && OurTaskCall(property.Instance) is { } read:
                return (Describe(read) + ".Result", NameLocation(property.Syntax));
            default:
                return null;
        }
    }

    /// <summary>The call to one of our async APIs whose task <paramref name="operation"/> is, looking through
    /// conversions, <c>ConfigureAwait(…)</c> and <c>AsTask()</c>.</summary>
    private IInvocationOperation? OurTaskCall(IOperation? operation)
    {
        operation = Unwrap(operation);
        while (operation is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" or "AsTask" } step && IsTaskType(step.TargetMethod.ContainingType))
        {
            operation = Unwrap(step.Instance);
        }
        return operation is IInvocationOperation call && IsOurs(call.TargetMethod) ? call : null;
    }

    private bool IsOurs(IMethodSymbol method)
    {
        if (method.IsStatic || method.Name == "DisposeAsync" || method.ReturnType is not INamedTypeSymbol returned || !IsTaskType(returned))
        {
            return false;
        }
        var type = method.ContainingType.OriginalDefinition;
        // Generated classes only (the proxies): the generated I{Name}Handler interfaces carry the same attribute, but
        // their tasks are the user's handler code, which needs no answer from the connection.
        // A queue's or stream's ReceiveAsync completes when the dispatch thread delivers the next message.
        return SymbolEqualityComparer.Default.Equals(type, _connection) || SymbolEqualityComparer.Default.Equals(type, _proxyObject)
            || SymbolEqualityComparer.Default.Equals(type, _messageQueue) || SymbolEqualityComparer.Default.Equals(type, _signalStream)
            || (type.TypeKind == TypeKind.Class && IsGenerated(type));
    }

    private bool IsTaskType(INamedTypeSymbol? type)
    {
        var definition = type?.OriginalDefinition;
        return definition is not null
            && (SymbolEqualityComparer.Default.Equals(definition, _task) || SymbolEqualityComparer.Default.Equals(definition, _taskOfT)
                || SymbolEqualityComparer.Default.Equals(definition, _valueTask) || SymbolEqualityComparer.Default.Equals(definition, _valueTaskOfT));
    }

    /// <summary>Whether the generator wrote the type: it carries <c>[GeneratedCode("DBusGen", …)]</c>.</summary>
    private static bool IsGenerated(INamedTypeSymbol? type)
    {
        for (; type is not null; type = type.ContainingType)
        {
            foreach (var attribute in type.GetAttributes())
            {
                if (attribute.AttributeClass is { Name: "GeneratedCodeAttribute" } attributeClass
                    && attributeClass.ContainingNamespace.ToDisplayString() == "System.CodeDom.Compiler"
                    && attribute.ConstructorArguments.Length > 0
                    && attribute.ConstructorArguments[0].Value is "DBusGen")
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static IOperation? Unwrap(IOperation? operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } conversion)
        {
            operation = conversion.Operand;
        }
        return operation;
    }

    private static string Describe(IInvocationOperation call) => call.TargetMethod.ContainingType.Name + "." + call.TargetMethod.Name + "(…)";

    /// <summary>The called or accessed name (<c>Call</c> in <c>bus.Call(m)</c>, <c>Result</c> in
    /// <c>t.Result</c>), where the squiggle belongs.</summary>
    private static Location NameLocation(SyntaxNode syntax) => syntax switch
    {
        InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } => access.Name.GetLocation(),
        InvocationExpressionSyntax { Expression: MemberBindingExpressionSyntax binding } => binding.Name.GetLocation(),
        InvocationExpressionSyntax call => call.Expression.GetLocation(),
        MemberAccessExpressionSyntax access => access.Name.GetLocation(),
        MemberBindingExpressionSyntax binding => binding.Name.GetLocation(),
        _ => syntax.GetLocation(),
    };
}
