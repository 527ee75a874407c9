using DBus.IntegrationTests.Generated.ValueTasks;
using DBus.Testing;
using DBusGen.Tests.Shared;

namespace DBus.IntegrationTests;

/// <summary>
/// Proxies generated with <c>ValueTasks="true"</c> (dbus/valuetasks/org.dbusgen.Test.xml) against the dbus-python
/// service tests/peers/python_service.py on a private dbus-daemon: values, errors, a timeout, properties, a NoReply
/// call, many calls in flight, and what a call allocates in this process (the client alone: the peer is python).
/// </summary>
[NonParallelizable]
public class ValueTaskProxyTests
{
    private const string ServiceName = "org.dbusgen.ValueTaskService";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    private PrivateBus _bus = null!;
    private PythonPeer _service = null!;
    private DBusConnection _connection = null!;
    private TestProxy _proxy = null!;
    private SettingsProxy _settings = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bus = await PrivateBus.StartAsync();
        _service = await PythonPeer.StartAsync("python_service.py", null, _bus.Address, ServiceName);
        _connection = await DBusConnection.ConnectAsync(_bus.Address);
        _proxy = new TestProxy(_connection, ServiceName, "/org/dbusgen/Test");
        _settings = new SettingsProxy(_connection, ServiceName, "/org/dbusgen/Test/Settings");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _service.DisposeAsync();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
        await _bus.DisposeAsync();
    }

    [Test]
    public async Task Calls_return_their_values_and_errors()
    {
        Assert.That(await _proxy.EchoIAsync(-7), Is.EqualTo(-7));
        Assert.That(await _proxy.EchoSAsync("value task"), Is.EqualTo("value task"));
        Assert.That(await _proxy.EchoStructAsync((3, "three", new Variant(3.5))), Is.EqualTo((3, "three", new Variant(3.5))));
        var error = Assert.ThrowsAsync<DBusException>(async () => await _proxy.RaiseAsync("org.dbusgen.Error.Planned", "as asked"));
        Assert.That(error!.ErrorName, Is.EqualTo("org.dbusgen.Error.Planned"));
        Assert.That(error.Message, Does.Contain("as asked"));
        await _proxy.SleepAsync(0.01);
    }

    [Test]
    public void A_call_past_the_proxys_timeout_fails_with_no_reply()
    {
        var impatient = _proxy.WithTimeout(TimeSpan.FromMilliseconds(100));
        Assert.ThrowsAsync<DBusNoReplyException>(async () => await impatient.SleepAsync(2));
    }

    [Test]
    public async Task Properties_are_read_and_written()
    {
        Assert.That(await _settings.GetTagsAsync(), Is.EqualTo(new[] { "a", "b" }));
        await _settings.SetVolumeAsync(0.75);
        Assert.That(await _settings.GetVolumeAsync(), Is.EqualTo(0.75));
        var all = await _settings.GetAllPropertiesAsync();
        Assert.That(all.Volume, Is.EqualTo(0.75));
        Assert.CatchAsync<OperationCanceledException>(async () => await _settings.SetVolumeAsync(-1, new CancellationToken(canceled: true)));
        Assert.That(await _settings.GetVolumeAsync(), Is.EqualTo(0.75), "a call cancelled before it was sent changes nothing");
    }

    [Test]
    public async Task Many_calls_in_flight_each_get_their_own_reply()
    {
        // Fewer than the private bus's limit on pending replies per connection.
        var calls = Enumerable.Range(0, 100).Select(i => _proxy.EchoIAsync(i).AsTask()).ToArray();
        Assert.That(await Task.WhenAll(calls).WaitAsync(s_timeout), Is.EqualTo(Enumerable.Range(0, 100)));
    }

    [Test]
    public async Task A_sequential_call_allocates_at_most_64_bytes_in_the_client()
    {
        // The same method through the proxy generated without ValueTasks (dbus/org.dbusgen.Test.xml), for comparison.
        var taskProxy = new DBus.IntegrationTests.Generated.TestProxy(_connection, ServiceName, "/org/dbusgen/Test");
        double withValueTask = await BytesPerCallAsync(() => _proxy.EchoIAsync(1));
        double withTask = await BytesPerCallAsync(() => new ValueTask<int>(taskProxy.EchoIAsync(1)));
        TestContext.Out.WriteLine($"bytes allocated per EchoI call in the client: ValueTask proxy {withValueTask:F1}, Task proxy {withTask:F1}");
        Assert.That(withValueTask, Is.LessThanOrEqualTo(64), "bytes allocated per call in the client process, ValueTask proxy");
        Assert.That(withTask - withValueTask, Is.GreaterThanOrEqualTo(64), "the Task proxy's task (72 bytes) is what the opt-in saves");
    }

    /// <summary>
    /// What one call allocates in this process, which is the client's alone (the peer is another process): the
    /// connection reading and dispatching the reply included. Best of three windows: a timer or the test runner only
    /// ever adds.
    /// </summary>
    private static async Task<double> BytesPerCallAsync(Func<ValueTask<int>> call)
    {
        const int Calls = 1000;
        for (int i = 0; i < 200; i++)
        {
            await call();
        }
        double best = double.MaxValue;
        for (int window = 0; window < 3; window++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            int sum = 0;
            for (int i = 0; i < Calls; i++)
            {
                sum += await call();
            }
            best = Math.Min(best, (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Calls);
            Assert.That(sum, Is.EqualTo(Calls));
        }
        return best;
    }
}
