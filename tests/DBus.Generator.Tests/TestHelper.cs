using System.Collections.Immutable;
using Basic.Reference.Assemblies;
using DBus.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace DBus.Generator.Tests;

/// <summary>An XML file as the generator sees it: its path, text and item metadata.</summary>
internal sealed record XmlFile(string Path, string Text, string? Generate = "Client", string? Namespace = "Test", string? Fault = null, string? PooledArrays = null, string? ValueTasks = null);

/// <summary>Runs <see cref="DBusGenerator"/> with <see cref="CSharpGeneratorDriver"/> over in-memory files and compiles the result.</summary>
internal static class TestHelper
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static readonly ImmutableArray<MetadataReference> s_references =
        [.. Net100.References.All, MetadataReference.CreateFromFile(typeof(global::DBus.UnixFd).Assembly.Location)];

    public static XmlFile Input(string name, string? generate = "Client", string? ns = "Test")
    {
        string path = Path.Combine(TestContext.CurrentContext.TestDirectory, "Inputs", name);
        return new XmlFile("/inputs/" + name, File.ReadAllText(path), generate, ns);
    }

    public static CSharpCompilation CreateCompilation(IEnumerable<SyntaxTree>? trees = null) =>
        CSharpCompilation.Create(
            "DBusGenTest",
            trees ?? [],
            s_references,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                generalDiagnosticOption: ReportDiagnostic.Default));

    public static GeneratorDriver CreateDriver(
        IEnumerable<XmlFile> files, string? rootNamespace = null, bool track = true, IEnumerable<AdditionalText>? texts = null)
    {
        var list = files.ToList();
        texts ??= list.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text));
        var options = new TestOptionsProvider(list, rootNamespace);
        return CSharpGeneratorDriver.Create(
            [new DBusGenerator().AsSourceGenerator()],
            texts.ToImmutableArray(),
            ParseOptions,
            options,
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));
    }

    /// <summary>Runs the generator once and compiles its output (plus <paramref name="extra"/> sources).</summary>
    public static GeneratorRun Run(IEnumerable<XmlFile> files, string? rootNamespace = null)
    {
        var driver = CreateDriver(files, rootNamespace);
        driver = driver.RunGeneratorsAndUpdateCompilation(CreateCompilation(), out var output, out var generatorDiagnostics);
        return new GeneratorRun(driver, driver.GetRunResult(), output, generatorDiagnostics);
    }

    public static GeneratorRun Run(params XmlFile[] files) => Run((IEnumerable<XmlFile>)files);

    /// <summary>Compiler diagnostics of the output worth failing a test: errors and warnings (hidden and info are fine).</summary>
    public static List<Diagnostic> Problems(Compilation compilation) =>
        compilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .ToList();

    public static string Format(IEnumerable<Diagnostic> diagnostics, int max = 30) =>
        string.Join("\n", diagnostics.Take(max).Select(d => d.ToString()));
}

/// <summary>The outcome of one generator run.</summary>
internal sealed record GeneratorRun(
    GeneratorDriver Driver,
    GeneratorDriverRunResult Result,
    Compilation Output,
    ImmutableArray<Diagnostic> GeneratorDiagnostics)
{
    public IReadOnlyDictionary<string, string> Sources =>
        Result.Results.SelectMany(r => r.GeneratedSources).ToDictionary(s => s.HintName, s => s.SourceText.ToString());
}

internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text);

    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}

/// <summary>Analyzer config options as MSBuild would produce them from CompilerVisibleItemMetadata.</summary>
internal sealed class TestOptionsProvider : AnalyzerConfigOptionsProvider
{
    private readonly Dictionary<string, AnalyzerConfigOptions> _perFile = new(StringComparer.Ordinal);

    public TestOptionsProvider(IEnumerable<XmlFile> files, string? rootNamespace)
    {
        foreach (var file in files)
        {
            var values = new Dictionary<string, string>();
            if (file.Generate is not null)
            {
                values[DBusGenerator.GenerateMetadata] = file.Generate;
            }
            if (file.Namespace is not null)
            {
                values[DBusGenerator.NamespaceMetadata] = file.Namespace;
            }
            if (file.PooledArrays is not null)
            {
                values[DBusGenerator.PooledArraysMetadata] = file.PooledArrays;
            }
            if (file.ValueTasks is not null)
            {
                values[DBusGenerator.ValueTasksMetadata] = file.ValueTasks;
            }
            if (file.Fault is not null)
            {
                values[DBusGenerator.FaultInjectionMetadata] = file.Fault;
            }
            _perFile[file.Path] = new Options(values);
        }
        var global = new Dictionary<string, string>();
        if (rootNamespace is not null)
        {
            global[DBusGenerator.RootNamespaceProperty] = rootNamespace;
        }
        GlobalOptions = new Options(global);
    }

    public override AnalyzerConfigOptions GlobalOptions { get; }

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
        _perFile.TryGetValue(textFile.Path, out var options) ? options : Options.Empty;

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public static readonly Options Empty = new([]);

        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) =>
            values.TryGetValue(key, out value);
    }
}
