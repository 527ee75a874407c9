using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using DBus.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DBus.Analyzers.CodeFixes;

/// <summary>
/// Fixes DBG2005 and DBG2006: replaces the literal signature with the one computed from the C# types of the
/// arguments (<c>"su", "x", 1</c> becomes <c>"si", "x", 1</c>) when every argument's type has one.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SuggestedSignatureCodeFix)), Shared]
public sealed class SuggestedSignatureCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.ArgumentCountMismatchId, DiagnosticDescriptors.ArgumentTypeMismatchId);

    // Every diagnostic of one call carries the same suggestion for the same literal; fixing one fixes the call.
    /// <inheritdoc/>
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticDescriptors.SuggestedSignatureProperty, out var suggestion)
                || suggestion is null
                || diagnostic.AdditionalLocations.Count == 0
                || root.FindNode(diagnostic.AdditionalLocations[0].SourceSpan, getInnermostNodeForTie: true) is not LiteralExpressionSyntax literal)
            {
                continue;
            }
            var document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Use signature '{suggestion}'",
                    ct =>
                    {
                        var replacement = SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(suggestion))
                            .WithTriviaFrom(literal);
                        return Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(literal, replacement)));
                    },
                    equivalenceKey: nameof(SuggestedSignatureCodeFix) + suggestion),
                diagnostic);
        }
    }
}
