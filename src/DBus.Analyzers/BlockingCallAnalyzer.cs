using System.Collections.Concurrent;
using System.Collections.Immutable;
using DBus.Analyzers.Diagnostics;
using DBus.Analyzers.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DBus.Analyzers;

/// <summary>
/// DBG2007: something that blocks until the connection answers (a <c>[DBusBlocking]</c> call, or <c>.Result</c>,
/// <c>.Wait()</c>, <c>.GetAwaiter().GetResult()</c> on the task of one of our async APIs) inside code that runs on the
/// connection's dispatch thread: a lambda passed to a <c>[DBusDispatchThread]</c> parameter, a method passed there as
/// a method group, a method implementing a <c>[DBusDispatchThread]</c> interface or one derived from it (exported
/// objects' handlers, generated <c>I{Name}Handler</c> implementations), and local functions and lambdas called from
/// those (see <see cref="DispatchContext"/>). A lambda handed to something else (<c>Task.Run</c>) may run elsewhere,
/// and code after an await that always yields runs on the thread pool (see <see cref="ForcedYield"/>): neither is
/// reported.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BlockingCallAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.BlockingCallInHandler, DiagnosticDescriptors.BlockingCallInCrossTypeHandler);

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
            var sites = new BlockingSites(start.Compilation, blocking);
            // A method passed as a method group from its own type is settled when that type has been seen, so the
            // usual case is reported while editing; one passed from another type needs the whole compilation.
            var ownTypeHandlers = new ConcurrentDictionary<IMethodSymbol, byte>(SymbolEqualityComparer.Default);
            var otherTypeHandlers = new ConcurrentDictionary<IMethodSymbol, byte>(SymbolEqualityComparer.Default);
            var unsettled = new ConcurrentQueue<Candidate>();
            start.RegisterSymbolStartAction(typeStart =>
            {
                var type = (INamedTypeSymbol)typeStart.Symbol;
                var candidates = new ConcurrentQueue<Candidate>();
                typeStart.RegisterOperationAction(c => OnOperation(c, sites, dispatch, candidates),
                    OperationKind.Invocation, OperationKind.PropertyReference);
                typeStart.RegisterOperationAction(c =>
                {
                    var reference = (IMethodReferenceOperation)c.Operation;
                    var method = reference.Method.OriginalDefinition;
                    // Local functions are followed inside their member by DispatchContext.
                    if (method.MethodKind != MethodKind.LocalFunction && DispatchContext.IsHandler(reference, dispatch))
                    {
                        var handlers = SymbolEqualityComparer.Default.Equals(method.ContainingType, type) ? ownTypeHandlers : otherTypeHandlers;
                        handlers.TryAdd(method, 0);
                    }
                }, OperationKind.MethodReference);
                typeStart.RegisterSymbolEndAction(end =>
                {
                    foreach (var candidate in candidates)
                    {
                        if (ownTypeHandlers.ContainsKey(candidate.Verdict.Member!))
                        {
                            end.ReportDiagnostic(candidate.Create(DiagnosticDescriptors.BlockingCallInHandler));
                        }
                        else
                        {
                            unsettled.Enqueue(candidate);
                        }
                    }
                });
            }, SymbolKind.NamedType);
            start.RegisterCompilationEndAction(end =>
            {
                foreach (var candidate in unsettled)
                {
                    if (otherTypeHandlers.ContainsKey(candidate.Verdict.Member!))
                    {
                        end.ReportDiagnostic(candidate.Create(DiagnosticDescriptors.BlockingCallInCrossTypeHandler));
                    }
                }
            });
        });
    }

    private static void OnOperation(OperationAnalysisContext context, BlockingSites sites, INamedTypeSymbol dispatch, ConcurrentQueue<Candidate> candidates)
    {
        if (sites.Find(context.Operation) is not { } site)
        {
            return;
        }
        var verdict = DispatchContext.Resolve(context.Operation, context.ContainingSymbol, dispatch);
        if (verdict.Reason is { } reason)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BlockingCallInHandler, site.Location, site.Callee, reason));
        }
        else if (verdict.Member is not null)
        {
            candidates.Enqueue(new Candidate(site.Callee, site.Location, verdict));
        }
    }

    /// <summary>A blocking operation that runs on the dispatch thread if <see cref="DispatchVerdict.Member"/> is a handler.</summary>
    private sealed class Candidate
    {
        public Candidate(string callee, Location location, DispatchVerdict verdict)
        {
            Callee = callee;
            Location = location;
            Verdict = verdict;
        }

        public string Callee { get; }

        public Location Location { get; }

        public DispatchVerdict Verdict { get; }

        public Diagnostic Create(DiagnosticDescriptor descriptor) =>
            Diagnostic.Create(descriptor, Location, Callee, Verdict.Describe($"'{Verdict.Member!.Name}' (it is passed as a handler)"));
    }
}
