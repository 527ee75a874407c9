using DBus.IntegrationTests.DocExamples;
using DBus.IntegrationTests.Generated;
using DBus.Testing;
using DBusGen.Tests.Shared;

namespace DBus.IntegrationTests;

/// <summary>
/// dbus/pooled/org.dbusgen.Bulk.xml, generated with <c>PooledArrays="true"</c>: a generated client and a generated
/// server on a private dbus-daemon exchange large ai and ay arguments as <see cref="ReadOnlyMemory{T}"/> and
/// <see cref="PooledArray{T}"/>, busctl calls the pooled handler, and a call allocates no array in steady state.
/// </summary>
[NonParallelizable]
public class PooledArraysBusTests
{
    private const string Name = "org.dbusgen.BulkService";
    private const string ObjectPathText = "/org/dbusgen/Bulk";
    private const int Count = 100_000;

    private PrivateBus _bus = null!;
    private DBusConnection _service = null!;
    private DBusConnection _client = null!;
    private IDisposable _export = null!;
    private BulkProxy _proxy = null!;
    private readonly int[] _values = Enumerable.Range(-50_000, Count).Select(i => i * 7).ToArray();

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bus = await PrivateBus.StartAsync();
        _service = await DBusConnection.ConnectAsync(_bus.Address);
        _export = _service.Export(ObjectPathText, new BulkService());
        await _service.RequestNameAsync(Name);
        _client = await DBusConnection.ConnectAsync(_bus.Address);
        _proxy = new BulkProxy(_client, Name, ObjectPathText);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _export?.Dispose();
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
        if (_bus is not null)
        {
            await _bus.DisposeAsync();
        }
    }

    [Test]
    public async Task SumsOneHundredThousandInts()
    {
        long total = await _proxy.SumAsync(_values);
        Assert.That(total, Is.EqualTo(_values.Sum(v => (long)v)));
    }

    [Test]
    public async Task EchoesIntsAndBytesIntoPooledArrays()
    {
        using var ints = await _proxy.EchoIntsAsync(_values.AsMemory(10, Count - 10));
        Assert.That(ints.Length, Is.EqualTo(Count - 10));
        Assert.That(ints.Span.SequenceEqual(_values.AsSpan(10)), Is.True);

        byte[] bytes = new byte[250_001];
        new Random(15).NextBytes(bytes);
        using var echoed = await _proxy.EchoBytesAsync(bytes);
        Assert.That(echoed.Span.SequenceEqual(bytes), Is.True);

        using var empty = await _proxy.EchoBytesAsync(ReadOnlyMemory<byte>.Empty);
        Assert.That(empty.Length, Is.Zero);
    }

    [Test]
    public async Task AnAsynchronousHandlerReadsItsPooledArgumentAfterAnAwait()
    {
        using var reversed = await _proxy.ReverseLaterAsync(_values);
        Assert.That(reversed.Span.ToArray(), Is.EqualTo(_values.Reverse().ToArray()));
    }

    [Test]
    public async Task TheDocumentedClientRuns()
    {
        long result = await BulkClient.RunAsync(_proxy, _values);
        Assert.That(result, Is.EqualTo(_values.Sum(v => (long)v) + _values[999]));
    }

    [Test]
    public async Task AnnotatedFalseKeepsArrays()
    {
        int[] echoed = await _proxy.PlainAsync([1, 2, 3]);
        Assert.That(echoed, Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public async Task BusctlCallsThePooledHandler()
    {
        var sum = await ExternalTool.RunAsync("busctl", $"--address={_bus.Address}", "--", "call", Name, ObjectPathText, "org.dbusgen.Bulk",
            "Sum", "ai", "3", "1", "-2", "40");
        Assert.That(sum.Output.Trim(), Is.EqualTo("x 39"), sum.ToString());
        var echo = await ExternalTool.RunAsync("busctl", $"--address={_bus.Address}", "--", "call", Name, ObjectPathText, "org.dbusgen.Bulk",
            "EchoBytes", "ay", "2", "255", "0");
        Assert.That(echo.Output.Trim(), Is.EqualTo("ay 2 255 0"), echo.ToString());
    }

    [Test]
    public void SteadyStateCallsAllocateNoArray()
    {
        const int Windows = 9, CallsPerWindow = 40;
        // Warm up: JIT, the connections' buffers, and the array pool's buckets on every thread involved.
        for (int i = 0; i < 50; i++)
        {
            using var warm = _proxy.EchoIntsAsync(_values).GetAwaiter().GetResult();
        }

        // Per-call allocations in several windows; the median window is the steady state (a window where the shared
        // array pool happened to miss once shows as an outlier, not as the rule).
        var thread = new List<long>();
        var process = new List<long>();
        long check = 0;
        for (int window = 0; window < Windows; window++)
        {
            long threadBefore = GC.GetAllocatedBytesForCurrentThread();
            long processBefore = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < CallsPerWindow; i++)
            {
                // Blocking on the test thread keeps building, sending, waiting and disposing on this thread.
                using var echoed = _proxy.EchoIntsAsync(_values).GetAwaiter().GetResult();
                check += echoed.Span[Count - 1];
            }
            thread.Add((GC.GetAllocatedBytesForCurrentThread() - threadBefore) / CallsPerWindow);
            process.Add((GC.GetTotalAllocatedBytes(precise: true) - processBefore) / CallsPerWindow);
        }
        long threadMedian = thread.Order().ElementAt(Windows / 2);
        long processMedian = process.Order().ElementAt(Windows / 2);
        TestContext.Out.WriteLine($"EchoInts(ai of {Count}), bytes per call by window: calling thread [{string.Join(", ", thread)}], "
            + $"process [{string.Join(", ", process)}]; medians {threadMedian} / {processMedian}");

        Assert.That(check, Is.EqualTo((long)Windows * CallsPerWindow * _values[Count - 1]));
        Assert.That(threadMedian, Is.LessThan(1024), "the calling thread allocates far less than the 400 KB an int[] would take");
        // Client and server in this process: one int[] per call on either side would be 400 KB.
        Assert.That(processMedian, Is.LessThan(40_000), "neither side allocates a 400 KB array per call");
    }
}
