using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace DBus.Generator.Tests;

/// <summary>Each diagnostic: its ID, severity, and the XML line and column it points at.</summary>
public class DiagnosticTests
{
    private const string Path = "/project/dbus/test.xml";

    internal static List<Diagnostic> Diagnose(string xml, string? generate = "Client", string? ns = "Test") =>
        TestHelper.Run(new XmlFile(Path, xml, generate, ns)).GeneratorDiagnostics.ToList();

    /// <summary>The 1-based line and column of <paramref name="marker"/>'s first occurrence, plus <paramref name="offset"/> characters.</summary>
    internal static (int Line, int Column) Where(string xml, string marker, int offset = 0)
    {
        int index = xml.IndexOf(marker, StringComparison.Ordinal);
        Assert.That(index, Is.GreaterThanOrEqualTo(0), marker);
        index += offset;
        int line = 1, column = 1;
        for (int i = 0; i < index; i++)
        {
            if (xml[i] == '\r' && i + 1 < xml.Length && xml[i + 1] == '\n')
            {
                continue;
            }
            if (xml[i] is '\n' or '\r')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }
        return (line, column);
    }

    internal static Diagnostic Single(List<Diagnostic> diagnostics, string id, DiagnosticSeverity severity, (int Line, int Column) at)
    {
        var matching = diagnostics.Where(d => d.Id == id).ToList();
        Assert.That(matching, Has.Count.EqualTo(1), TestHelper.Format(diagnostics));
        var d = matching[0];
        var span = d.Location.GetLineSpan();
        Assert.Multiple(() =>
        {
            Assert.That(d.Severity, Is.EqualTo(severity), d.ToString());
            Assert.That(d.Location.Kind, Is.EqualTo(LocationKind.ExternalFile), d.ToString());
            Assert.That(span.Path, Is.EqualTo(Path));
            Assert.That((span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1), Is.EqualTo(at), d.ToString());
            Assert.That(d.Descriptor.HelpLinkUri, Does.EndWith("#" + id.ToLowerInvariant()));
        });
        return d;
    }

    [Test]
    public void MalformedXml()
    {
        const string xml = "<node>\n  <interface name=\"a.b\">\n  </node>\n";
        var d = Single(Diagnose(xml), "DBG1001", DiagnosticSeverity.Error, (3, 5));
        Assert.That(d.GetMessage(), Does.Contain("interface"));
    }

    [Test]
    public void InvalidSignaturePointsAtTheCharacter()
    {
        const string xml = "<node>\n  <interface name=\"a.b\">\n    <method name=\"M\">\n      <arg name=\"x\" type=\"a{vs}\"/>\n    </method>\n  </interface>\n</node>\n";
        var run = TestHelper.Run(new XmlFile(Path, xml));
        var d = Single(run.GeneratorDiagnostics.ToList(), "DBG1002", DiagnosticSeverity.Error, Where(xml, "a{vs}", 2));
        Assert.That(d.GetMessage(), Does.Contain("dict entry key must be a basic type").And.Contain("at character 2").And.Contain("argument 'x' of method 'M'"));
        // The broken method is skipped, the interface is still generated.
        Assert.That(run.Sources.Single().Value, Does.Not.Contain("MMethod"));
    }

    [Test]
    public void InvalidSignatureWithCrLfAndTabs()
    {
        const string xml = "<node>\r\n\t<interface name=\"a.b\">\r\n\t\t<property name=\"P\"\ttype=\"(i\" access=\"read\"/>\r\n\t</interface>\r\n</node>\r\n";
        var d = Single(Diagnose(xml), "DBG1002", DiagnosticSeverity.Error, Where(xml, "(i\"", 2));
        Assert.That(d.GetMessage(), Does.Contain("never closed"));
    }

    [Test]
    public void MultipleCompleteTypesInOneArgument()
    {
        const string xml = "<interface name=\"a.b\"><signal name=\"S\"><arg type=\"ss\"/></signal></interface>";
        var d = Single(Diagnose(xml), "DBG1002", DiagnosticSeverity.Error, Where(xml, "ss\"", 1));
        Assert.That(d.GetMessage(), Does.Contain("exactly one"));
    }

    [Test]
    public void NameTheSpecForbidsIsAWarningAndCodeIsStillGenerated()
    {
        const string xml = "<node>\n  <interface name=\"org.example.bad-name\">\n    <property name=\"screen-width\" type=\"u\" access=\"read\"/>\n  </interface>\n</node>";
        var run = TestHelper.Run(new XmlFile(Path, xml));
        var diagnostics = run.GeneratorDiagnostics.ToList();
        Assert.That(diagnostics.Where(d => d.Id == "DBG1003"), Has.Exactly(2).Items);
        var iface = diagnostics.First(d => d.Id == "DBG1003");
        Assert.That(iface.Severity, Is.EqualTo(DiagnosticSeverity.Warning));
        var span = iface.Location.GetLineSpan();
        Assert.That((span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1), Is.EqualTo(Where(xml, "name=\"org")));
        Assert.That(run.Sources.Single().Value, Does.Contain("class ScreenWidthProperty"));
        Assert.That(TestHelper.Problems(run.Output), Is.Empty);
    }

    [Test]
    public void DuplicateMember()
    {
        const string xml = "<interface name=\"a.b\">\n<method name=\"M\"/>\n<method name=\"M\"/>\n</interface>";
        var d = Single(Diagnose(xml), "DBG1004", DiagnosticSeverity.Warning, (3, 9));
        Assert.That(d.GetMessage(), Does.Contain("'M2'"));
    }

    [Test]
    public void DuplicateInterfaceInOneFile()
    {
        const string xml = "<node>\n<interface name=\"a.b\"/>\n<interface name=\"a.b\"/>\n</node>";
        Single(Diagnose(xml), "DBG1004", DiagnosticSeverity.Warning, (3, 12));
    }

    [Test]
    public void UnknownDirection()
    {
        const string xml = "<interface name=\"a.b\">\n  <method name=\"M\"><arg type=\"s\" direction=\"inout\"/></method>\n</interface>";
        Single(Diagnose(xml), "DBG1005", DiagnosticSeverity.Error, Where(xml, "direction="));
    }

    [Test]
    public void UnknownAccess()
    {
        const string xml = "<interface name=\"a.b\">\n  <property name=\"P\" type=\"s\" access=\"readonly\"/>\n</interface>";
        Single(Diagnose(xml), "DBG1006", DiagnosticSeverity.Error, Where(xml, "access="));
    }

    [Test]
    public void MissingAttribute()
    {
        const string xml = "<interface name=\"a.b\">\n  <method name=\"M\"><arg name=\"x\"/></method>\n</interface>";
        Single(Diagnose(xml), "DBG1007", DiagnosticSeverity.Error, Where(xml, "<arg"));
    }

    [Test]
    public void UnknownElementIsAWarning_ForeignNamespacesAreSilent()
    {
        const string xml = "<node xmlns:doc=\"urn:doc\">\n  <interface name=\"a.b\">\n    <doc:anything/>\n    <frobnicate/>\n  </interface>\n</node>";
        var diagnostics = Diagnose(xml);
        Single(diagnostics, "DBG1008", DiagnosticSeverity.Warning, Where(xml, "<frobnicate"));
        Assert.That(diagnostics, Has.Count.EqualTo(1));
    }

    [Test]
    public void NotIntrospection()
    {
        const string xml = "<?xml version=\"1.0\"?>\n<html><body/></html>";
        Single(Diagnose(xml), "DBG1009", DiagnosticSeverity.Error, (2, 1));
    }

    [Test]
    public void InvalidAnnotationValue()
    {
        const string xml = "<interface name=\"a.b\">\n  <property name=\"P\" type=\"s\" access=\"read\">\n    <annotation name=\"org.freedesktop.DBus.Property.EmitsChangedSignal\" value=\"sometimes\"/>\n  </property>\n</interface>";
        Single(Diagnose(xml), "DBG1010", DiagnosticSeverity.Warning, Where(xml, "value="));
    }

    [Test]
    public void InvalidCSharpName()
    {
        const string xml = "<interface name=\"a.b\">\n  <method name=\"M\"><annotation name=\"org.dbusgen.CSharpName\" value=\"1st\"/></method>\n</interface>";
        Single(Diagnose(xml), "DBG1011", DiagnosticSeverity.Warning, Where(xml, "value="));
    }

    [Test]
    public void ClashResolutionIsReportedAsInfo()
    {
        const string xml = "<interface name=\"a.b\">\n  <method name=\"GetFoo\"/>\n  <property name=\"Foo\" type=\"s\" access=\"read\"/>\n</interface>";
        var d = Single(Diagnose(xml), "DBG1012", DiagnosticSeverity.Info, Where(xml, "name=\"Foo\""));
        Assert.That(d.GetMessage(), Does.Contain("'FooProperty'"));
    }

    [Test]
    public void StandardInterfaceIsSkipped()
    {
        const string xml = "<node>\n  <interface name=\"org.freedesktop.DBus.Peer\"><method name=\"Ping\"/></interface>\n</node>";
        var run = TestHelper.Run(new XmlFile(Path, xml));
        Single(run.GeneratorDiagnostics.ToList(), "DBG1013", DiagnosticSeverity.Info, Where(xml, "name=\"org"));
        Assert.That(run.Sources, Is.Empty);
    }

    [Test]
    public void InvalidGenerateMetadata()
    {
        var run = TestHelper.Run(new XmlFile(Path, "<interface name=\"a.b\"/>", "Client;Bogus"));
        Single(run.GeneratorDiagnostics.ToList(), "DBG1014", DiagnosticSeverity.Warning, (1, 1));
        Assert.That(run.Sources, Has.Count.EqualTo(1));
    }

    [Test]
    public void InvalidNamespace()
    {
        var run = TestHelper.Run(new XmlFile(Path, "<interface name=\"a.b\"/>", "Client", "My.class.Name"));
        Single(run.GeneratorDiagnostics.ToList(), "DBG1015", DiagnosticSeverity.Error, (1, 1));
        Assert.That(run.Sources, Is.Empty);
    }

    [Test]
    public void SameInterfaceFromTwoFilesInOneNamespace()
    {
        const string xml = "<node>\n  <interface name=\"a.b\"/>\n</node>";
        var run = TestHelper.Run(new XmlFile("/p/one.xml", xml), new XmlFile("/p/two.xml", xml));
        Assert.That(run.GeneratorDiagnostics.Select(x => x.Id), Does.Contain("DBG1016"), TestHelper.Format(run.GeneratorDiagnostics) + string.Join(",", run.Sources.Keys) + run.Result.Results.Single().Exception);
        var d = run.GeneratorDiagnostics.Single(x => x.Id == "DBG1016");
        Assert.That(d.Severity, Is.EqualTo(DiagnosticSeverity.Error));
        Assert.That(d.Location.GetLineSpan().Path, Is.EqualTo("/p/two.xml"));
        Assert.That(d.Location.GetLineSpan().StartLinePosition, Is.EqualTo(new LinePosition(1, 13)));
        Assert.That(run.Sources, Has.Count.EqualTo(1));
        Assert.That(run.Result.Results.Single().Exception, Is.Null);
    }

    [Test]
    public void NoReplyWithOutArgs()
    {
        const string xml = "<interface name=\"a.b\">\n  <method name=\"M\">\n    <annotation name=\"org.freedesktop.DBus.Method.NoReply\" value=\"true\"/>\n    <arg type=\"s\" direction=\"out\"/>\n  </method>\n</interface>";
        Single(Diagnose(xml), "DBG1017", DiagnosticSeverity.Warning, Where(xml, "name=\"M\""));
    }

    [TestCase("parse")]
    [TestCase("emit")]
    public void AnExceptionInsideTheGeneratorBecomesADiagnosticNotACrash(string stage)
    {
        const string xml = "<node>\n  <interface name=\"a.b\"/>\n</node>";
        var run = TestHelper.Run(new XmlFile(Path, xml) with { Fault = stage }, new XmlFile("/p/fine.xml", "<interface name=\"c.d\"/>"));
        var result = run.Result.Results.Single();
        Assert.Multiple(() =>
        {
            Assert.That(result.Exception, Is.Null, "the generator must not crash (CS8785)");
            Assert.That(run.GeneratorDiagnostics.Select(d => d.Id), Does.Not.Contain("CS8785"));
            var d = run.GeneratorDiagnostics.Single(x => x.Id == "DBG1999");
            Assert.That(d.Severity, Is.EqualTo(DiagnosticSeverity.Error));
            Assert.That(d.Location.GetLineSpan().Path, Is.EqualTo(Path));
            Assert.That(d.GetMessage(), Does.Contain("fault injected"));
            // The other file is unaffected.
            Assert.That(run.Sources.Keys, Does.Contain("Test.c.d.g.cs"));
        });
    }

    [Test]
    public void FileWithoutDBusGenerateIsNeverRead()
    {
        var driver = TestHelper.CreateDriver(
            [new XmlFile("/p/other.xml", "", Generate: null)], texts: [new ThrowingText("/p/other.xml")]);
        var result = driver.RunGenerators(TestHelper.CreateCompilation()).GetRunResult();
        Assert.That(result.Results.Single().Exception, Is.Null);
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.GeneratedTrees, Is.Empty);
    }

    [Test]
    public void RootNamespaceIsTheDefaultNamespace()
    {
        var run = TestHelper.Run([new XmlFile(Path, "<interface name=\"a.b\"/>", "Client", Namespace: null)], rootNamespace: "My.Root");
        Assert.That(run.Sources.Keys.Single(), Is.EqualTo("My.Root.a.b.g.cs"));
        Assert.That(run.Sources.Values.Single(), Does.Contain("namespace My.Root"));
    }

    private sealed class ThrowingText(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("a file without DBusGenerate was read");
    }
}
