using System.Collections.Immutable;
using DBusGen.Tests.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace DBus.Analyzers.Tests;

/// <summary>Real code written against the runtime (and the generator's output for it) must compile clean with every
/// analyzer on.</summary>
public class SampleTests
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> s_analyzers =
    [
        new SignatureAnalyzer(),
        new NameAnalyzer(),
        new MatchRuleAnalyzer(),
        new ArgumentsAnalyzer(),
        new BlockingCallAnalyzer(),
    ];

    // What <ImplicitUsings>enable</ImplicitUsings> adds to a console project.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    [Test]
    public async Task Quickstart_has_no_diagnostic()
    {
        var diagnostics = await AnalyzeQuickstartAsync();
        Assert.That(diagnostics.Select(d => d.ToString()), Is.Empty);
    }

    [Test]
    public async Task The_same_pipeline_reports_a_mistake_added_to_the_sample()
    {
        // Proves the test above would see a diagnostic if the sample had one.
        var diagnostics = await AnalyzeQuickstartAsync("""
            static class Mistake
            {
                static DBus.Signature S() => new DBus.Signature("a{vs}");
            }
            """);
        Assert.That(diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "DBG2001" }));
    }

    [Test]
    public async Task A_blocking_call_in_another_implementation_of_the_generated_handler_is_reported()
    {
        // The sample's Greeter implements the generated IGreeterHandler and stays clean because it awaits; the same
        // interface implemented with a blocking call is reported.
        var diagnostics = await AnalyzeQuickstartAsync("""
            namespace Quickstart;

            sealed class BlockingGreeter : IGreeterHandler
            {
                public ValueTask<string> GreetAsync(string name, DBus.MethodContext context)
                {
                    using var reply = context.Connection.Call(context.Request);
                    return ValueTask.FromResult(name);
                }

                public string GetGreeting() => "";

                public void SetGreeting(string value) { }
            }
            """);
        Assert.That(diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "DBG2007" }));
        Assert.That(diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture),
            Does.Contain("'GreetAsync' (it implements IGreeterHandler)"));
        Assert.That(diagnostics[0].Location.SourceTree!.FilePath, Is.EqualTo("Extra.cs"));
    }

    [Test]
    public async Task A_blocking_call_in_a_handler_given_to_a_generated_Watch_method_is_reported()
    {
        // The generated Watch{Signal}Async marks its handler [DBusDispatchThread]: that is where the handler runs.
        var diagnostics = await AnalyzeQuickstartAsync("""
            namespace Quickstart;

            static class Watcher
            {
                public static Task<DBus.SignalSubscription> WatchAsync(GreeterProxy proxy, DBus.Message ping) =>
                    proxy.WatchGreetedAsync(name => proxy.Connection.Call(ping).Dispose());

                public static Task<DBus.SignalSubscription> WatchQuietlyAsync(GreeterProxy proxy) =>
                    proxy.WatchGreetedAsync(name => Console.WriteLine(name));
            }
            """);
        Assert.That(diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "DBG2007" }));
        Assert.That(diagnostics[0].Location.SourceTree!.FilePath, Is.EqualTo("Extra.cs"));
        var span = diagnostics[0].Location.GetLineSpan();
        Assert.That(span.StartLinePosition.Line, Is.EqualTo(5), "the blocking call in the first handler, not the quiet one");
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeQuickstartAsync(string? extraSource = null)
    {
        string folder = Path.Combine(RepositoryPaths.Root, "samples", "Quickstart");
        var files = Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.That(files, Is.Not.Empty, "the sample has sources");

        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), options, f))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, options, "GlobalUsings.g.cs"));
        if (extraSource is not null)
        {
            trees = trees.Append(CSharpSyntaxTree.ParseText(extraSource, options, "Extra.cs"));
        }
        var compilation = CSharpCompilation.Create("Quickstart", trees,
            [
                .. Basic.Reference.Assemblies.Net100.References.All,
                MetadataReference.CreateFromFile(typeof(DBus.Signature).Assembly.Location),
                MetadataReference.CreateFromFile(typeof(DBus.Testing.PrivateBus).Assembly.Location),
            ],
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        // The sample's DBusInterface items, as its build hands them to the generator (Generate per file, as in the csproj).
        var xml = Directory.GetFiles(Path.Combine(folder, "dbus"), "*.xml")
            .Select(f => (AdditionalText)new XmlText(f, File.ReadAllText(f)))
            .ToImmutableArray();
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new DBus.Generator.DBusGenerator().AsSourceGenerator()], xml, options, new SampleOptions());
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var generated, out var generatorDiagnostics);
        Assert.That(generatorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()), Is.Empty);
        Assert.That(generated.SyntaxTrees.Count(), Is.GreaterThan(compilation.SyntaxTrees.Count()), "the generator ran");
        compilation = (CSharpCompilation)generated;

        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString());
        Assert.That(errors, Is.Empty, "the sample compiles");
        return await compilation.WithAnalyzers(s_analyzers).GetAnalyzerDiagnosticsAsync();
    }

    private sealed class XmlText(string path, string text) : AdditionalText
    {
        public override string Path => path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }

    /// <summary>What samples/Quickstart/Quickstart.csproj sets: the Greeter for both sides, the bus interface for calls.</summary>
    private sealed class SampleOptions : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Values(new() { ["build_property.RootNamespace"] = "Quickstart" });

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Values([]);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Values(new()
        {
            ["build_metadata.AdditionalFiles.DBusGenerate"] = textFile.Path.EndsWith("Greeter.xml", StringComparison.Ordinal) ? "Client,Server" : "Client",
        });

        private sealed class Values(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) =>
                values.TryGetValue(key, out value);
        }
    }
}
