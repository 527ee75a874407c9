using System.Diagnostics;
using DBusGen.Tests.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DBus.Generator.Tests;

/// <summary>
/// Every introspection file of ../shared/corpus (real XML from 17 projects) through the generator for
/// client and server: no crash, no error, no warning but our documented non-conformance warnings, and
/// output (with the shapes of the same names) that compiles cleanly. Reports the generator time.
/// </summary>
public class CorpusTests
{
    /// <summary>Warnings that report XML the specification does not allow; docs/diagnostics.md lists them as such.</summary>
    private static readonly HashSet<string> s_nonConformance = ["DBG1003", "DBG1004", "DBG1008", "DBG1010", "DBG1017", "DBG1018"];

    private static List<XmlFile> LoadCorpus()
    {
        string root = RepositoryPaths.CorpusXml;
        string manifest = Path.Combine(root, "MANIFEST.tsv");
        if (!File.Exists(manifest))
        {
            // CI and every developer have ../shared beside the checkout: a missing corpus is a broken setup, not a skip.
            Assert.Fail($"the corpus is missing: {manifest} not found (../shared/corpus must sit beside the repository)");
        }
        var files = new List<XmlFile>();
        foreach (var line in File.ReadLines(manifest).Skip(1))
        {
            string local = line.Split('\t')[0];
            if (local.Length == 0)
            {
                continue;
            }
            string path = Path.Combine(root, local);
            // One namespace per file: the corpus repeats interfaces across projects.
            string ns = "Corpus.F" + files.Count.ToString("000", System.Globalization.CultureInfo.InvariantCulture);
            files.Add(new XmlFile(path, File.ReadAllText(path), "Client;Server", ns));
        }
        return files;
    }

    [Test]
    public void EveryCorpusFileGeneratesCleanCode()
    {
        var files = LoadCorpus();
        Assert.That(files, Has.Count.GreaterThan(200));

        var wall = Stopwatch.StartNew();
        var run = TestHelper.Run(files);
        wall.Stop();
        var timing = run.Driver.GetTimingInfo();

        // A second, fresh driver: the same work with the JIT warm.
        var warm = TestHelper.CreateDriver(files, track: false).RunGenerators(TestHelper.CreateCompilation());
        var warmTiming = warm.GetTimingInfo();

        var result = run.Result.Results.Single();
        Assert.That(result.Exception, Is.Null);
        var errors = run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.That(errors, Is.Empty, TestHelper.Format(errors));
        var otherWarnings = run.GeneratorDiagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Warning && !s_nonConformance.Contains(d.Id)).ToList();
        Assert.That(otherWarnings, Is.Empty, TestHelper.Format(otherWarnings));
        Assert.That(run.Sources, Has.Count.GreaterThan(200));

        var compileWatch = Stopwatch.StartNew();
        SnapshotTests.AssertCompiles(run, files);
        compileWatch.Stop();
        TestContext.Out.WriteLine($"compile check: {compileWatch.ElapsedMilliseconds} ms, {run.Sources.Sum(s => s.Value.Length) / 1024} KiB generated");

        TestContext.Out.WriteLine($"corpus: {files.Count} files, {run.Sources.Count} generated files");
        TestContext.Out.WriteLine($"generator time (cold): {timing.ElapsedTime.TotalMilliseconds:F0} ms; "
            + $"(warm): {warmTiming.ElapsedTime.TotalMilliseconds:F0} ms; driver + compilation wall: {wall.ElapsedMilliseconds} ms");
        foreach (var group in run.GeneratorDiagnostics.GroupBy(d => d.Id).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            TestContext.Out.WriteLine($"  {group.Key} ({group.First().Severity}): {group.Count()}");
        }
    }
}
