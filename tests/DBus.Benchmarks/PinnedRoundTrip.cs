using System.Diagnostics;
using System.Net.Sockets;

namespace DBus.Benchmarks;

/// <summary>
/// Sequential round trips between two processes, the way the connection issue states its latency target:
/// client and server in separate processes, both pinned to one core, against a raw Unix-socket ping-pong of the
/// same bytes measured in the same run. The server is this program started again with <c>--serve</c>.
/// Run: taskset -c 0 dotnet tests/DBus.Benchmarks/bin/Release/net10.0/DBus.Benchmarks.dll --pinned
/// (every thread of both processes inherits the one-core affinity from taskset).
/// </summary>
internal static class PinnedRoundTrip
{
    private const int WarmUp = 5_000;
    private const int Calls = 50_000;

    public static async Task RunAsync()
    {
        Console.WriteLine($"cores visible to this process: {Environment.ProcessorCount}" +
            (Environment.ProcessorCount == 1 ? " (pinned)" : " (not pinned: start it under taskset -c 0)"));
        var (callBytes, replyBytes) = ConnectionBenchmarks.PingBytes();
        await MeasureAsync("raw socket ping-pong, async sockets", "raw-async", path => RawClient(path, callBytes, replyBytes, async: true));
        await MeasureAsync("raw socket ping-pong, blocking sockets", "raw-blocking", path => RawClient(path, callBytes, replyBytes, async: false));
        await MeasureAsync("raw, client reads on its own thread", "raw-blocking", path => ReaderThreadClient(path, callBytes, replyBytes));
        await MeasureAsync("DBusConnection → DBusServer (filter)", "dbus-filter", DBusClient);
        await MeasureAsync("DBusConnection → DBusServer (exported object)", "dbus-export", DBusClient);
    }

    /// <summary>The server side, in the child process: listens on <paramref name="path"/>, says "ready", serves until stdin closes.</summary>
    public static async Task ServeAsync(string mode, string path)
    {
        var (callBytes, replyBytes) = ConnectionBenchmarks.PingBytes();
        // Its own thread: on one core the thread pool starts with a single worker, which this must not hold.
        var stop = Task.Factory.StartNew(() => Console.In.ReadToEnd(), TaskCreationOptions.LongRunning);
        if (mode.StartsWith("raw", StringComparison.Ordinal))
        {
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(1);
            Console.WriteLine("ready");
            using var socket = mode == "raw-async" ? await listener.AcceptAsync() : listener.Accept();
            var echo = mode == "raw-async"
                ? RawEchoAsync(socket, callBytes.Length, replyBytes)
                : Task.Factory.StartNew(() => RawEchoBlocking(socket, callBytes.Length, replyBytes), TaskCreationOptions.LongRunning);
            await Task.WhenAny(stop, echo);
            return;
        }
        await using var server = DBusServer.Listen("unix:path=" + path, new DBusServerOptions
        {
            ConnectionAdded = mode == "dbus-filter"
                ? (_, connection) => ConnectionBenchmarks.Serve(connection)
                : (_, connection) => connection.Export(new ObjectPath("/org/dbusgen/Bench"), new PingHandler()),
        });
        Console.WriteLine("ready");
        await stop;
    }

    private static async Task MeasureAsync(string name, string mode, Func<string, Task<Func<int, Task>>> connect)
    {
        string path = Path.Combine(Path.GetTempPath(), "dbusgen-pinned-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo { RedirectStandardInput = true, RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.FileName = Environment.ProcessPath!;
            start.ArgumentList.Add(typeof(PinnedRoundTrip).Assembly.Location);
        }
        else
        {
            start.FileName = Environment.ProcessPath!;
        }
        foreach (var arg in new[] { "--serve", mode, path })
        {
            start.ArgumentList.Add(arg);
        }
        using var child = Process.Start(start)!;
        try
        {
            string? line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (line != "ready")
            {
                throw new InvalidOperationException($"the server process said '{line}' instead of 'ready'");
            }
            var round = await connect(path);
            await round(WarmUp);
            var self = Process.GetCurrentProcess();
            self.Refresh();
            var cpuBefore = self.TotalProcessorTime;
            var childBefore = CpuPerCall.ProcessCpu(child.Id);
            long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var wall = Stopwatch.StartNew();
            await round(Calls);
            wall.Stop();
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            self.Refresh();
            var cpu = self.TotalProcessorTime - cpuBefore;
            var childCpu = CpuPerCall.ProcessCpu(child.Id) - childBefore;
            Console.WriteLine($"{name,-48} {wall.Elapsed.TotalMicroseconds / Calls,7:F1} µs/round trip  " +
                $"CPU/call: client {cpu.TotalMicroseconds / Calls,5:F1} µs, server {childCpu.TotalMicroseconds / Calls,5:F1} µs  " +
                $"client allocated/call: {allocated / (double)Calls,5:F0} B");
        }
        finally
        {
            child.StandardInput.Close();
            if (!child.WaitForExit(10_000))
            {
                child.Kill();
            }
            File.Delete(path);
        }
    }

    private static async Task<Func<int, Task>> RawClient(string path, byte[] callBytes, byte[] replyBytes, bool async)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var buffer = new byte[replyBytes.Length];
        if (!async)
        {
            // Blocking all the way: an async operation would switch the socket to the runtime's emulated blocking.
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return count => Task.Run(() =>
            {
                for (int i = 0; i < count; i++)
                {
                    socket.Send(callBytes);
                    for (int received = 0; received < buffer.Length;)
                    {
                        received += socket.Receive(buffer.AsSpan(received));
                    }
                }
            });
        }
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        return async count =>
        {
            for (int i = 0; i < count; i++)
            {
                await socket.SendAsync(callBytes.AsMemory());
                for (int received = 0; received < buffer.Length;)
                {
                    received += await socket.ReceiveAsync(buffer.AsMemory(received));
                }
            }
        };
    }

    /// <summary>
    /// The floor of a design where a dedicated thread per connection reads with blocking calls and the caller's
    /// continuation runs on the thread pool (never on the reading thread): blocking sockets, one hop per reply.
    /// </summary>
    private static Task<Func<int, Task>> ReaderThreadClient(string path, byte[] callBytes, byte[] replyBytes)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(path));
        TaskCompletionSource? waiting = null;
        var reader = new Thread(() =>
        {
            var buffer = new byte[replyBytes.Length];
            try
            {
                while (true)
                {
                    for (int received = 0; received < buffer.Length;)
                    {
                        int n = socket.Receive(buffer.AsSpan(received));
                        if (n == 0)
                        {
                            return;
                        }
                        received += n;
                    }
                    Volatile.Read(ref waiting)!.TrySetResult();
                }
            }
            catch (SocketException)
            {
            }
        }) { IsBackground = true };
        reader.Start();
        Func<int, Task> round = async count =>
        {
            for (int i = 0; i < count; i++)
            {
                var reply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref waiting, reply);
                socket.Send(callBytes);
                await reply.Task;
            }
        };
        return Task.FromResult(round);
    }

    private static async Task<Func<int, Task>> DBusClient(string path)
    {
        var connection = await DBusConnection.ConnectAsync("unix:path=" + path, new DBusConnectionOptions { IsBus = false });
        return async count =>
        {
            for (int i = 0; i < count; i++)
            {
                await connection.CallAsync(ConnectionBenchmarks.Call(null), ConnectionBenchmarks.s_readString);
            }
        };
    }

    private static async Task RawEchoAsync(Socket socket, int callLength, byte[] replyBytes)
    {
        var buffer = new byte[callLength];
        while (true)
        {
            for (int received = 0; received < buffer.Length;)
            {
                int n = await socket.ReceiveAsync(buffer.AsMemory(received));
                if (n == 0)
                {
                    return;
                }
                received += n;
            }
            await socket.SendAsync(replyBytes.AsMemory());
        }
    }

    private static void RawEchoBlocking(Socket socket, int callLength, byte[] replyBytes)
    {
        var buffer = new byte[callLength];
        while (true)
        {
            for (int received = 0; received < buffer.Length;)
            {
                int n = socket.Receive(buffer.AsSpan(received));
                if (n == 0)
                {
                    return;
                }
                received += n;
            }
            socket.Send(replyBytes);
        }
    }
}
