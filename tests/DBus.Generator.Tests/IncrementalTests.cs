using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace DBus.Generator.Tests;

/// <summary>The pipeline caches: a second run does nothing, an edit to one file re-runs only that file's steps.</summary>
public class IncrementalTests
{
    private static readonly string[] s_steps =
    [
        TrackingNames.Inputs, TrackingNames.Parse, TrackingNames.Diagnostics, TrackingNames.Interfaces, TrackingNames.Emit,
        TrackingNames.HintNames, TrackingNames.Settle,
    ];

    private static XmlFile[] TwoFiles() =>
    [
        TestHelper.Input("Calculator.xml") with { Path = "/p/calculator.xml" },
        TestHelper.Input("Types.xml") with { Path = "/p/types.xml" },
    ];

    [Test]
    public void SecondRunIsFullyCached()
    {
        var driver = TestHelper.CreateDriver(TwoFiles());
        var compilation = TestHelper.CreateCompilation();
        driver = driver.RunGenerators(compilation);
        var first = driver.GetRunResult().Results.Single();
        driver = driver.RunGenerators(compilation.Clone());
        var second = driver.GetRunResult().Results.Single();

        foreach (var step in s_steps)
        {
            Assert.That(second.TrackedSteps.ContainsKey(step), Is.True, step);
            var reasons = second.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            Assert.That(reasons, Is.Not.Empty, step);
            Assert.That(reasons, Is.All.EqualTo(IncrementalStepRunReason.Cached).Or.EqualTo(IncrementalStepRunReason.Unchanged), step);
        }
        Assert.That(second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason),
            Is.All.EqualTo(IncrementalStepRunReason.Cached));

        foreach (var step in first.TrackedSteps.Where(s => s_steps.Contains(s.Key)).SelectMany(s => s.Value))
        {
            foreach (var output in step.Outputs)
            {
                AssertNoRoslynObjects(output.Value, step.Name ?? "");
            }
        }
    }

    [Test]
    public void EditingOneFileReRunsOnlyItsSteps()
    {
        var files = TwoFiles();
        var texts = Texts(files);
        var driver = TestHelper.CreateDriver(files, texts: texts);
        var compilation = TestHelper.CreateCompilation();
        driver = driver.RunGenerators(compilation);

        var oldText = texts[0];
        var edited = new InMemoryAdditionalText("/p/calculator.xml", files[0].Text.Replace("name=\"Add\"", "name=\"Plus\""));
        driver = driver.ReplaceAdditionalText(oldText, edited).RunGenerators(compilation.Clone());
        var result = driver.GetRunResult().Results.Single();

        var parse = result.TrackedSteps[TrackingNames.Parse].SelectMany(s => s.Outputs).ToList();
        Assert.That(parse.Count(o => o.Reason == IncrementalStepRunReason.Modified), Is.EqualTo(1));
        Assert.That(parse.Count(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged), Is.EqualTo(1));

        var emit = result.TrackedSteps[TrackingNames.Emit].SelectMany(s => s.Outputs).ToList();
        Assert.That(emit.Count(o => o.Reason == IncrementalStepRunReason.Modified), Is.EqualTo(1), "only the edited file's interface is emitted again");
        Assert.That(emit.Count(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged), Is.EqualTo(1));

        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.That(outputs.Count(o => o.Reason == IncrementalStepRunReason.Modified), Is.EqualTo(1), "only the edited file's source (its diagnostics, none, are unchanged)");
        Assert.That(result.GeneratedSources.Single(s => s.HintName == "Test.com.example.Calculator.g.cs").SourceText.ToString(),
            Does.Contain("PlusMethod"));
    }

    [Test]
    public void EditingAFileWithoutDBusGenerateRunsNothing()
    {
        var files = TwoFiles().Append(new XmlFile("/p/unrelated.xml", "<x/>", Generate: null)).ToArray();
        var texts = Texts(files);
        var driver = TestHelper.CreateDriver(files, texts: texts);
        var compilation = TestHelper.CreateCompilation();
        driver = driver.RunGenerators(compilation);
        driver = driver.ReplaceAdditionalText(texts[2], new InMemoryAdditionalText("/p/unrelated.xml", "<y/>"))
            .RunGenerators(compilation.Clone());
        var result = driver.GetRunResult().Results.Single();
        Assert.That(result.TrackedSteps[TrackingNames.Parse].SelectMany(s => s.Outputs).Select(o => o.Reason),
            Is.All.EqualTo(IncrementalStepRunReason.Cached).Or.EqualTo(IncrementalStepRunReason.Unchanged));
    }

    private static AdditionalText[] Texts(XmlFile[] files) =>
        files.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)).ToArray();

    /// <summary>Walks an output object graph and fails on anything that would keep a compilation alive.</summary>
    private static void AssertNoRoslynObjects(object? value, string step, HashSet<object>? seen = null, int depth = 0)
    {
        seen ??= new HashSet<object>(ReferenceEqualityComparer.Instance);
        if (value is null || depth > 20 || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }
        Assert.That(value, Is.Not.InstanceOf<Compilation>().And.Not.InstanceOf<ISymbol>().And.Not.InstanceOf<SyntaxNode>()
            .And.Not.InstanceOf<SyntaxTree>().And.Not.InstanceOf<AdditionalText>().And.Not.InstanceOf<System.Xml.Linq.XObject>(),
            $"step {step} holds a {value.GetType()}");
        if (value is DiagnosticDescriptor || value.GetType().Namespace == "Microsoft.CodeAnalysis.Text")
        {
            return; // immutable values: descriptors, TextSpan, LinePositionSpan
        }
        if (value is IEnumerable items)
        {
            foreach (var item in items)
            {
                AssertNoRoslynObjects(item, step, seen, depth + 1);
            }
        }
        foreach (var field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertNoRoslynObjects(field.GetValue(value), step, seen, depth + 1);
        }
    }
}
