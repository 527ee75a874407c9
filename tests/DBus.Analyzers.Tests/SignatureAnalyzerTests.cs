using DBus.Analyzers.Diagnostics;
using static DBus.Analyzers.Tests.TestHelper;

namespace DBus.Analyzers.Tests;

public class SignatureAnalyzerTests
{
    private static Task Verify(string body, params Microsoft.CodeAnalysis.Testing.DiagnosticResult[] expected) =>
        VerifyAnalyzerAsync<SignatureAnalyzer>($$"""
            using DBus;
            using TestApi;

            class C
            {
                const string Bad = "a{vs}";

                void M(Bus bus, Message call)
                {
                    {{body}}
                }
            }
            """, expected);

    [TestCase("(ii", 3, "struct opened at character 0 is never closed: ')' is missing")]
    [TestCase("a{vs}", 2, "dict entry key must be a basic type, not 'v'")]
    [TestCase("s{sv}", 1, "dict entry outside an array: '{' may only follow 'a'")]
    [TestCase("siz", 2, "'z' is not a D-Bus type code")]
    [TestCase("i)", 1, "')' closes no open struct")]
    [TestCase("()", 1, "empty struct: a struct needs at least one field")]
    public async Task Constructor_argument_points_at_the_character(string signature, int position, string reason)
    {
        // The span is the character at fault, or empty at the end when the signature ends too early.
        string marked = position < signature.Length
            ? signature[..position] + "{|#0:" + signature[position] + "|}" + signature[(position + 1)..]
            : signature + "{|#0:|}";
        await Verify($"_ = new Signature(\"{marked}\");",
            Diagnostic(DiagnosticDescriptors.InvalidSignature).WithArguments(signature, reason, position));
    }

    [Test]
    public async Task Nesting_too_deep_is_reported_at_the_first_array_past_the_limit()
    {
        string signature = new string('a', 33) + "i";
        string marked = new string('a', 32) + "{|#0:a|}i";
        await Verify($"_ = new Signature(\"{marked}\");",
            Diagnostic(DiagnosticDescriptors.InvalidSignature).WithArguments(signature, "arrays nested deeper than 32", 32));
    }

    [Test]
    public async Task Implicit_conversion_to_a_Signature_parameter_is_checked()
    {
        await Verify("""using var w = MessageWriter.CreateMethodCall("org.example.App", "/", "org.example.Iface", "M", "a{|#0:|}");""",
            Diagnostic(DiagnosticDescriptors.InvalidSignature).WithArguments("a", "'a' at the end: an array needs an element type", 1));
    }

    [Test]
    public async Task Local_initialized_from_a_literal_is_checked_once()
    {
        await Verify("""Signature s = "{|#0:{|}sv}";""",
            Diagnostic(DiagnosticDescriptors.InvalidSignature).WithArguments("{sv}", "dict entry outside an array: '{' may only follow 'a'", 0));
    }

    [Test]
    public async Task Constant_reference_is_reported_on_the_whole_expression()
    {
        await Verify("_ = new Signature({|#0:Bad|});",
            Diagnostic(DiagnosticDescriptors.InvalidSignature).WithArguments("a{vs}", "dict entry key must be a basic type, not 'v'", 2));
    }

    [Test]
    public async Task Escaped_literal_is_reported_on_the_whole_literal()
    {
        await Verify("""_ = new Signature({|#0:"\u0061{vs}"|});""",
            Diagnostic(DiagnosticDescriptors.InvalidSignature).WithArguments("a{vs}", "dict entry key must be a basic type, not 'v'", 2));
    }

    [Test]
    public async Task Verbatim_and_raw_literals_map_characters()
    {
        await Verify("""""
            _ = new Signature(@"a{{|#0:v|}s}");
            _ = new Signature("""a{{|#1:v|}s}""");
            """"",
            Diagnostic(DiagnosticDescriptors.InvalidSignature, 0).WithArguments("a{vs}", "dict entry key must be a basic type, not 'v'", 2),
            Diagnostic(DiagnosticDescriptors.InvalidSignature, 1).WithArguments("a{vs}", "dict entry key must be a basic type, not 'v'", 2));
    }

    [Test]
    public async Task Single_complete_type_is_required_where_the_attribute_says_so()
    {
        await Verify("""
            _ = Variant.CreateArray("s{|#0:i|}", new System.Collections.Generic.List<Variant>());
            _ = new Options { ElementType = "{|#1:|}" };
            """,
            Diagnostic(DiagnosticDescriptors.NotSingleCompleteType, 0).WithArguments("si", "it holds 2 complete types"),
            Diagnostic(DiagnosticDescriptors.NotSingleCompleteType, 1).WithArguments("", "it is empty"));
    }

    [Test]
    public async Task Valid_signatures_and_non_constants_do_not_trigger()
    {
        await Verify("""
            _ = new Signature("a{sv}(ii)ay");
            _ = new Signature("");
            Signature s = "(a{oa{sa{sv}}})";
            string dynamic = call.Signature.Value + "{";
            _ = new Signature(dynamic);
            _ = Variant.CreateArray("a{sv}", new System.Collections.Generic.List<Variant>());
            _ = new Options { ElementType = "(ii)" };
            using var w = MessageWriter.CreateMethodCall("org.example.App", "/", "org.example.Iface", "M", "si");
            """);
    }

    [Test]
    public async Task Marked_fields_and_properties_of_user_code_are_checked_at_their_initializers()
    {
        await VerifyAnalyzerAsync<SignatureAnalyzer>("""
            using DBus.CodeAnalysis;

            class Wrapper
            {
                [DBusSignature]
                public const string Good = "a{sv}";

                [DBusSignature]
                public const string Bad = "a{{|#0:v|}s}";

                [DBusSignature(SingleCompleteType = true)]
                public string Element { get; } = "i{|#1:i|}";
            }
            """,
            Diagnostic(DiagnosticDescriptors.InvalidSignature, 0).WithArguments("a{vs}", "dict entry key must be a basic type, not 'v'", 2),
            Diagnostic(DiagnosticDescriptors.NotSingleCompleteType, 1).WithArguments("ii", "it holds 2 complete types"));
    }
}
