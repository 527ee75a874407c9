using DBus.Analyzers.CodeFixes;
using DBus.Analyzers.Diagnostics;
using static DBus.Analyzers.Tests.TestHelper;

namespace DBus.Analyzers.Tests;

public class CodeFixTests
{
    private static string Wrap(string body) => $$"""
        using System.Collections.Generic;
        using DBus;
        using TestApi;

        class C
        {
            void M(Bus bus, Dictionary<string, Variant> props)
            {
                {{body}}
            }
        }
        """;

    [TestCase("(ii", ")")]
    [TestCase("a{s(ii", ")}")]
    [TestCase("a(sa{sv", "})")]
    public async Task Unbalanced_signature_gets_its_closing_brackets(string signature, string closers)
    {
        await VerifyCodeFixAsync<SignatureAnalyzer, SignatureClosersCodeFix>(
            Wrap($"_ = new Signature(\"{signature}{{|#0:|}}\");"),
            Wrap($"_ = new Signature(\"{signature}{closers}\");"),
            Diagnostic(DiagnosticDescriptors.InvalidSignature).WithArguments(signature, Reason(signature), signature.Length));
    }

    private static string Reason(string signature)
    {
        DBus.Shared.SignatureParser.Validate(signature);
        return DBus.Shared.SignatureParser.Validate(signature)!.Reason;
    }

    [Test]
    public async Task No_closing_fix_when_closing_does_not_help()
    {
        // "a{s" lacks a value, not only a bracket: the diagnostic stays and no fix is offered.
        await VerifyCodeFixAsync<SignatureAnalyzer, SignatureClosersCodeFix>(
            Wrap("_ = new Signature(\"a{s{|#0:|}\");"),
            Wrap("_ = new Signature(\"a{s{|#0:|}\");"),
            Diagnostic(DiagnosticDescriptors.InvalidSignature).WithArguments("a{s", Reason("a{s"), 3));
    }

    [Test]
    public async Task Type_mismatch_is_fixed_with_the_signature_of_the_arguments()
    {
        await VerifyCodeFixAsync<ArgumentsAnalyzer, SuggestedSignatureCodeFix>(
            Wrap("""bus.CallMethod("org.example.App", "/", "org.example.I", "M", "sua{sv}", "x", {|#0:-1|}, props);"""),
            Wrap("""bus.CallMethod("org.example.App", "/", "org.example.I", "M", "sia{sv}", "x", -1, props);"""),
            Diagnostic(DiagnosticDescriptors.ArgumentTypeMismatch).WithArguments(1, "-1", "int", "sua{sv}", "u", "uint"));
    }

    [Test]
    public async Task Count_mismatch_is_fixed_with_the_signature_of_the_arguments()
    {
        await VerifyCodeFixAsync<ArgumentsAnalyzer, SuggestedSignatureCodeFix>(
            Wrap("""bus.CallMethod("org.example.App", "/", "org.example.I", "M", "s", "x", {|#0:(1u, new ObjectPath("/a"))|});"""),
            Wrap("""bus.CallMethod("org.example.App", "/", "org.example.I", "M", "s(uo)", "x", (1u, new ObjectPath("/a")));"""),
            Diagnostic(DiagnosticDescriptors.ArgumentCountMismatch).WithArguments("s", 1, 2));
    }

    [Test]
    public async Task No_signature_fix_when_an_argument_type_is_unknown()
    {
        string code = Wrap("""bus.CallMethod("org.example.App", "/", "org.example.I", "M", "s", 1, {|#0:(object)"x"|});""");
        await VerifyCodeFixAsync<ArgumentsAnalyzer, SuggestedSignatureCodeFix>(code, code,
            Diagnostic(DiagnosticDescriptors.ArgumentCountMismatch).WithArguments("s", 1, 2));
    }
}
