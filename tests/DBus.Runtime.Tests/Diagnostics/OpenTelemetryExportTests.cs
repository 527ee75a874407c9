using System.Diagnostics;
using DBus.Runtime.Tests.Connection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace DBus.Runtime.Tests.Diagnostics;

/// <summary>What docs/observability.md shows: the OpenTelemetry SDK exports DBusGen's metrics and spans by name.</summary>
[TestFixture]
[NonParallelizable]
public class OpenTelemetryExportTests
{
    [Test]
    public async Task The_OpenTelemetry_SDK_exports_call_metrics_and_spans()
    {
        var metrics = new List<Metric>();
        var spans = new List<Activity>();
        using (var meterProvider = Sdk.CreateMeterProviderBuilder().AddMeter(DBusTelemetry.MeterName).AddInMemoryExporter(metrics).Build())
        using (var tracerProvider = Sdk.CreateTracerProviderBuilder().AddSource(DBusTelemetry.ActivitySourceName).AddInMemoryExporter(spans).Build())
        {
            await using var pair = PeerPair.Create();
            pair.ServeEcho();
            string reply = await pair.Client.CallAsync(PeerPair.Echo("exported"), static r => r.GetBodyReader().ReadString()).WaitAsync(PeerPair.Timeout);
            Assert.That(reply, Is.EqualTo("exported"));
        }

        // Exported as the provider is disposed.
        var duration = metrics.Last(m => m.Name == "rpc.client.call.duration");
        Assert.That(duration.Unit, Is.EqualTo("s"));
        var points = new List<MetricPoint>();
        foreach (ref readonly var point in duration.GetMetricPoints())
        {
            points.Add(point);
        }
        Assert.That(points.Sum(p => p.GetHistogramCount()), Is.GreaterThanOrEqualTo(1));
        Assert.That(metrics.Select(m => m.Name), Does.Contain("dbus.messages.sent").And.Contain("dbus.bytes.received"));
        var span = spans.First(a => a.DisplayName == "org.test.Iface/Echo");
        Assert.That(span.Kind, Is.EqualTo(ActivityKind.Client));
        Assert.That(span.GetTagItem("rpc.system"), Is.EqualTo("dbus"));
    }
}
