using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using DBus.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace DBus.Analyzers.CodeFixes;

/// <summary>
/// Fixes DBG2001 when a literal signature ends with structs or dict entries still open: inserts the closing
/// brackets it lacks (<c>"a{s(ii"</c> becomes <c>"a{s(ii)}"</c>).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SignatureClosersCodeFix)), Shared]
public sealed class SignatureClosersCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.InvalidSignatureId);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            // The analyzer adds the property only when closing what is open makes the signature valid; the empty span
            // means the position mapped into a plain literal, right before its closing quote.
            if (!diagnostic.Properties.TryGetValue(DiagnosticDescriptors.MissingClosersProperty, out var closers)
                || string.IsNullOrEmpty(closers) || !diagnostic.Location.IsInSource || diagnostic.Location.SourceSpan.Length != 0)
            {
                continue;
            }
            var document = context.Document;
            int position = diagnostic.Location.SourceSpan.Start;
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Close the signature with '{closers}'",
                    async ct =>
                    {
                        var text = await document.GetTextAsync(ct).ConfigureAwait(false);
                        return document.WithText(text.WithChanges(new TextChange(new TextSpan(position, 0), closers!)));
                    },
                    equivalenceKey: nameof(SignatureClosersCodeFix)),
                diagnostic);
        }
        return Task.CompletedTask;
    }
}
