using Microsoft.CodeAnalysis;

namespace DBus.Generator.Tests;

/// <summary>
/// org.dbusgen.ValueTasks and the ValueTasks metadata: which members return ValueTask, which setting wins, and DBG1020
/// (with its XML location) where the annotation cannot apply.
/// </summary>
public class ValueTasksTests
{
    private const string Path = "/project/dbus/test.xml";
    private const string On = "<annotation name=\"org.dbusgen.ValueTasks\" value=\"true\"/>";
    private const string Off = "<annotation name=\"org.dbusgen.ValueTasks\" value=\"false\"/>";

    private static string Interface(string interfaceAnnotation = "", string methodAnnotation = "", string propertyAnnotation = "") =>
        $"<node>\n  <interface name=\"a.b\">\n    {interfaceAnnotation}\n"
        + $"    <method name=\"Get\">\n      {methodAnnotation}\n      <arg name=\"x\" type=\"i\" direction=\"out\"/>\n    </method>\n"
        + "    <method name=\"Do\"/>\n"
        + $"    <property name=\"P\" type=\"s\" access=\"readwrite\">\n      {propertyAnnotation}\n    </property>\n"
        + "  </interface>\n</node>\n";

    private static string Source(string xml, string? valueTasksMetadata = null)
    {
        var run = TestHelper.Run(new XmlFile(Path, xml, "Client;Server", "Test", ValueTasks: valueTasksMetadata));
        Assert.That(run.GeneratorDiagnostics, Is.Empty, TestHelper.Format(run.GeneratorDiagnostics));
        Assert.That(TestHelper.Problems(run.Output), Is.Empty, TestHelper.Format(TestHelper.Problems(run.Output)));
        return run.Sources.Single().Value;
    }

    private const string ValueTaskOfInt = "public global::System.Threading.Tasks.ValueTask<int> GetAsync(";
    private const string TaskOfInt = "public global::System.Threading.Tasks.Task<int> GetAsync(";

    [Test]
    public void WithoutAnyOptInProxiesReturnTasks()
    {
        string source = Source(Interface());
        Assert.That(source, Does.Contain(TaskOfInt).And.Not.Contain("CallValueTaskAsync"));
    }

    [Test]
    public void OnTheInterfaceEveryCallOfTheProxyReturnsAValueTask()
    {
        string source = Source(Interface(interfaceAnnotation: On));
        Assert.Multiple(() =>
        {
            Assert.That(source, Does.Contain(ValueTaskOfInt));
            Assert.That(source, Does.Contain("this.Connection.CallValueTaskAsync(this.Messages.Get(), global::Test.BMessages.ReadGetReply, this.__timeout, cancellationToken);"));
            Assert.That(source, Does.Contain("public global::System.Threading.Tasks.ValueTask DoAsync("));
            Assert.That(source, Does.Contain("this.Connection.CallValueTaskAsync(this.Messages.Do(), this.__timeout, cancellationToken);"));
            Assert.That(source, Does.Contain("public global::System.Threading.Tasks.ValueTask<string> GetPAsync("));
            Assert.That(source, Does.Contain("public global::System.Threading.Tasks.ValueTask SetPAsync(string value,"));
            Assert.That(source, Does.Contain("public global::System.Threading.Tasks.ValueTask<global::Test.BProperties> GetAllPropertiesAsync("));
            Assert.That(source, Does.Contain("Await the task once"));
            // The server side does not change: handlers return ValueTask either way.
            Assert.That(source, Does.Contain("global::System.Threading.Tasks.ValueTask<int> GetAsync(global::DBus.MethodContext context);"));
        });
    }

    [Test]
    public void TheFileMetadataOptsInAndTheInnermostSettingWins()
    {
        Assert.That(Source(Interface(), valueTasksMetadata: "true"), Does.Contain(ValueTaskOfInt));
        string methodOptsOut = Source(Interface(methodAnnotation: Off), valueTasksMetadata: "true");
        Assert.That(methodOptsOut, Does.Contain(TaskOfInt).And.Contain("public global::System.Threading.Tasks.ValueTask DoAsync("));
        string interfaceOptsOut = Source(Interface(interfaceAnnotation: Off), valueTasksMetadata: "true");
        Assert.That(interfaceOptsOut, Does.Contain(TaskOfInt).And.Not.Contain("CallValueTaskAsync"));
        string methodOptsIn = Source(Interface(methodAnnotation: On), valueTasksMetadata: "false");
        Assert.That(methodOptsIn, Does.Contain(ValueTaskOfInt).And.Contain("public global::System.Threading.Tasks.Task DoAsync("));
        string propertyOptsIn = Source(Interface(propertyAnnotation: On));
        Assert.That(propertyOptsIn, Does.Contain("ValueTask<string> GetPAsync(").And.Contain(TaskOfInt)
            .And.Contain("public global::System.Threading.Tasks.Task<global::Test.BProperties> GetAllPropertiesAsync("));
    }

    [Test]
    public void ANoReplyMethodReturnsACompletedValueTask()
    {
        const string xml = "<node>\n  <interface name=\"a.b\">\n    " + On + "\n    <method name=\"Tell\">\n"
            + "      <annotation name=\"org.freedesktop.DBus.Method.NoReply\" value=\"true\"/>\n    </method>\n  </interface>\n</node>\n";
        string source = Source(xml);
        Assert.That(source, Does.Contain("public global::System.Threading.Tasks.ValueTask TellAsync(")
            .And.Contain("return global::System.Threading.Tasks.ValueTask.FromCanceled(cancellationToken);")
            .And.Contain("return global::System.Threading.Tasks.ValueTask.CompletedTask;"));
    }

    [Test]
    public void OnASignalItIsReportedAndIgnored()
    {
        string xml = "<node>\n  <interface name=\"a.b\">\n    <signal name=\"S\">\n      " + On + "\n    </signal>\n  </interface>\n</node>\n";
        var run = TestHelper.Run(new XmlFile(Path, xml));
        var d = DiagnosticTests.Single(run.GeneratorDiagnostics.ToList(), "DBG1020", DiagnosticSeverity.Warning, DiagnosticTests.Where(xml, "value="));
        Assert.That(d.GetMessage(), Does.Contain("signal 'S'").And.Contain("watched, not called"));
        Assert.That(run.Sources.Single().Value, Does.Not.Contain("ValueTask<global::DBus.SignalSubscription>"));
    }

    [Test]
    public void OnAnArgumentItIsReportedAndIgnored()
    {
        string xml = "<node>\n  <interface name=\"a.b\">\n    <method name=\"M\">\n      <arg name=\"x\" type=\"i\" direction=\"out\">\n        "
            + On + "\n      </arg>\n    </method>\n  </interface>\n</node>\n";
        var run = TestHelper.Run(new XmlFile(Path, xml));
        var d = DiagnosticTests.Single(run.GeneratorDiagnostics.ToList(), "DBG1020", DiagnosticSeverity.Warning, DiagnosticTests.Where(xml, "value="));
        Assert.That(d.GetMessage(), Does.Contain("an argument of method 'M'"));
        Assert.That(run.Sources.Single().Value, Does.Contain("public global::System.Threading.Tasks.Task<int> MAsync("));
    }

    [Test]
    public void AnInvalidMetadataValueIsReported()
    {
        var run = TestHelper.Run(new XmlFile(Path, Interface(), ValueTasks: "sometimes"));
        Assert.That(run.GeneratorDiagnostics.Select(d => d.Id), Does.Contain("DBG1010"));
        Assert.That(run.Sources.Single().Value, Does.Contain(TaskOfInt));
    }
}
