using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using DBusGen.Tests.Shared;

namespace DBus.ScaleTests;

/// <summary>
/// Issue 14's "done means", measured on a DBusServer in a process of its own (DBus.TestServer): threads, descriptors
/// and memory are read from /proc from outside, latencies from a well-behaved client in this process. Each test
/// prints its figures; docs/reliability.md keeps them.
/// </summary>
[TestFixture]
[Category("Scale")]
[NonParallelizable]
public class ScaleTests
{
    private const int Kib = 1024;

    [OneTimeSetUp]
    public void RaiseDescriptorLimit() => TestContext.Out.WriteLine($"RLIMIT_NOFILE here: {DescriptorLimit.RaiseToHardLimit()}");

    private static async Task<DBusConnection> ConnectGoodClientAsync(ServerProcess server) =>
        await DBusConnection.ConnectAsync(server.Address, new DBusConnectionOptions { IsBus = false, ConnectTimeout = TimeSpan.FromSeconds(20) });

    private static async Task<string> EchoAsync(DBusConnection client, string text)
    {
        var writer = MessageWriter.CreateMethodCall(null, "/echo", "org.dbusgen.Test.Echo", "Echo", "s");
        writer.WriteString(text);
        using var reply = await client.CallAsync(writer.ToMessage(), TimeSpan.FromSeconds(20));
        return reply.GetBodyReader().ReadString();
    }

    private static async Task<TimeSpan[]> MeasureEchoAsync(DBusConnection client, int calls)
    {
        var latencies = new TimeSpan[calls];
        for (int i = 0; i < calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await EchoAsync(client, "ping");
            latencies[i] = Stopwatch.GetElapsedTime(start);
        }
        Array.Sort(latencies);
        return latencies;
    }

    private static TimeSpan Percentile(TimeSpan[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + " ms";

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds or <paramref name="within"/> passed.</summary>
    private static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan within)
    {
        var end = Stopwatch.GetTimestamp() + (long)(within.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > end)
            {
                return false;
            }
            await Task.Delay(50);
        }
        return true;
    }

    [Test]
    public async Task Ten_thousand_idle_clients_cost_few_threads_little_memory_and_leave_nothing_behind()
    {
        const int clients = 10_000;
        using var server = await ServerProcess.StartAsync("--quiet");
        await using var good = await ConnectGoodClientAsync(server);
        await MeasureEchoAsync(good, 500); // warm up both sides
        int baseThreads = server.Threads, baseFds = server.Descriptors;
        long baseRss = server.RssKiB;

        var idle = new ConcurrentBag<RawClient>();
        var connecting = Stopwatch.StartNew();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(40)))
        {
            try
            {
                await Parallel.ForEachAsync(Enumerable.Range(0, clients), new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = deadline.Token },
                    async (_, ct) => idle.Add(await RawClient.LoginAsync(server.SocketPath, ct)));
            }
            catch (OperationCanceledException)
            {
                // Measured below with however many got in.
            }
        }
        connecting.Stop();
        try
        {
            int connected = idle.Count;
            int threads = server.Threads, fds = server.Descriptors;
            long rss = server.RssKiB;
            var latencies = await MeasureEchoAsync(good, 2_000);
            double perClientKiB = connected == 0 ? 0 : (double)(rss - baseRss) / connected;
            TestContext.Out.WriteLine($"{connected} of {clients} clients logged in in {connecting.Elapsed.TotalSeconds:0.0} s");
            TestContext.Out.WriteLine($"server threads {baseThreads} -> {threads}, descriptors {baseFds} -> {fds}, RSS {baseRss / Kib} -> {rss / Kib} MiB ({perClientKiB:0.0} KiB per idle client)");
            TestContext.Out.WriteLine($"good client's Echo over 2,000 calls meanwhile: p50 {Ms(Percentile(latencies, 0.5))}, p99 {Ms(Percentile(latencies, 0.99))}, max {Ms(latencies[^1])}");

            foreach (var client in idle)
            {
                client.Dispose();
            }
            var leaving = Stopwatch.StartNew();
            bool settled = await EventuallyAsync(() => server.Threads <= baseThreads + 8 && server.Descriptors <= baseFds + 8, TimeSpan.FromSeconds(5));
            TestContext.Out.WriteLine($"{leaving.Elapsed.TotalSeconds:0.0} s after they left: threads {server.Threads}, descriptors {server.Descriptors} (baseline {baseThreads}, {baseFds})");

            Assert.Multiple(() =>
            {
                Assert.That(connected, Is.EqualTo(clients), "clients that logged in within 40 s");
                Assert.That(threads, Is.LessThanOrEqualTo(64), "server threads with the clients idle");
                Assert.That(perClientKiB, Is.LessThanOrEqualTo(64), "KiB of server memory per idle client");
                // The goal is p99 under 5 ms, met with room to spare on a quiet machine (docs/reliability.md);
                // the suite runs beside other test processes on 2 cores, so the bound here only catches starvation
                // (a good client waiting behind 10,000 idle ones), not scheduling noise.
                Assert.That(Percentile(latencies, 0.99), Is.LessThan(TimeSpan.FromMilliseconds(50)), "a good client's p99 Echo latency");
                Assert.That(settled, Is.True, "threads and descriptors back to baseline + 8 within 5 s");
            });
        }
        finally
        {
            foreach (var client in idle)
            {
                client.Dispose();
            }
        }
    }

    [Test]
    public async Task Two_thousand_silent_sockets_neither_slow_a_new_client_nor_outlive_the_authentication_timeout()
    {
        const int silent = 2_000;
        var timeout = TimeSpan.FromSeconds(3);
        using var server = await ServerProcess.StartAsync("--auth-timeout", "3", "--quiet");
        var sockets = new List<(Socket Socket, long ConnectedAt)>();
        try
        {
            for (int i = 0; i < silent; i++)
            {
                long connectedAt = Stopwatch.GetTimestamp();
                var socket = await RawClient.ConnectAsync(server.SocketPath, CancellationToken.None);
                sockets.Add((socket, connectedAt));
                // A third say nothing, a third only the NUL byte, a third stop in the middle of AUTH.
                if (i % 3 == 1)
                {
                    await socket.SendAsync("\0"u8.ToArray());
                }
                else if (i % 3 == 2)
                {
                    await socket.SendAsync("\0AUTH EXTERNAL"u8.ToArray());
                }
            }
            var drops = sockets.Select(async s =>
            {
                var buffer = new byte[64];
                using var cts = new CancellationTokenSource(timeout + TimeSpan.FromSeconds(10));
                try
                {
                    while (await s.Socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
                    {
                    }
                }
                catch (SocketException)
                {
                    // reset: dropped too
                }
                catch (OperationCanceledException)
                {
                    return (TimeSpan?)null;
                }
                return Stopwatch.GetElapsedTime(s.ConnectedAt);
            }).ToList();
            TimeSpan lastConnected = Stopwatch.GetElapsedTime(sockets[0].ConnectedAt);

            var firstReply = Stopwatch.StartNew();
            await using (var good = await ConnectGoodClientAsync(server))
            {
                Assert.That(await EchoAsync(good, "hello"), Is.EqualTo("hello"));
                firstReply.Stop();
            }
            var after = await Task.WhenAll(drops);
            var dropped = after.Where(d => d is not null).Select(d => d!.Value).OrderBy(d => d).ToList();
            TestContext.Out.WriteLine($"{silent} silent sockets connected in {lastConnected.TotalSeconds:0.00} s; a new client's first reply took {Ms(firstReply.Elapsed)}");
            TestContext.Out.WriteLine(dropped.Count == 0
                ? "none was dropped"
                : $"{dropped.Count} of {silent} dropped, {Ms(dropped[0] - timeout)} to {Ms(dropped[^1] - timeout)} after the {timeout.TotalSeconds} s timeout (from each one's connect)");
            Assert.Multiple(() =>
            {
                Assert.That(firstReply.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "a new client's first reply");
                Assert.That(dropped, Has.Count.EqualTo(silent), "stalled handshakes dropped within 10 s of the timeout");
                Assert.That(dropped.Count == 0 ? TimeSpan.MaxValue : dropped[^1], Is.LessThanOrEqualTo(timeout + TimeSpan.FromSeconds(1)), "the last drop, from its connect");
                Assert.That(dropped.Count == 0 ? TimeSpan.Zero : dropped[0], Is.GreaterThanOrEqualTo(timeout - TimeSpan.FromMilliseconds(50)), "the first drop, from its connect");
            });
        }
        finally
        {
            foreach (var s in sockets)
            {
                s.Socket.Dispose();
            }
        }
    }

    // Replies of 600 KB (which a power-of-two pool rounds up to 1 MiB), of 5,000 bytes (8 KiB) and of 64 bytes (where
    // what a queued message costs besides its bytes counts most).
    [TestCase(600_000)]
    [TestCase(5_000)]
    [TestCase(64)]
    public async Task A_client_that_never_reads_costs_at_most_one_and_a_half_times_MaxOutgoingBytes_and_nothing_after(int replySize)
    {
        const long maxOutgoing = 32L * 1024 * 1024;
        // Replies for twice the limit, counting their headers: far past it.
        int calls = (int)(2 * maxOutgoing / (replySize + 100));
        using var server = await ServerProcess.StartAsync("--max-outgoing", maxOutgoing.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await using var good = await ConnectGoodClientAsync(server);
        // Warm up until the GC has cycled through its allocation budget a few times (60 MB of 30,000-char strings): the
        // memory it then keeps committed for new objects belongs to any busy server, not to the client under test.
        string text = new('x', 30_000);
        for (int i = 0; i < 1_000; i++)
        {
            await EchoAsync(good, text);
        }
        long baseRss = server.RssKiB;
        TestContext.Out.WriteLine($"GC's view before: {await server.GcMemoryAsync()}");
        baseRss = Math.Max(baseRss, server.RssKiB);

        var flood = new MemoryStream();
        flood.Write(RawClient.Login);
        for (int i = 0; i < calls; i++)
        {
            var writer = MessageWriter.CreateMethodCall(null, "/echo", "org.dbusgen.Test.Echo", "Blob", "u");
            writer.WriteUInt32((uint)replySize);
            using var call = writer.ToMessage();
            call.SetSerial((uint)(i + 2));
            flood.Write(call.Bytes.Span);
        }
        long peakRss = baseRss;
        using var bad = await RawClient.ConnectAsync(server.SocketPath, CancellationToken.None);
        var left = server.WaitForLineAsync(l => l.StartsWith("left:", StringComparison.Ordinal) && l.Contains("MaxOutgoingBytes", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        var sending = bad.SendAsync(flood.ToArray(), SocketFlags.None);
        while (!left.IsCompleted)
        {
            peakRss = Math.Max(peakRss, server.RssKiB);
            await Task.WhenAny(left, Task.Delay(10));
        }
        peakRss = Math.Max(peakRss, server.RssKiB);
        string reason = await left;
        try
        {
            await sending;
        }
        catch (SocketException)
        {
            // Dropped before it had sent every call: the point.
        }
        Assert.That(await EchoAsync(good, "still here"), Is.EqualTo("still here"));
        bad.Dispose();
        long limitKiB = maxOutgoing / Kib;
        bool back = await EventuallyAsync(() => server.RssKiB - baseRss <= limitKiB / 4, TimeSpan.FromSeconds(5));
        long afterRss = server.RssKiB;
        TestContext.Out.WriteLine($"GC's view after it left: {await server.GcMemoryAsync()}, RSS then {(server.RssKiB - baseRss) / Kib:+0;-0} MiB");
        TestContext.Out.WriteLine($"server dropped the client: {reason}");
        TestContext.Out.WriteLine($"RSS baseline {baseRss / Kib} MiB, peak +{(peakRss - baseRss) / Kib} MiB ({(double)(peakRss - baseRss) / limitKiB:0.00}x MaxOutgoingBytes), after it left {(afterRss - baseRss) / Kib:+0;-0} MiB");
        Assert.Multiple(() =>
        {
            Assert.That(peakRss - baseRss, Is.LessThanOrEqualTo(limitKiB * 3 / 2), "KiB of server memory growth while it was connected");
            Assert.That(back, Is.True, $"server memory back within MaxOutgoingBytes / 4 of baseline 5 s after it left ({(afterRss - baseRss) / Kib:+0;-0} MiB)");
        });
    }
}
