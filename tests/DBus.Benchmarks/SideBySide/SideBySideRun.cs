using System.Diagnostics;
using System.Globalization;
using DBus.Testing;

namespace DBus.Benchmarks.SideBySide;

/// <summary>
/// DBusGen, Tmds.DBus.Protocol and sd-bus (libsystemd, C) doing the same work in one interleaved run: Echo(s)→s
/// sequential and with 64 in flight, Sum(ai of 100,000 int32)→x with 4 in flight, peer-to-peer and through a
/// private dbus-daemon. Every client and server is a process of its own, so CPU per call is each process's own
/// (user+sys, from getrusage or /proc). Rounds interleave the implementations so that a noisy neighbour hurts all
/// of them alike; the tables give medians.
/// Run: dotnet run -c Release --project tests/DBus.Benchmarks -- --side-by-side [--seconds 5] [--rounds 3] [--pinned]
/// [--only TEXT] [--impl dbusgen,sdbus,dbusgen-valuetask] [--server dbusgen|sdbus]
/// (--pinned: the sequential Echo peer-to-peer only, every process on core 0; --only: the scenarios whose name
/// contains TEXT; --impl: these implementations only, for quick comparisons while working on one row; dbusgen-valuetask,
/// never run by default, is the DBusGen client calling CallValueTaskAsync, as proxies generated with org.dbusgen.ValueTasks do;
/// --server: every client calls this implementation's server, so client figures compare the clients alone: a client's
/// CPU per call depends on the pace of the server and the daemon it faces, on two cores as much as on its own code.)
/// </summary>
internal static class SideBySideRun
{
    private static readonly string[] s_defaultImplementations = ["dbusgen", "tmds", "sdbus"];
    private static readonly string[] s_allImplementations = [.. s_defaultImplementations, "dbusgen-valuetask"];

    /// <param name="Server">The server every client calls in this scenario; null: each its own (see <see cref="MeasureAsync"/>).</param>
    private sealed record Scenario(string Name, string Workload, int InFlight, string Topology, string? Server = null);

    private sealed record Sample(double CallsPerSecond, double ClientCpuUs, double ServerCpuUs, double DaemonCpuUs, double ClientAllocBytes, double RoundTripUs);

    public static async Task RunAsync(string[] args)
    {
        double seconds = Option(args, "--seconds", 5);
        int rounds = (int)Option(args, "--rounds", 3);
        bool pinned = args.Contains("--pinned");
        string sdbus = BuildSdBus();
        Scenario[] scenarios = pinned
            ? [new("Echo, sequential, peer-to-peer, pinned to one core", "echo", 1, "p2p")]
            :
            [
                new("Echo, sequential, peer-to-peer", "echo", 1, "p2p"),
                new("Echo, sequential, via dbus-daemon", "echo", 1, "bus"),
                // A client's CPU per call depends on the pace of the server it faces (ours answers about twice as fast
                // through the daemon, and each wake-up then costs every client more): this row compares the clients alone.
                new("Echo, sequential, via dbus-daemon, every client calling the sd-bus server", "echo", 1, "bus", "sdbus"),
                new("Echo, 64 in flight, peer-to-peer", "echo", 64, "p2p"),
                new("Echo, 64 in flight, via dbus-daemon", "echo", 64, "bus"),
                new("Sum(ai 100k), 4 in flight, peer-to-peer", "sum", 4, "p2p"),
                new("Sum(ai 100k), 4 in flight, via dbus-daemon", "sum", 4, "bus"),
                new("Sum(ai 100k), sequential, peer-to-peer", "sum", 1, "p2p"),
                new("Sum(ai 100k), sequential, via dbus-daemon", "sum", 1, "bus"),
            ];
        if (TextOption(args, "--only") is { } only)
        {
            scenarios = scenarios.Where(s => s.Name.Contains(only, StringComparison.OrdinalIgnoreCase)).ToArray();
            if (scenarios.Length == 0)
            {
                throw new ArgumentException($"--only '{only}' matches no scenario");
            }
        }
        string[] implementations = TextOption(args, "--impl")?.Split(',') ?? s_defaultImplementations;
        if (implementations.FirstOrDefault(i => !s_allImplementations.Contains(i)) is { } unknown)
        {
            throw new ArgumentException($"--impl: '{unknown}' is none of {string.Join(", ", s_allImplementations)}");
        }
        string? server = TextOption(args, "--server");
        if (server is not null && server is not ("dbusgen" or "sdbus"))
        {
            throw new ArgumentException($"--server: '{server}' is neither dbusgen nor sdbus");
        }
        var samples = new Dictionary<(Scenario, string), List<Sample>>();
        for (int round = 1; round <= rounds; round++)
        {
            foreach (var scenario in scenarios)
            {
                foreach (string implementation in implementations)
                {
                    var sample = await MeasureAsync(scenario, implementation, server, sdbus, seconds, pinned);
                    Console.Error.WriteLine($"round {round}: {scenario.Name}, {implementation}: {sample.CallsPerSecond:N0} calls/s, " +
                        $"client {sample.ClientCpuUs:F1} µs/call");
                    if (!samples.TryGetValue((scenario, implementation), out var list))
                    {
                        samples[(scenario, implementation)] = list = [];
                    }
                    list.Add(sample);
                }
            }
        }
        Print(scenarios, implementations, samples, seconds, rounds, pinned, server);
    }

    private static async Task<Sample> MeasureAsync(Scenario scenario, string implementation, string? forcedServer, string sdbus, double seconds, bool pinned)
    {
        PrivateBus? bus = scenario.Topology == "bus" ? await PrivateBus.StartAsync() : null;
        string socketPath = Path.Combine(Path.GetTempPath(), "dbusgen-sbs-" + Guid.NewGuid().ToString("N"));
        string address = bus?.Address ?? "unix:path=" + socketPath;
        // Tmds.DBus.Protocol cannot listen: peer-to-peer its client calls the DBusGen server.
        // The DBusGen client with ValueTasks calls the DBusGen server.
        string serverImplementation = forcedServer ?? scenario.Server ?? (implementation == "dbusgen-valuetask" || (scenario.Topology == "p2p" && implementation == "tmds")
            ? "dbusgen"
            : implementation);
        using var server = serverImplementation == "sdbus"
            ? Start(sdbus, pinned, "serve", scenario.Topology, bus?.Address ?? socketPath)
            : StartSelf(pinned, "--sbs-serve", serverImplementation, scenario.Topology, bus?.Address ?? socketPath);
        try
        {
            await ExpectAsync(server, "ready");
            string[] clientArgs = ["client", scenario.Topology, address, scenario.Workload,
                scenario.InFlight.ToString(CultureInfo.InvariantCulture), seconds.ToString(CultureInfo.InvariantCulture)];
            using var client = implementation == "sdbus"
                ? Start(sdbus, pinned, clientArgs)
                : StartSelf(pinned, ["--sbs-client", implementation, .. clientArgs[1..]]);
            await ExpectAsync(client, "begin");
            var serverBefore = CpuPerCall.ProcessCpu(server.Id);
            var daemonBefore = bus is null ? TimeSpan.Zero : CpuPerCall.ProcessCpu(bus.ProcessId);
            string result = await ReadLineAsync(client, TimeSpan.FromSeconds(seconds * 3 + 30));
            var serverCpu = CpuPerCall.ProcessCpu(server.Id) - serverBefore;
            var daemonCpu = bus is null ? TimeSpan.Zero : CpuPerCall.ProcessCpu(bus.ProcessId) - daemonBefore;
            var fields = result.Split(' ').Select(f => f.Split('=')).ToDictionary(f => f[0], f => double.Parse(f[1], CultureInfo.InvariantCulture));
            double calls = fields["calls"];
            await client.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return new Sample(calls / fields["seconds"], fields["cpu_us"] / calls, serverCpu.TotalMicroseconds / calls,
                daemonCpu.TotalMicroseconds / calls, fields["alloc_bytes"] / calls, fields["seconds"] * 1e6 / calls);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
            File.Delete(socketPath);
            if (bus is not null)
            {
                await bus.DisposeAsync();
            }
        }
    }

    /// <summary>The child-process side: <c>--sbs-serve IMPL p2p|bus WHERE</c> or <c>--sbs-client IMPL p2p|bus ADDRESS WORKLOAD INFLIGHT SECONDS</c>.</summary>
    public static async Task ChildAsync(string[] args)
    {
        if (args is ["--sbs-serve", var implementation, var mode, var where])
        {
            // Its own thread: pinned to one core, the thread pool starts with a single worker, which this must not hold.
            var stop = Task.Factory.StartNew(() => Console.In.ReadToEnd(), TaskCreationOptions.LongRunning);
            await (implementation == "tmds" ? TmdsBench.ServeAsync(where, stop) : DBusGenBench.ServeAsync(mode, where, stop));
            return;
        }
        if (args is ["--sbs-client", var impl, var topology, var address, var workload, var inFlightText, var secondsText])
        {
            int inFlight = int.Parse(inFlightText, CultureInfo.InvariantCulture);
            double seconds = double.Parse(secondsText, CultureInfo.InvariantCulture);
            var run = impl == "tmds"
                ? await TmdsBench.ConnectAsync(topology, address, workload, inFlight)
                : await DBusGenBench.ConnectAsync(topology, address, workload, inFlight, valueTasks: impl == "dbusgen-valuetask");
            int batch = BenchWorkload.BatchSize(workload);
            // Measured should be the steady state, with the code tiered up, as sd-bus's C is compiled ahead. With one
            // core (--pinned) the runtime tiers up slowly: after a warm-up of 0.3 s a 3 s pinned run ran tier-0
            // code only (DOTNET_JitDisasmSummary: 1 method at tier 1, 607 at tier 0), after 4 s most hot methods
            // ran instrumented tier-1 code (196 of 287); DBUSGEN_BENCH_WARMUP (seconds) sets a longer warm-up.
            double warmUpSeconds = double.TryParse(Environment.GetEnvironmentVariable("DBUSGEN_BENCH_WARMUP"), CultureInfo.InvariantCulture, out double configured)
                ? configured
                : Math.Max(seconds / 10, 1);
            var warmUp = Stopwatch.StartNew();
            while (warmUp.Elapsed.TotalSeconds < warmUpSeconds)
            {
                await run(batch);
            }
            Console.WriteLine("begin");
            var self = Process.GetCurrentProcess();
            self.Refresh();
            var cpuBefore = self.TotalProcessorTime;
            long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            long calls = 0;
            var wall = Stopwatch.StartNew();
            while (wall.Elapsed.TotalSeconds < seconds)
            {
                await run(batch);
                calls += batch;
            }
            wall.Stop();
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            self.Refresh();
            var cpu = self.TotalProcessorTime - cpuBefore;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"calls={calls} seconds={wall.Elapsed.TotalSeconds:F6} cpu_us={cpu.TotalMicroseconds:F0} alloc_bytes={allocated}"));
            return;
        }
        throw new ArgumentException("unknown side-by-side child arguments: " + string.Join(' ', args));
    }

    private static void Print(Scenario[] scenarios, string[] implementations, Dictionary<(Scenario, string), List<Sample>> samples, double seconds, int rounds, bool pinned, string? server)
    {
        Console.WriteLine($"Side by side, {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores visible, " +
            $"{rounds} interleaved rounds × {seconds} s, medians. " +
            (server is null ? "Peer-to-peer, the Tmds.DBus.Protocol client calls the DBusGen server." : $"Every client calls the {server} server."));
        Console.WriteLine();
        Console.WriteLine(pinned
            ? "| scenario | implementation | µs per round trip | client CPU µs/call | server CPU µs/call | client B allocated/call |"
            : "| scenario | implementation | calls/s | client CPU µs/call | server CPU µs/call | dbus-daemon CPU µs/call | client B allocated/call |");
        Console.WriteLine(pinned ? "|---|---|---:|---:|---:|---:|" : "|---|---|---:|---:|---:|---:|---:|");
        foreach (var scenario in scenarios)
        {
            foreach (string implementation in implementations)
            {
                var list = samples[(scenario, implementation)];
                double alloc = Median(list, s => s.ClientAllocBytes);
                string allocText = alloc < 0 ? "–" : alloc.ToString("N0", CultureInfo.InvariantCulture);
                Console.WriteLine(pinned
                    ? $"| {scenario.Name} | {implementation} | {Median(list, s => s.RoundTripUs):F1} | {Median(list, s => s.ClientCpuUs):F1} | {Median(list, s => s.ServerCpuUs):F1} | {allocText} |"
                    : $"| {scenario.Name} | {implementation} | {Median(list, s => s.CallsPerSecond):N0} | {Median(list, s => s.ClientCpuUs):F1} | " +
                      $"{Median(list, s => s.ServerCpuUs):F1} | {(scenario.Topology == "bus" ? Median(list, s => s.DaemonCpuUs).ToString("F1", CultureInfo.InvariantCulture) : "–")} | {allocText} |");
            }
        }
        if (!implementations.Contains("dbusgen") || !implementations.Contains("sdbus"))
        {
            return; // no ratio without both
        }
        Console.WriteLine();
        Console.WriteLine("DBusGen ÷ sd-bus, the median of each round's ratio (the range over rounds); throughput: higher is better; CPU and round trip: lower is better:");
        Console.WriteLine();
        Console.WriteLine(pinned ? "| scenario | round trip | client CPU |" : "| scenario | calls/s | client CPU per call |");
        Console.WriteLine(pinned ? "|---|---:|---:|" : "|---|---:|---:|");
        foreach (var scenario in scenarios)
        {
            var ours = samples[(scenario, "dbusgen")];
            var theirs = samples[(scenario, "sdbus")];
            // Within a round the implementations run a few seconds apart, so each round's ratio escapes the machine's
            // drift over the whole run (sd-bus's own calls/s moved by a quarter between runs on the VM).
            string Ratio(Func<Sample, double> metric)
            {
                var ratios = ours.Zip(theirs, (a, b) => metric(a) / metric(b)).Order().ToArray();
                return ratios.Length > 1
                    ? string.Create(CultureInfo.InvariantCulture, $"{Median(ratios):F2}× ({ratios[0]:F2}–{ratios[^1]:F2})")
                    : string.Create(CultureInfo.InvariantCulture, $"{ratios[0]:F2}×");
            }
            Console.WriteLine(pinned
                ? $"| {scenario.Name} | {Ratio(s => s.RoundTripUs)} | {Ratio(s => s.ClientCpuUs)} |"
                : $"| {scenario.Name} | {Ratio(s => s.CallsPerSecond)} | {Ratio(s => s.ClientCpuUs)} |");
        }
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

    private static double Median(List<Sample> samples, Func<Sample, double> metric) => Median(samples.Select(metric).Order().ToArray());

    /// <summary>The word after <paramref name="name"/>, or null when the option is not given.</summary>
    private static string? TextOption(string[] args, string name)
    {
        int index = Array.IndexOf(args, name);
        if (index < 0)
        {
            return null;
        }
        return index + 1 < args.Length ? args[index + 1] : throw new ArgumentException($"{name} needs a value");
    }

    private static double Option(string[] args, string name, double fallback)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? double.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>Builds sdbus-bench.c with the script beside it (which installs libsystemd-dev where it is missing).</summary>
    private static string BuildSdBus()
    {
        string output = Path.Combine(Path.GetTempPath(), "dbusgen-sdbus-bench");
        using var build = Process.Start(new ProcessStartInfo("bash")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "SideBySide", "build-sdbus.sh"), output },
            RedirectStandardOutput = true,
        })!;
        build.StandardOutput.ReadToEnd();
        build.WaitForExit();
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"building the sd-bus benchmark failed (exit code {build.ExitCode})");
        }
        return output;
    }

    private static Process StartSelf(bool pinned, params string[] args)
    {
        bool viaDotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet";
        string[] all = viaDotnet ? [typeof(SideBySideRun).Assembly.Location, .. args] : args;
        return Start(Environment.ProcessPath!, pinned, all);
    }

    private static Process Start(string program, bool pinned, params string[] args)
    {
        var start = new ProcessStartInfo(pinned ? "taskset" : program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        if (pinned)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("0");
            start.ArgumentList.Add(program);
        }
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        return Process.Start(start)!;
    }

    private static async Task ExpectAsync(Process process, string expected)
    {
        string line = await ReadLineAsync(process, TimeSpan.FromSeconds(60));
        if (line != expected)
        {
            throw new InvalidOperationException($"{process.StartInfo.FileName} said '{line}' instead of '{expected}'");
        }
    }

    private static async Task<string> ReadLineAsync(Process process, TimeSpan timeout) =>
        await process.StandardOutput.ReadLineAsync().WaitAsync(timeout)
        ?? throw new InvalidOperationException($"{process.StartInfo.FileName} ended without output (exit code {(process.HasExited ? process.ExitCode : -1)})");
}
