using System.Collections.Immutable;
using DBusGen.Tests.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DBus.Analyzers.Tests;

/// <summary>Real code written against the runtime must compile clean with every analyzer on.</summary>
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

        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString());
        Assert.That(errors, Is.Empty, "the sample compiles");
        return await compilation.WithAnalyzers(s_analyzers).GetAnalyzerDiagnosticsAsync();
    }
}
