using DBus.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using static DBus.Analyzers.Tests.TestHelper;

namespace DBus.Analyzers.Tests;

public class ArgumentsAnalyzerTests
{
    private static Task Verify(string body, params DiagnosticResult[] expected) =>
        VerifyAnalyzerAsync<ArgumentsAnalyzer>($$"""
            using System;
            using System.Collections.Generic;
            using DBus;
            using TestApi;

            enum Mode : uint { A, B }

            class C
            {
                const string Sig = "su";

                void M(Bus bus, object unknown, dynamic dyn, List<int> ints, Dictionary<string, Variant> props,
                    IReadOnlyDictionary<string, object> any, UnixFd fd, Microsoft.Win32.SafeHandles.SafeFileHandle handle, Mode mode, object?[] array)
                {
                    {{body}}
                }
            }
            """, expected);

    private static DiagnosticResult Mismatch(int location, int index, string expression, string type, string signature, string code, string expected) =>
        Diagnostic(DiagnosticDescriptors.ArgumentTypeMismatch, location).WithArguments(index, expression, type, signature, code, expected);

    [Test]
    public async Task Wrong_types_name_the_argument_and_the_expected_type()
    {
        await Verify("""
            bus.CallMethod("org.example.App", "/", "org.example.I", "M", "sub", {|#0:42|}, {|#1:"x"|}, true);
            bus.CallMethod("org.example.App", "/", "org.example.I", "M", "oaig", {|#2:"/not/a/path/object"|}, ints, {|#3:"s"|});
            bus.CallMethod("org.example.App", "/", "org.example.I", "M", "a{sv}(is)", {|#4:ints|}, {|#5:(1, 2)|});
            bus.CallMethod("org.example.App", "/", "org.example.I", "M", "ii", 1, {|#6:mode|});
            """,
            Mismatch(0, 0, "42", "int", "sub", "s", "string"),
            Mismatch(1, 1, "\"x\"", "string", "sub", "u", "uint"),
            Mismatch(2, 0, "\"/not/a/path/object\"", "string", "oaig", "o", "ObjectPath"),
            Mismatch(3, 2, "\"s\"", "string", "oaig", "g", "Signature"),
            Mismatch(4, 0, "ints", "List<int>", "a{sv}(is)", "a{sv}", "Dictionary<string, Variant>"),
            Mismatch(5, 1, "(1, 2)", "(int, int)", "a{sv}(is)", "(is)", "(int, string)"),
            Mismatch(6, 1, "mode", "Mode", "ii", "i", "int"));
    }

    [Test]
    public async Task Too_many_arguments_are_reported_at_the_first_extra_one()
    {
        await Verify("""bus.CallMethod("org.example.App", "/", "org.example.I", "M", "s", "a", {|#0:"b"|}, "c");""",
            Diagnostic(DiagnosticDescriptors.ArgumentCountMismatch).WithArguments("s", 1, 3));
    }

    [Test]
    public async Task Too_few_arguments_are_reported_at_the_signature()
    {
        await Verify("""
            bus.CallMethod("org.example.App", "/", "org.example.I", "M", {|#0:"si"|}, "a");
            bus.CallMethod("org.example.App", "/", "org.example.I", "M", {|#1:Sig|});
            """,
            Diagnostic(DiagnosticDescriptors.ArgumentCountMismatch, 0).WithArguments("si", 2, 1),
            Diagnostic(DiagnosticDescriptors.ArgumentCountMismatch, 1).WithArguments("su", 2, 0));
    }

    [Test]
    public async Task Span_params_and_Signature_parameters_are_checked()
    {
        await Verify("""_ = bus.CallMethodAsync("org.example.App", "/", "org.example.I", "M", "ay", {|#0:"bytes"|});""",
            Mismatch(0, 0, "\"bytes\"", "string", "ay", "ay", "byte[]"));
    }

    [Test]
    public async Task Matching_and_unknown_arguments_do_not_trigger()
    {
        await Verify("""
            bus.CallMethod("org.example.App", "/", "org.example.I", "M", "ybnqiuxtdsogv",
                (byte)1, true, (short)1, (ushort)1, 1, 1u, 1L, 1UL, 1.0, "s", new ObjectPath("/"), new Signature("i"), 3);
            bus.CallMethod("org.example.App", "/", "org.example.I", "M", "aia{sv}a{sv}hhu(sai)as",
                ints, props, any, fd, handle, mode, ("x", new[] { 1 }), new List<string>());
            bus.CallMethod("org.example.App", "/", "org.example.I", "M", "sia(ii)", unknown, dyn, null);
            bus.CallMethod("org.example.App", "/", "org.example.I", "M", "sss", array);
            bus.CallMethod("org.example.App", "/", "org.example.I", "M", "");
            bus.CallMethod("org.example.App", "/", "org.example.I", "M", "a{", 1);
            bus.CallMethod("org.example.App", "/", "org.example.I", "M", Sig, "x", 1u);
            _ = bus.CallMethodAsync("org.example.App", "/", "org.example.I", "M", "ay", new byte[] { 1 });
            """);
    }
}
