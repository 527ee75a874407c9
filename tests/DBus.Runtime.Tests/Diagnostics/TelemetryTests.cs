using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using DBus.Runtime.Tests.Connection;

namespace DBus.Runtime.Tests.Diagnostics;

/// <summary>
/// The meter and activity source of <see cref="DBusTelemetry"/>, seen through the listeners an exporter uses. Each
/// test serves an interface of its own name and looks only at what carries it (other tests may run meanwhile).
/// </summary>
[TestFixture]
[NonParallelizable]
public class TelemetryTests
{
    private sealed record Measurement(string Instrument, double Value, Dictionary<string, object?> Tags);

    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _meters = new();
        private readonly ActivityListener _activities;

        public Recorder()
        {
            _meters.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == DBusTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
            _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
            _meters.Start();
            _activities = new ActivityListener
            {
                ShouldListenTo = source => source.Name == DBusTelemetry.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    Activities.Enqueue(activity);
                    CheckWaiters();
                },
            };
            ActivitySource.AddActivityListener(_activities);
        }

        public ConcurrentQueue<Measurement> Measurements { get; } = new();

        public ConcurrentQueue<Activity> Activities { get; } = new();

        private readonly List<(Func<bool> Condition, TaskCompletionSource Done)> _waiters = [];

        /// <summary>Completes when <paramref name="condition"/> holds, checked after each measurement and span.</summary>
        public async Task WaitForAsync(Func<bool> condition, string what)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_waiters)
            {
                _waiters.Add((condition, done));
            }
            CheckWaiters();
            try
            {
                await done.Task.WaitAsync(PeerPair.Timeout);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"timed out waiting for {what}");
            }
        }

        private void CheckWaiters()
        {
            lock (_waiters)
            {
                _waiters.RemoveAll(waiter => waiter.Condition() && waiter.Done.TrySetResult());
            }
        }

        public Measurement[] Of(string instrument) => Measurements.Where(m => m.Instrument == instrument).ToArray();

        public long Sum(string instrument) => (long)Of(instrument).Sum(m => m.Value);

        private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var dictionary = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                dictionary[tag.Key] = tag.Value;
            }
            Measurements.Enqueue(new Measurement(instrument.Name, value, dictionary));
            CheckWaiters();
        }

        public void Dispose()
        {
            _meters.Dispose();
            _activities.Dispose();
        }
    }

    /// <summary>Serves Ok (empty return), Fails (a DBusException) and ReplyError (an error sent through the context).</summary>
    private sealed class Handler(string interfaceName) : IDBusInterfaceHandler
    {
        public string InterfaceName => interfaceName;

        public string IntrospectionXml => $"""
            <interface name="{interfaceName}">
              <method name="Ok"/>
              <method name="Fails"/>
              <method name="ReplyError"/>
            </interface>
            """;

        public async ValueTask HandleCallAsync(MethodContext context)
        {
            switch (context.Member)
            {
                case "Ok":
                    await Task.Yield();
                    context.Reply();
                    break;
                case "Fails":
                    throw new DBusException("org.test.Error.Nope", "not today");
                default:
                    context.ReplyError("org.test.Error.Replied", "said so");
                    break;
            }
        }

        public void WriteProperty(string name, ref MessageWriter writer) => throw new NotSupportedException();

        public void SetProperty(string name, ref MessageReader reader) => throw new NotSupportedException();
    }

    private static string UniqueInterface() => "org.test.Telemetry.T" + Guid.NewGuid().ToString("N");

    private static Message Call(string @interface, string member) =>
        MessageWriter.CreateMethodCall(null, new ObjectPath("/org/test"), @interface, member).ToMessage();

    [Test]
    public async Task Client_and_server_calls_are_measured_with_rpc_tags_and_error_names()
    {
        using var recorder = new Recorder();
        await using var pair = PeerPair.Create();
        string iface = UniqueInterface();
        using var export = pair.Server.Export(new ObjectPath("/org/test"), new Handler(iface));

        using (await pair.Client.CallAsync(Call(iface, "Ok")).WaitAsync(PeerPair.Timeout))
        {
        }
        Assert.That(async () => await pair.Client.CallAsync(Call(iface, "Fails"), static reply => 0).WaitAsync(PeerPair.Timeout),
            Throws.InstanceOf<DBusException>());
        Assert.That(async () => await pair.Client.CallAsync(Call(iface, "ReplyError")).WaitAsync(PeerPair.Timeout),
            Throws.InstanceOf<DBusException>());

        foreach (string instrument in new[] { "rpc.client.call.duration", "rpc.server.call.duration" })
        {
            // The server records once its reply is on its way, which may be just after the client saw it.
            await recorder.WaitForAsync(() => recorder.Of(instrument).Count(m => Equals(m.Tags["rpc.service"], iface)) == 3, instrument);
            var ours = recorder.Of(instrument).Where(m => Equals(m.Tags["rpc.service"], iface)).ToDictionary(m => (string)m.Tags["rpc.method"]!);
            Assert.That(ours.Keys, Is.EquivalentTo(new[] { "Ok", "Fails", "ReplyError" }), instrument);
            Assert.That(ours.Values.Select(m => m.Tags["rpc.system"]), Is.All.EqualTo("dbus"), instrument);
            Assert.That(ours["Ok"].Tags.ContainsKey("error.type"), Is.False, instrument);
            Assert.That(ours["Fails"].Tags["error.type"], Is.EqualTo("org.test.Error.Nope"), instrument);
            Assert.That(ours["ReplyError"].Tags["error.type"], Is.EqualTo("org.test.Error.Replied"), instrument);
            Assert.That(ours.Values.Select(m => m.Value), Is.All.GreaterThan(0).And.All.LessThan(10), instrument + " (seconds)");
        }
    }

    [Test]
    public async Task Calls_get_client_and_server_spans_that_leave_the_callers_current_activity_alone()
    {
        using var recorder = new Recorder();
        await using var pair = PeerPair.Create();
        string iface = UniqueInterface();
        using var export = pair.Server.Export(new ObjectPath("/org/test"), new Handler(iface));
        using var parent = new Activity("user work").Start();

        using (await pair.Client.CallAsync(Call(iface, "Ok")).WaitAsync(PeerPair.Timeout))
        {
        }
        Assert.That(Activity.Current, Is.SameAs(parent), "the call's span must not stay current after the call");
        Assert.That(async () => await pair.Client.CallAsync(Call(iface, "Fails")).WaitAsync(PeerPair.Timeout), Throws.InstanceOf<DBusException>());

        await recorder.WaitForAsync(() => recorder.Activities.Count(a => a.DisplayName.StartsWith(iface, StringComparison.Ordinal)) == 4, "spans");
        var spans = recorder.Activities.Where(a => a.DisplayName.StartsWith(iface, StringComparison.Ordinal)).ToArray();
        var clientOk = spans.Single(a => a.Kind == ActivityKind.Client && a.DisplayName == iface + "/Ok");
        Assert.That(clientOk.Parent, Is.SameAs(parent), "a client span is a child of what the caller was doing");
        Assert.That(clientOk.GetTagItem("rpc.system"), Is.EqualTo("dbus"));
        Assert.That(clientOk.GetTagItem("rpc.method"), Is.EqualTo("Ok"));
        Assert.That(clientOk.Status, Is.EqualTo(ActivityStatusCode.Unset));
        var serverFails = spans.Single(a => a.Kind == ActivityKind.Server && a.DisplayName == iface + "/Fails");
        Assert.That(serverFails.Status, Is.EqualTo(ActivityStatusCode.Error));
        Assert.That(serverFails.StatusDescription, Is.EqualTo("org.test.Error.Nope"));
        Assert.That(spans.Count(a => a.Kind == ActivityKind.Server), Is.EqualTo(2));
    }

    [Test]
    public async Task A_call_that_times_out_is_measured_as_NoReply()
    {
        using var recorder = new Recorder();
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        string iface = "org.test.Iface";
        Assert.That(async () => await pair.Client.CallAsync(PeerPair.Call("Swallow"), TimeSpan.FromMilliseconds(50)).WaitAsync(PeerPair.Timeout),
            Throws.InstanceOf<DBusNoReplyException>());
        await recorder.WaitForAsync(() => recorder.Of("rpc.client.call.duration").Any(m => Equals(m.Tags["rpc.method"], "Swallow")), "timeout measurement");
        var measurement = recorder.Of("rpc.client.call.duration").First(m => Equals(m.Tags["rpc.method"], "Swallow"));
        Assert.That(measurement.Tags["rpc.service"], Is.EqualTo(iface));
        Assert.That(measurement.Tags["error.type"], Is.EqualTo(DBusErrorNames.NoReply));
    }

    [Test]
    public async Task Messages_and_bytes_are_counted_both_ways()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        using var recorder = new Recorder();
        string text = new('x', 1000);
        for (int i = 0; i < 10; i++)
        {
            Assert.That(await pair.Client.CallAsync(PeerPair.Echo(text), static reply => reply.GetBodyReader().ReadString()).WaitAsync(PeerPair.Timeout),
                Is.EqualTo(text));
        }
        // Both ends are in this process: each call is sent once and received once, and so is each reply.
        Assert.That(recorder.Sum("dbus.messages.sent"), Is.GreaterThanOrEqualTo(20));
        Assert.That(recorder.Sum("dbus.messages.received"), Is.GreaterThanOrEqualTo(20));
        Assert.That(recorder.Sum("dbus.bytes.sent"), Is.GreaterThanOrEqualTo(20 * 1000));
        Assert.That(recorder.Sum("dbus.bytes.received"), Is.GreaterThanOrEqualTo(20 * 1000));
    }

    [Test]
    public async Task Dropped_signals_are_counted()
    {
        await using var pair = PeerPair.Create();
        using var recorder = new Recorder();
        string member = "Drop" + Guid.NewGuid().ToString("N");
        await using var queue = await pair.Client.WatchAsync(new MatchRule { Member = member },
            new MessageQueueOptions { Capacity = 1, FullMode = QueueFullMode.DropNewest });
        for (int i = 0; i < 4; i++)
        {
            pair.Server.Send(PeerPair.Signal(member, "x"));
        }
        await recorder.WaitForAsync(() => recorder.Sum("dbus.signal_queue.dropped") >= 3, "three drops counted");
        Assert.That(queue.DroppedCount, Is.EqualTo(3));
    }

    [Test]
    public async Task Connections_and_failed_authentications_are_counted_by_role()
    {
        using var recorder = new Recorder();
        await using var server = DBusServer.Listen("unix:tmpdir=/tmp", new DBusServerOptions());
        await using (var client = await DBusConnection.ConnectAsync(server.Address, new DBusConnectionOptions { IsBus = false }))
        {
            using var reply = await client.CallAsync(
                MessageWriter.CreateMethodCall(null, ObjectPath.Root, "org.freedesktop.DBus.Peer", "Ping").ToMessage()).WaitAsync(PeerPair.Timeout);
        }
        Assert.That(async () => await DBusConnection.ConnectAsync(server.Address,
                new DBusConnectionOptions { IsBus = false, AuthenticationMechanisms = ["ANONYMOUS"] }),
            Throws.InstanceOf<DBusAuthenticationException>());

        long Count(string instrument, string role) =>
            recorder.Of(instrument).Where(m => Equals(m.Tags["dbus.connection.role"], role)).Sum(m => (long)m.Value);
        await recorder.WaitForAsync(() => Count("dbus.connections.closed", Telemetry.RoleServer) >= 1 && Count("dbus.authentication.failures", Telemetry.RoleServer) >= 1,
            "the server noticing both clients");
        Assert.That(Count("dbus.connections.opened", Telemetry.RoleClient), Is.GreaterThanOrEqualTo(1));
        Assert.That(Count("dbus.connections.opened", Telemetry.RoleServer), Is.GreaterThanOrEqualTo(1));
        Assert.That(Count("dbus.connections.closed", Telemetry.RoleClient), Is.GreaterThanOrEqualTo(1));
        Assert.That(Count("dbus.authentication.failures", Telemetry.RoleClient), Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public void Without_a_listener_a_call_carries_no_telemetry()
    {
        // Nothing in this fixture listens now (it runs alone: NonParallelizable), so no call pays for telemetry.
        using var call = Call("org.test.Nobody", "Listens");
        Assert.That(CallTelemetry.StartClient(call), Is.Null);
        Assert.That(Telemetry.ServerCallsObserved, Is.False);
        using var recorder = new Recorder();
        var observed = CallTelemetry.StartClient(call);
        Assert.That(observed, Is.Not.Null);
        observed!.Stop(null);
    }
}
