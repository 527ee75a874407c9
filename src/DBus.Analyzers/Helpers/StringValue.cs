using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace DBus.Analyzers.Helpers;

/// <summary>
/// A compile-time constant string that reaches a marked parameter, property or field, with the operation that
/// produced it. When that operation is a plain string literal, positions inside the value map to exact characters
/// of the source; otherwise (a constant's name, a concatenation, escapes) diagnostics cover the whole expression.
/// </summary>
internal readonly struct StringValue
{
    public StringValue(string text, IOperation operation)
    {
        Text = text;
        Operation = operation;
    }

    public string Text { get; }

    public IOperation Operation { get; }

    /// <summary>The string literal token when the value is written as one, else default.</summary>
    public SyntaxToken Literal =>
        Operation.Syntax is LiteralExpressionSyntax literal
            && (literal.Token.IsKind(SyntaxKind.StringLiteralToken) || literal.Token.IsKind(SyntaxKind.SingleLineRawStringLiteralToken))
            ? literal.Token
            : default;

    /// <summary>The whole expression.</summary>
    public Location Location => Operation.Syntax.GetLocation();

    /// <summary>The characters <paramref name="position"/>..+<paramref name="length"/> of the value in the source,
    /// or the whole expression when they cannot be mapped one to one.</summary>
    public Location At(int position, int length)
    {
        var token = Literal;
        int offset = token.RawKind == 0 ? -1 : ContentOffset(token.Text, Text);
        if (offset < 0 || position < 0 || position + length > Text.Length)
        {
            return Location;
        }
        return Location.Create(Operation.Syntax.SyntaxTree, new TextSpan(token.SpanStart + offset + position, length));
    }

    /// <summary>Where the value starts inside the token's text, when the text between the delimiters is exactly
    /// the value (no escape sequences or doubled quotes); -1 otherwise.</summary>
    private static int ContentOffset(string tokenText, string value)
    {
        int open;
        int close;
        if (tokenText.StartsWith("@\"", System.StringComparison.Ordinal))
        {
            open = 2;
            close = 1;
        }
        else if (tokenText.StartsWith("\"\"\"", System.StringComparison.Ordinal))
        {
            int quotes = 0;
            while (quotes < tokenText.Length && tokenText[quotes] == '"')
            {
                quotes++;
            }
            open = quotes;
            close = quotes;
        }
        else if (tokenText.StartsWith("\"", System.StringComparison.Ordinal))
        {
            open = 1;
            close = 1;
        }
        else
        {
            return -1;
        }
        int contentLength = tokenText.Length - open - close;
        return contentLength == value.Length && string.CompareOrdinal(tokenText, open, value, 0, value.Length) == 0 ? open : -1;
    }
}
