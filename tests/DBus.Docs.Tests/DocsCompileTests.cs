using System.Collections.Immutable;
using Basic.Reference.Assemblies;
using DBusGen.Tests.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DBus.Docs.Tests;

/// <summary>Every C# block in README.md, docs/*.md and the package README compiles against the runtime, DBus.Testing
/// and the code generated from dbus/ (what a reader who copies it has after `dotnet add package DBusGen`).</summary>
public class DocsCompileTests
{
    // What <ImplicitUsings>enable</ImplicitUsings> gives a console project, plus the namespaces a reader would import.
    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using DBus;
        global using DBus.Testing;
        global using DocsInterfaces;
        """;

    private static readonly ImmutableArray<MetadataReference> s_references =
    [
        .. Net100.References.All,
        MetadataReference.CreateFromFile(typeof(DBusConnection).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(DBus.Testing.PrivateBus).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(DocsCompileTests).Assembly.Location),
        // docs/observability.md: the OpenTelemetry SDK, its API and the console exporter.
        MetadataReference.CreateFromFile(typeof(OpenTelemetry.Sdk).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(OpenTelemetry.Metrics.MeterProviderBuilder).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(OpenTelemetry.Exporter.ConsoleExporterOptions).Assembly.Location),
    ];

    private static readonly CSharpParseOptions s_parseOptions = new(LanguageVersion.Latest);

    public static IEnumerable<string> Documents()
    {
        string root = RepositoryPaths.Root;
        yield return "README.md";
        yield return "build/package/README.md";
        foreach (string file in Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal))
        {
            yield return Path.GetRelativePath(root, file);
        }
    }

    [TestCaseSource(nameof(Documents))]
    public void Every_csharp_block_compiles(string document)
    {
        var blocks = DocBlock.Read(RepositoryPaths.Root, document).ToList();
        var programs = DocBlock.Programs(blocks);
        var failures = new List<string>();
        foreach (var program in programs)
        {
            failures.AddRange(Compile(program));
        }
        int fragments = blocks.Count(b => b.IsFragment);
        TestContext.Out.WriteLine($"{document}: {blocks.Count} C# blocks, {blocks.Count - fragments} compiled as {programs.Count} programs, {fragments} skipped as fragments");
        Assert.That(failures, Is.Empty, string.Join("\n", failures));
    }

    [Test]
    public void A_block_that_does_not_compile_is_reported_with_its_place()
    {
        // Proves the check above can fail: an undefined name in a block is an error at that block's line.
        var failures = Compile([new DocBlock("doc.md", 10, "int x = 1;\nConsole.WriteLine(y);\n", false, false)]);
        Assert.That(failures, Has.Count.EqualTo(1));
        Assert.That(failures[0], Does.StartWith("doc.md:11").And.Contain("CS0103"));
    }

    [Test]
    public void Statements_after_types_and_continued_blocks_compile_as_one_program()
    {
        var blocks = DocBlock.Programs(
        [
            new DocBlock("doc.md", 1, "sealed class A { public int X => 1; }\nvar a = new A();\n", false, false),
            new DocBlock("doc.md", 9, "Console.WriteLine(a.X);\n", false, true),
            new DocBlock("doc.md", 20, "this does not compile", true, false),
        ]);
        Assert.That(blocks, Has.Count.EqualTo(1));
        Assert.That(Compile(blocks[0]), Is.Empty);
    }

    /// <summary>Compiles one program; returns one line per error, placed at the document's line.</summary>
    private static List<string> Compile(List<DocBlock> program)
    {
        // Top-level statements must come before type declarations in C#; a doc block often shows a type first. Each
        // block's statements stay in order; its usings go first and its types last.
        var usings = new List<(DocBlock Block, SyntaxNode Node)>();
        var statements = new List<(DocBlock Block, SyntaxNode Node)>();
        var types = new List<(DocBlock Block, SyntaxNode Node)>();
        foreach (var block in program)
        {
            var unit = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(block.Code, s_parseOptions).GetRoot();
            usings.AddRange(unit.Usings.Select(u => (block, (SyntaxNode)u)));
            foreach (var member in unit.Members)
            {
                (member is GlobalStatementSyntax ? statements : types).Add((block, member));
            }
        }

        // Each piece is preceded by a #line directive, so an error points into the Markdown file.
        var source = new System.Text.StringBuilder();
        foreach (var (block, node) in usings.Concat(statements).Concat(types))
        {
            int line = block.Line + node.GetLocation().GetLineSpan().StartLinePosition.Line;
            source.Append("#line ").Append(line).Append(" \"").Append(block.File).Append("\"\n");
            source.Append(node.ToFullString().TrimStart('\n')).Append('\n');
        }
        var trees = new[]
        {
            CSharpSyntaxTree.ParseText(GlobalUsings, s_parseOptions, "GlobalUsings.cs"),
            CSharpSyntaxTree.ParseText(source.ToString(), s_parseOptions, program[0].File + ".cs"),
        };
        var compilation = CSharpCompilation.Create(
            "DocBlock",
            trees,
            s_references,
            new CSharpCompilationOptions(
                statements.Count > 0 ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                allowUnsafe: true));
        return compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d =>
            {
                var span = d.Location.GetMappedLineSpan();
                return $"{span.Path}:{span.StartLinePosition.Line + 1}: {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
            })
            .ToList();
    }
}
