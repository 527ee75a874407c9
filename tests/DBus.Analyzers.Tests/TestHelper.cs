using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace DBus.Analyzers.Tests;

/// <summary>
/// Runs analyzers and code fixes over test code with the .NET 10 reference assemblies (from
/// Basic.Reference.Assemblies, so nothing is downloaded) and the built DBus.Runtime.dll.
/// </summary>
internal static class TestHelper
{
    /// <summary>Test-only APIs keyed on the marker attributes, so the tests do not depend on the connection layer.</summary>
    public const string Api = """
        using System;
        using System.Threading.Tasks;
        using DBus;
        using DBus.CodeAnalysis;

        namespace TestApi;

        public sealed class Bus
        {
            [DBusBlocking]
            public Message Call(Message call) => call;

            public Task<Message> CallAsync(Message call) => Task.FromResult(call);

            [DBusBlocking]
            public object?[] CallMethod([DBusName(DBusNameKind.BusName)] string destination, ObjectPath path,
                [DBusName(DBusNameKind.InterfaceName)] string @interface, [DBusName(DBusNameKind.MemberName)] string member,
                [DBusSignature] string signature, [DBusArguments("signature")] params object?[] args) => args;

            public Task CallMethodAsync([DBusName(DBusNameKind.BusName)] string destination, ObjectPath path,
                [DBusName(DBusNameKind.InterfaceName)] string @interface, [DBusName(DBusNameKind.MemberName)] string member,
                Signature signature, [DBusArguments("signature")] params ReadOnlySpan<object?> args) => Task.CompletedTask;

            [DBusBlocking]
            public uint RequestName([DBusName(DBusNameKind.WellKnownBusName)] string name) => 1;

            public IDisposable AddMatch([DBusMatchRule] string rule, [DBusDispatchThread] Action<Message> handler) => null!;

            public IDisposable AddFilter([DBusDispatchThread] Func<Message, bool> filter) => null!;

            public void Export(ObjectPath path, IHandler handler) { }
        }

        [DBusDispatchThread]
        public interface IHandler
        {
            void Handle(Message call);
        }

        public sealed class Options
        {
            [DBusSignature(SingleCompleteType = true)]
            public string? ElementType { get; set; }

            [DBusMatchRule]
            public string? Rule { get; set; }

            [DBusName(DBusNameKind.ErrorName)]
            public string? ErrorName { get; set; }
        }
        """;

    private static readonly ImmutableArray<MetadataReference> s_references =
    [
        .. Basic.Reference.Assemblies.Net100.References.All,
        MetadataReference.CreateFromFile(typeof(DBus.Signature).Assembly.Location),
    ];

    // A reference set with no package: the testing library resolves nothing and downloads nothing.
    private static readonly ReferenceAssemblies s_noPackages = new("net10.0");

    public static async Task VerifyAnalyzerAsync<TAnalyzer>(string source, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = source, ReferenceAssemblies = s_noPackages };
        Configure(test.TestState);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    public static async Task VerifyCodeFixAsync<TAnalyzer, TCodeFix>(string source, string fixedSource, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            TestCode = source,
            FixedCode = fixedSource,
            ReferenceAssemblies = s_noPackages,
        };
        Configure(test.TestState);
        Configure(test.FixedState);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    /// <summary>A diagnostic expected at the markup location {|#n:…|}.</summary>
    public static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor, int location = 0) =>
        new DiagnosticResult(descriptor).WithLocation(location).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

    private static void Configure(SolutionState state)
    {
        state.AdditionalReferences.AddRange(s_references);
        state.Sources.Add(("Api.cs", Api));
    }
}
