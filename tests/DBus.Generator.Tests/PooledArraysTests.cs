using Microsoft.CodeAnalysis;

namespace DBus.Generator.Tests;

/// <summary>
/// org.dbusgen.PooledArrays and the PooledArrays metadata: where they apply, which setting wins, and DBG1019 (with
/// its XML location) where they cannot apply.
/// </summary>
public class PooledArraysTests
{
    private const string Path = "/project/dbus/test.xml";

    private static string Method(string annotationOnArg, string argType = "ai", string methodAnnotation = "") =>
        "<node>\n  <interface name=\"a.b\">\n    <method name=\"M\">\n" + methodAnnotation
        + $"      <arg name=\"x\" type=\"{argType}\">\n" + annotationOnArg + "      </arg>\n    </method>\n  </interface>\n</node>\n";

    private const string On = "        <annotation name=\"org.dbusgen.PooledArrays\" value=\"true\"/>\n";
    private const string Off = "        <annotation name=\"org.dbusgen.PooledArrays\" value=\"false\"/>\n";

    private static string Source(string xml, string? pooledMetadata = null)
    {
        var run = TestHelper.Run(new XmlFile(Path, xml, "Client;Server", "Test", PooledArrays: pooledMetadata));
        Assert.That(run.GeneratorDiagnostics, Is.Empty, TestHelper.Format(run.GeneratorDiagnostics));
        return run.Sources.Single().Value;
    }

    [Test]
    public void AnnotatedArgumentIsPooled()
    {
        string source = Source(Method(On));
        Assert.That(source, Does.Contain("MAsync(global::System.ReadOnlyMemory<int> x, global::System.Threading.CancellationToken"));
        Assert.That(source, Does.Contain("__r.ReadPooledArray<int>()"));
    }

    [Test]
    public void WithoutAnyOptInArraysStayArrays()
    {
        string source = Source(Method(""));
        Assert.That(source, Does.Not.Contain("ReadOnlyMemory").And.Not.Contain("PooledArray"));
    }

    [Test]
    public void FileMetadataOptsInAndTheInnermostAnnotationWins()
    {
        Assert.That(Source(Method(""), pooledMetadata: "true"), Does.Contain("ReadOnlyMemory<int> x"));
        Assert.That(Source(Method(Off), pooledMetadata: "true"), Does.Not.Contain("ReadOnlyMemory"));
        Assert.That(Source(Method(On, methodAnnotation: Off.Replace("  <", "<")), pooledMetadata: "false"), Does.Contain("ReadOnlyMemory<int> x"));
    }

    [Test]
    public void InheritedOptInSkipsWhatItCannotPoolSilently()
    {
        // ab is 4 bytes per element on the wire and as is not fixed-size: both keep arrays, without a warning.
        const string xml = "<node>\n  <interface name=\"a.b\">\n    <annotation name=\"org.dbusgen.PooledArrays\" value=\"true\"/>\n"
            + "    <method name=\"M\">\n      <arg name=\"b\" type=\"ab\"/>\n      <arg name=\"s\" type=\"as\"/>\n      <arg name=\"y\" type=\"ay\"/>\n    </method>\n"
            + "    <property name=\"P\" type=\"ai\" access=\"readwrite\"/>\n  </interface>\n</node>\n";
        string source = Source(xml);
        Assert.That(source, Does.Contain("MAsync(bool[] b, string[] s, global::System.ReadOnlyMemory<byte> y,"));
        Assert.That(source, Does.Contain("SetPAsync(int[] value,"));
    }

    [TestCase("ab")]
    [TestCase("ah")]
    [TestCase("as")]
    [TestCase("a(ii)")]
    [TestCase("i")]
    public void AnnotationOnAnArgumentItCannotPoolIsReported(string type)
    {
        string xml = Method(On, type);
        var run = TestHelper.Run(new XmlFile(Path, xml));
        var d = DiagnosticTests.Single(run.GeneratorDiagnostics.ToList(), "DBG1019", DiagnosticSeverity.Warning, DiagnosticTests.Where(xml, "value="));
        Assert.That(d.GetMessage(), Does.Contain("argument 'x' of method 'M'").And.Contain("not an array of y, n, q, i, u, x, t or d"));
        Assert.That(run.Sources.Single().Value, Does.Not.Contain("ReadOnlyMemory").And.Not.Contain("PooledArray"));
    }

    [Test]
    public void AnnotationOnAMethodWithoutPoolableArgumentsIsReported()
    {
        string xml = Method("", "as", methodAnnotation: On.Replace("  <", "<"));
        var d = DiagnosticTests.Single(DiagnosticTests.Diagnose(xml), "DBG1019", DiagnosticSeverity.Warning, DiagnosticTests.Where(xml, "value="));
        Assert.That(d.GetMessage(), Does.Contain("method 'M'").And.Contain("none of its arguments"));
    }

    [Test]
    public void AnnotationOnSignalsAndPropertiesIsReported()
    {
        const string xml = "<node>\n  <interface name=\"a.b\">\n    <signal name=\"S\">\n      <arg name=\"y\" type=\"ay\">\n"
            + "        <annotation name=\"org.dbusgen.PooledArrays\" value=\"true\"/>\n      </arg>\n    </signal>\n"
            + "    <property name=\"P\" type=\"ai\" access=\"read\">\n      <annotation name=\"org.dbusgen.PooledArrays\" value=\"true\"/>\n    </property>\n"
            + "  </interface>\n</node>\n";
        var diagnostics = DiagnosticTests.Diagnose(xml).Where(d => d.Id == "DBG1019").ToList();
        Assert.That(diagnostics.Select(d => d.GetMessage()), Has.Exactly(1).Contains("signal 'S'").And.Exactly(1).Contains("property 'P'"),
            TestHelper.Format(diagnostics));
        var lines = diagnostics.Select(d => d.Location.GetLineSpan().StartLinePosition.Line + 1).Order();
        Assert.That(lines, Is.EqualTo(new[] { 5, 9 }));
    }

    [Test]
    public void InvalidMetadataValueIsReported()
    {
        var run = TestHelper.Run(new XmlFile(Path, Method(""), PooledArrays: "yes"));
        Assert.That(run.GeneratorDiagnostics.Select(d => d.Id), Is.EqualTo(new[] { "DBG1010" }));
        Assert.That(run.GeneratorDiagnostics[0].GetMessage(), Does.Contain("PooledArrays").And.Contain("yes"));
    }
}
