using Microsoft.CodeAnalysis;

namespace DBus.Generator.Tests;

/// <summary>Hostile or broken XML: a clear diagnostic, never a crash or a hang.</summary>
public class RobustnessTests
{
    [Test]
    public void UndeclaredEntityIsKeptAsTextWithAWarning()
    {
        const string xml = "<!DOCTYPE node [ <!ENTITY KNOWN \"x.y\"> ]>\n<node>\n  <interface name=\"a.b\">\n    <method name=\"M\"><arg name=\"&UNKNOWN;\" type=\"s\"/><arg name=\"&KNOWN;\" type=\"s\"/></method>\n  </interface>\n</node>";
        var run = TestHelper.Run(new XmlFile("/p/e.xml", xml));
        var d = run.GeneratorDiagnostics.Single();
        Assert.That(d.Id, Is.EqualTo("DBG1018"));
        Assert.That(d.Location.GetLineSpan().StartLinePosition, Is.EqualTo(new Microsoft.CodeAnalysis.Text.LinePosition(3, 32)));
        Assert.That(run.Sources.Single().Value, Does.Contain("name=\"\"x.y\"\""));
    }

    [Test]
    public void EntityExpansionBombIsRejected()
    {
        var xml = "<!DOCTYPE node [\n<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n";
        char prev = 'a';
        for (char c = 'b'; c <= 'k'; c++)
        {
            xml += $"<!ENTITY {c} \"{string.Concat(Enumerable.Repeat($"&{prev};", 10))}\">\n";
            prev = c;
        }
        xml += "]>\n<node><interface name=\"a.b\"><method name=\"&k;\"/></interface></node>";
        var run = TestHelper.Run(new XmlFile("/p/bomb.xml", xml));
        Assert.That(run.GeneratorDiagnostics.Select(d => d.Id), Is.EqualTo(new[] { "DBG1001" }));
        Assert.That(run.Result.Results.Single().Exception, Is.Null);
    }

    [Test]
    public void ExternalDtdIsNotFetched()
    {
        const string xml = "<!DOCTYPE node SYSTEM \"file:///nonexistent/evil.dtd\">\n<node><interface name=\"a.b\"/></node>";
        var run = TestHelper.Run(new XmlFile("/p/x.xml", xml));
        Assert.That(run.GeneratorDiagnostics, Is.Empty);
        Assert.That(run.Sources, Has.Count.EqualTo(1));
    }

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("<")]
    [TestCase("<node")]
    [TestCase("<node><interface name=\"a.b\"><method name=\"M\"><arg type=\"a{sv\"/></method></interface></node>")]
    [TestCase("<node><interface><method/><signal/><property/></interface></node>")]
    [TestCase("<node><interface name=\"\"/></node>")]
    [TestCase("<node><interface name=\"a.b\"><property name=\"P\" type=\"\" access=\"read\"/></interface></node>")]
    [TestCase("<node><interface name=\"...\"><method name=\"9\"/><method name=\"_\"/><method name=\"-\"/></interface></node>")]
    [TestCase("<node><interface name=\"a.b\"><annotation/><annotation name=\"x\"/></interface></node>")]
    [TestCase("\uFEFF<node/>")]
    public void OddInputNeverCrashes(string xml)
    {
        var run = TestHelper.Run(new XmlFile("/p/odd.xml", xml));
        Assert.That(run.Result.Results.Single().Exception, Is.Null);
        Assert.That(run.GeneratorDiagnostics.Select(d => d.Id), Has.None.EqualTo("DBG1999"));
        Assert.That(run.GeneratorDiagnostics.Select(d => d.Location.Kind), Has.All.EqualTo(LocationKind.ExternalFile));
        Assert.That(TestHelper.Problems(run.Output), Is.Empty);
    }

    [Test]
    public void BoundedFuzzOfMutatedInputs()
    {
        // Seconds, not minutes: byte-level mutations of a real input, each run through the generator.
        string seed = File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Inputs", "MessyNames.xml"));
        var random = new Random(12345);
        const string alphabet = "<>/\"'=&;{}()ayvsio -_.aZ09\n";
        var deadline = DateTime.UtcNow.AddSeconds(3);
        int runs = 0;
        while (DateTime.UtcNow < deadline && runs < 300)
        {
            var chars = seed.ToCharArray();
            for (int k = random.Next(1, 6); k > 0; k--)
            {
                chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
            }
            var run = TestHelper.Run(new XmlFile("/p/fuzz.xml", new string(chars)));
            Assert.That(run.Result.Results.Single().Exception, Is.Null);
            Assert.That(run.GeneratorDiagnostics.Select(d => d.Id), Has.None.EqualTo("DBG1999"), new string(chars));
            var problems = TestHelper.Problems(run.Output);
            Assert.That(problems, Is.Empty, TestHelper.Format(problems) + "\n" + new string(chars));
            runs++;
        }
        TestContext.Out.WriteLine($"{runs} mutated inputs");
    }

    /// <summary>Members named Timeout/WithTimeout (the proxy's own members), parameter names the generated code uses,
    /// an interface named Timeout, signals only, a deprecated interface: the output compiles without a warning.</summary>
    [Test]
    public void MembersNamedLikeProxyMembersCompileForClientAndServer()
    {
        const string xml = """
<node>
  <interface name="org.example.Edge">
    <method name="Timeout"><arg name="timeout" type="u"/><arg name="r" type="s" direction="out"/></method>
    <method name="WithTimeout"><arg name="options" type="i"/></method>
    <property name="Timeout" type="u" access="readwrite"/>
    <property name="WithTimeout" type="(ii)" access="read"/>
    <signal name="Timeout"/>
    <signal name="WithTimeout"><arg name="options" type="(is)"/></signal>
    <signal name="Many"><arg name="class" type="s"/><arg name="cancellationToken" type="i"/><arg name="handler" type="ai"/><arg name="__message" type="v"/></signal>
    <signal name="Old"><annotation name="org.freedesktop.DBus.Deprecated" value="true"/><arg type="s"/></signal>
    <signal name="Nested"><arg name="x" type="a(sa{sv})"/></signal>
  </interface>
  <interface name="org.example.Timeout">
    <method name="Ping"/>
  </interface>
  <interface name="org.example.OnlySignal">
    <signal name="S"><arg name="value" type="s"/></signal>
  </interface>
  <interface name="org.example.Dep">
    <annotation name="org.freedesktop.DBus.Deprecated" value="true"/>
    <method name="M"><arg type="s" direction="out"/></method>
    <signal name="S"><arg name="value" type="s"/></signal>
    <property name="P" type="s" access="read"/>
  </interface>
</node>
""";
        var files = new[] { new XmlFile("/p/edge.xml", xml, Generate: "Client;Server") };
        var run = TestHelper.Run(files);
        Assert.That(run.Result.Results.Single().Exception, Is.Null);
        Assert.That(run.GeneratorDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning), Is.Empty, TestHelper.Format(run.GeneratorDiagnostics));
        var problems = TestHelper.Problems(run.Output);
        Assert.That(problems, Is.Empty, TestHelper.Format(problems));
        SnapshotTests.AssertCompiles(run, files);
    }
}
