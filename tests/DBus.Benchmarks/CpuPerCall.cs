using System.Diagnostics;
using DBus;
using DBus.Testing;
using DBus.Transport;

namespace DBus.Benchmarks;

/// <summary>
/// User+sys CPU time per call, of this process and of dbus-daemon, for the scenarios of
/// <see cref="ConnectionBenchmarks"/> (BenchmarkDotNet reports wall time and allocations, not CPU).
/// Run: dotnet run -c Release --project tests/DBus.Benchmarks -- --cpu
/// </summary>
internal static class CpuPerCall
{
    private const int Calls = 200_000;

    public static async Task RunAsync()
    {
        var (a, b) = SocketTransport.CreatePair();
        const string guid = "0123456789abcdef0123456789abcdef";
        var options = new DBusConnectionOptions { IsBus = false };
        await using (var client = new DBusConnection(new MessageStream(a, guid, false, default, null), options))
        await using (var server = new DBusConnection(new MessageStream(b, guid, false, default, null), options))
        {
            ConnectionBenchmarks.Serve(server);
            await MeasureAsync("peer-to-peer, sequential", client, null, 1, null);
            await MeasureAsync("peer-to-peer, 64 in flight", client, null, ConnectionBenchmarks.InFlight, null);
        }

        // Served by an exported object behind a DBusServer (the object layer's dispatch), peer-to-peer.
        var serverPath = Path.Combine(Path.GetTempPath(), "dbusgen-bench-" + Guid.NewGuid().ToString("N"));
        await using (var listener = DBusServer.Listen("unix:path=" + serverPath, new DBusServerOptions
        {
            ConnectionAdded = (_, connection) => connection.Export(new ObjectPath("/org/dbusgen/Bench"), new PingHandler()),
        }))
        await using (var client = await DBusConnection.ConnectAsync(listener.Address, new DBusConnectionOptions { IsBus = false }))
        {
            await MeasureAsync("DBusServer + Export, sequential", client, null, 1, null);
            await MeasureAsync("DBusServer + Export, 64 in flight", client, null, ConnectionBenchmarks.InFlight, null);
        }

        await using var bus = await PrivateBus.StartAsync();
        await using var busServer = await DBusConnection.ConnectAsync(bus.Address);
        await using var busClient = await DBusConnection.ConnectAsync(bus.Address);
        await busServer.RequestNameAsync("org.dbusgen.Bench");
        ConnectionBenchmarks.Serve(busServer);
        await MeasureAsync("through dbus-daemon, sequential", busClient, "org.dbusgen.Bench", 1, bus.ProcessId);
        await MeasureAsync("through dbus-daemon, 64 in flight", busClient, "org.dbusgen.Bench", ConnectionBenchmarks.InFlight, bus.ProcessId);

        await using var exported = await DBusConnection.ConnectAsync(bus.Address);
        await exported.RequestNameAsync("org.dbusgen.Bench.Exported");
        using var registration = exported.Export(new ObjectPath("/org/dbusgen/Bench"), new PingHandler());
        await MeasureAsync("dbus-daemon + Export, 64 in flight", busClient, "org.dbusgen.Bench.Exported", ConnectionBenchmarks.InFlight, bus.ProcessId);
    }

    private static async Task MeasureAsync(string name, DBusConnection client, string? destination, int inFlight, int? daemonPid)
    {
        var calls = new Task<string>[inFlight];
        async Task Round(int count)
        {
            if (inFlight == 1)
            {
                for (int i = 0; i < count; i++)
                {
                    await client.CallAsync(ConnectionBenchmarks.Call(destination), ConnectionBenchmarks.s_readString);
                }
                return;
            }
            for (int done = 0; done < count; done += inFlight)
            {
                for (int i = 0; i < inFlight; i++)
                {
                    calls[i] = client.CallAsync(ConnectionBenchmarks.Call(destination), ConnectionBenchmarks.s_readString);
                }
                await Task.WhenAll(calls);
            }
        }
        await Round(20_000); // warm-up
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var daemonBefore = daemonPid is { } pid ? ProcessCpu(pid) : TimeSpan.Zero;
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var wall = Stopwatch.StartNew();
        await Round(Calls);
        wall.Stop();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var daemon = daemonPid is { } p ? ProcessCpu(p) - daemonBefore : TimeSpan.Zero;
        Console.WriteLine($"{name,-36} {Calls / wall.Elapsed.TotalSeconds,10:N0} calls/s  " +
            $"CPU/call: ours {cpu.TotalMicroseconds / Calls,6:F2} µs" +
            (daemonPid is null ? "" : $", dbus-daemon {daemon.TotalMicroseconds / Calls,6:F2} µs") +
            $"  allocated/call (both ends here): {allocated / (double)Calls,7:F0} B");
    }

    /// <summary>utime + stime of another process, from /proc/PID/stat (clock ticks of 10 ms on Linux).</summary>
    internal static TimeSpan ProcessCpu(int pid)
    {
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long ticks = long.Parse(fields[11]) + long.Parse(fields[12]);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }
}
