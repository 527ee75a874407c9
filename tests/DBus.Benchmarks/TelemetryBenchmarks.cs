using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using DBus;
using DBus.Transport;

namespace DBus.Benchmarks;

/// <summary>
/// What the telemetry hooks of one round-trip call cost, both ends together: the client's call start and end, each
/// message counted as sent and received, and the server's dispatch start and end; with nobody listening (what every
/// call pays) and with a <see cref="MeterListener"/> and an <see cref="ActivityListener"/> taking everything (a
/// histogram point and a span at each end). Compare the first with a call's CPU time (<c>--cpu</c>).
/// Run: dotnet run -c Release --project tests/DBus.Benchmarks -- --filter '*TelemetryBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    private DBusConnection _connection = null!;
    private Message _call = null!;
    private MethodContext _context = null!;
    private MeterListener? _meters;
    private ActivityListener? _activities;

    [Params(false, true)]
    public bool Listening { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var (a, _) = SocketTransport.CreatePair();
        _connection = new DBusConnection(new MessageStream(a, "0123456789abcdef0123456789abcdef", false, default, null), new DBusConnectionOptions { IsBus = false });
        _call = ConnectionBenchmarks.Call(null);
        _context = new MethodContext(_connection, _call, default, null, 0);
        if (Listening)
        {
            _meters = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == DBusTelemetry.MeterName)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _meters.SetMeasurementEventCallback<double>((_, _, _, _) => { });
            _meters.SetMeasurementEventCallback<long>((_, _, _, _) => { });
            _meters.Start();
            _activities = new ActivityListener
            {
                ShouldListenTo = source => source.Name == DBusTelemetry.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            };
            ActivitySource.AddActivityListener(_activities);
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _meters?.Dispose();
        _activities?.Dispose();
        _call.Dispose();
        await _connection.DisposeAsync();
    }

    /// <summary>The hooks of one call in the order a call runs them (MessageRouter, MessageStream, HandlerInvoker).</summary>
    [Benchmark]
    public bool HooksOfOneCall()
    {
        int length = _call.Length;
        var client = CallTelemetry.StartClient(_call);
        Telemetry.MessageSent(length);
        Telemetry.MessageReceived(length);
        CallTelemetry.StartServer(_context, "org.dbusgen.Bench");
        CallTelemetry.StopServer(_context, null);
        Telemetry.MessageSent(length);
        Telemetry.MessageReceived(length);
        client?.Stop(null);
        return client is null;
    }
}
