using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using DBus.Transport;

namespace DBus.Benchmarks;

/// <summary>
/// Which types a round-trip call allocates, sampled by the runtime's GC AllocationTick events (one event per
/// ~100 KB allocated, naming the type that crossed the threshold), over many peer-to-peer calls.
/// Run: dotnet run -c Release --project tests/DBus.Benchmarks -- --alloc
/// </summary>
internal static class AllocationProfile
{
    private const int Calls = 300_000;

    public static async Task RunAsync()
    {
        await ProfileAsync("served by a message filter", server => ConnectionBenchmarks.Serve(server));
        await ProfileAsync("served by an exported object", server => server.Export(new ObjectPath("/org/dbusgen/Bench"), new PingHandler()));
    }

    private static async Task ProfileAsync(string serving, Action<DBusConnection> serve)
    {
        var (a, b) = SocketTransport.CreatePair();
        const string guid = "0123456789abcdef0123456789abcdef";
        var options = new DBusConnectionOptions { IsBus = false };
        await using var client = new DBusConnection(new MessageStream(a, guid, false, default, null), options);
        await using var server = new DBusConnection(new MessageStream(b, guid, false, default, null), options);
        serve(server);
        foreach (int inFlight in new[] { 1, ConnectionBenchmarks.InFlight })
        {
            await RoundAsync(client, inFlight, 20_000);
            using var listener = new AllocationListener();
            long before = GC.GetTotalAllocatedBytes(precise: true);
            await RoundAsync(client, inFlight, Calls);
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            Console.WriteLine($"peer-to-peer, {serving}, {inFlight} in flight: {allocated / (double)Calls:F0} B/call (both ends)");
            foreach (var (type, bytes) in listener.Snapshot().OrderByDescending(p => p.Value).Take(15))
            {
                Console.WriteLine($"  {bytes / (double)Calls,7:F1} B/call  {type}");
            }
        }
    }

    private static async Task RoundAsync(DBusConnection client, int inFlight, int count)
    {
        if (inFlight == 1)
        {
            for (int i = 0; i < count; i++)
            {
                await client.CallAsync(ConnectionBenchmarks.Call(null), ConnectionBenchmarks.s_readString);
            }
            return;
        }
        var calls = new Task<string>[inFlight];
        for (int done = 0; done < count; done += inFlight)
        {
            for (int i = 0; i < inFlight; i++)
            {
                calls[i] = client.CallAsync(ConnectionBenchmarks.Call(null), ConnectionBenchmarks.s_readString);
            }
            await Task.WhenAll(calls);
        }
    }

    private sealed class AllocationListener : EventListener
    {
        private readonly ConcurrentDictionary<string, long> _bytes = new();

        public Dictionary<string, long> Snapshot() => new(_bytes);

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName is not "GCAllocationTick_V4" || e.Payload is null)
            {
                return;
            }
            int nameIndex = e.PayloadNames!.IndexOf("TypeName");
            int amountIndex = e.PayloadNames.IndexOf("AllocationAmount64");
            string type = e.Payload[nameIndex] as string ?? "?";
            long amount = Convert.ToInt64(e.Payload[amountIndex], System.Globalization.CultureInfo.InvariantCulture);
            _bytes.AddOrUpdate(type, amount, (_, total) => total + amount);
        }
    }
}
