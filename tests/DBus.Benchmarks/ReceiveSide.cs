using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using DBus.Transport;

namespace DBus.Benchmarks;

/// <summary>
/// The receive side: our own buffer (<see cref="MessageStream"/>'s, the product code) against System.IO.Pipelines
/// (issue 14). Part 1 frames the same byte stream in-process, delivered in read-sized chunks, with (a) a real
/// <see cref="MessageStream"/> over a transport that hands out the chunks (<see cref="MessageStream.TryReceiveData"/>,
/// what the reactor pump calls), (b) a <see cref="Pipe"/> filled and drained on one thread (PipeReader.TryRead, the
/// way the reactor pump would use it) with 64 KiB and with 4 KiB segments, and (c) a Pipe drained by an async reader
/// loop (ReadAsync awaited, so the consumer runs on the thread pool). Part 2 plays ping-pong over a socketpair, both
/// ends in this process and driven by the reactor, the receive side being (a) the product's DispatchPump, (b) a Pipe
/// drained on the reactor thread or (c) a Pipe drained by an async loop; sends are the same raw writes in all.
/// Variants are interleaved within each round; the tables give medians and ranges over the rounds.
/// Run: dotnet run -c Release --project tests/DBus.Benchmarks -- --receive-side [--rounds 5] [--framing-only] [--e2e-only]
/// </summary>
internal static class ReceiveSide
{
    private const int MaxFdsPerMessage = 253;
    // What a sample processes at least, so that one takes tens of milliseconds.
    private const long BytesPerSample = 64 << 20;

    private static readonly string[] s_framingVariants = ["own buffer (MessageStream)", "Pipe, TryRead, 64 KiB segments", "Pipe, TryRead, 4 KiB segments", "Pipe, async ReadAsync loop"];
    private static readonly string[] s_e2eVariants = ["own buffer (DispatchPump)", "Pipe, TryRead on reactor thread", "Pipe, async ReadAsync loop"];

    private sealed record Workload(string Name, byte[] Stream, int Messages);

    private sealed record Sample(double WallNs, double CpuNs, double AllocatedBytes, double ReadsPerMessage);

    public static async Task RunAsync(string[] args)
    {
        int rounds = args.SkipWhile(a => a != "--rounds").Skip(1).Select(int.Parse).FirstOrDefault(5);
        bool framing = !args.Contains("--e2e-only");
        bool e2e = !args.Contains("--framing-only");
        Console.WriteLine($"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {rounds} rounds");
        if (framing)
        {
            RunFraming(rounds);
        }
        if (e2e)
        {
            await RunEndToEndAsync(rounds);
        }
    }

    // ---------------------------------------------------------------- Part 1: framing, no sockets

    private static void RunFraming(int rounds)
    {
        var workloads = BuildWorkloads();
        int[] chunks = [64 * 1024, 4096, 173];
        foreach (var w in workloads)
        {
            Console.WriteLine($"workload {w.Name}: {w.Messages} messages, {w.Stream.Length:N0} bytes, {w.Stream.Length / (double)w.Messages:F0} B/message on average");
        }
        var samples = new Dictionary<(string, int, int), List<Sample>>();
        // Warm-up: every variant once on every case (JIT, pools).
        foreach (var w in workloads)
        {
            foreach (int chunk in chunks)
            {
                for (int v = 0; v < s_framingVariants.Length; v++)
                {
                    FrameSample(v, w, chunk);
                }
            }
        }
        for (int round = 0; round < rounds; round++)
        {
            foreach (var w in workloads)
            {
                foreach (int chunk in chunks)
                {
                    // Rotate the order each round, so no variant always runs first or after the same neighbour.
                    for (int i = 0; i < s_framingVariants.Length; i++)
                    {
                        int v = (i + round) % s_framingVariants.Length;
                        var key = (w.Name, chunk, v);
                        if (!samples.TryGetValue(key, out var list))
                        {
                            samples[key] = list = [];
                        }
                        list.Add(FrameSample(v, w, chunk));
                    }
                }
            }
            Console.WriteLine($"framing round {round + 1} of {rounds} done");
        }
        Console.WriteLine();
        // CPU time is the steadier figure on a shared machine (wall time includes waiting for a core); for the
        // async loop it is both threads'.
        Console.WriteLine("| workload | read size | receive side | CPU ns/message (median, range) | wall ns/message (median) | B allocated/message (median, range) | reads/message |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|---:|");
        foreach (var w in workloads)
        {
            foreach (int chunk in chunks)
            {
                for (int v = 0; v < s_framingVariants.Length; v++)
                {
                    var list = samples[(w.Name, chunk, v)];
                    Console.WriteLine($"| {w.Name} | {chunk:N0} B | {s_framingVariants[v]} | {Median(list, s => s.CpuNs, "N0")} | {MedianOnly(list, s => s.WallNs, "N0")} | " +
                        $"{Median(list, s => s.AllocatedBytes, "N1")} | {MedianOnly(list, s => s.ReadsPerMessage, "F2")} |");
                }
            }
        }
        Console.WriteLine();
    }

    private static Sample FrameSample(int variant, Workload w, int chunk)
    {
        int repeats = (int)Math.Max(1, BytesPerSample / w.Stream.Length);
        var source = new ChunkSource(w.Stream);
        MessageStream? stream = null;
        ChunkTransport? transport = null;
        if (variant == 0)
        {
            transport = new ChunkTransport(source);
            stream = new MessageStream(transport, "0123456789abcdef0123456789abcdef", false, default, null);
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var cpu = Environment.CpuUsage.TotalTime;
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var wall = Stopwatch.StartNew();
        long messages = variant switch
        {
            0 => FrameWithMessageStream(stream!, source, chunk, repeats),
            1 => FrameWithPipe(source, chunk, 64 * 1024, repeats),
            2 => FrameWithPipe(source, chunk, 4096, repeats),
            _ => FrameWithAsyncPipe(source, chunk, (long)w.Messages * repeats, repeats).GetAwaiter().GetResult(),
        };
        wall.Stop();
        long allocatedAfter = GC.GetTotalAllocatedBytes(precise: true);
        var cpuAfter = Environment.CpuUsage.TotalTime;
        stream?.Dispose();
        if (messages != (long)w.Messages * repeats)
        {
            throw new InvalidOperationException($"{s_framingVariants[variant]} framed {messages} messages, not {(long)w.Messages * repeats}");
        }
        return new Sample(wall.Elapsed.TotalNanoseconds / messages, (cpuAfter - cpu).TotalNanoseconds / messages,
            (allocatedAfter - allocated) / (double)messages, source.TotalReads / (double)messages);
    }

    /// <summary>(a) The product: each chunk is one readiness event, on which the pump takes every whole message.</summary>
    private static long FrameWithMessageStream(MessageStream stream, ChunkSource source, int chunk, int repeats)
    {
        long messages = 0;
        while (source.NextChunk(chunk, ref repeats))
        {
            bool drained = false;
            while (stream.TryReceiveData(out var message, ref drained))
            {
                message.Release();
                messages++;
            }
        }
        return messages;
    }

    private static PipeOptions SyncOptions(int segment) => new(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: 0, resumeWriterThreshold: 0, minimumSegmentSize: segment, useSynchronizationContext: false);

    /// <summary>(b) A Pipe filled and drained on one thread: what the reactor pump would do with one.</summary>
    private static long FrameWithPipe(ChunkSource source, int chunk, int segment, int repeats)
    {
        var pipe = new Pipe(SyncOptions(segment));
        var fds = new ReceivedFds(MaxFdsPerMessage, int.MaxValue);
        long written = 0;
        long taken = 0;
        long messages = 0;
        while (source.NextChunk(chunk, ref repeats))
        {
            written += ReadIntoPipe(pipe.Writer, source, fds, written);
            var flush = pipe.Writer.FlushAsync();
            if (!flush.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("an unbounded inline pipe flushes synchronously");
            }
            if (pipe.Reader.TryRead(out var result))
            {
                var buffer = result.Buffer;
                while (Message.TryReadData(ref buffer, out var message, fds.Queue))
                {
                    taken += message.Length;
                    if (fds.OnTaken((int)message.Header.UnixFdCount, taken) is { } error)
                    {
                        throw new InvalidOperationException(error);
                    }
                    message.Release();
                    messages++;
                }
                pipe.Reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        pipe.Writer.Complete();
        pipe.Reader.Complete();
        return messages;
    }

    /// <summary>The reading side of (b) and (c): reads what the socket holds into the pipe's memory, as the reactor
    /// would with recvmsg, and records descriptors against stream offsets (<see cref="ReceivedFds"/>, as the product).</summary>
    private static long ReadIntoPipe(PipeWriter writer, ChunkSource source, ReceivedFds fds, long written)
    {
        long start = written;
        while (true)
        {
            // 512: the least room the product's buffer offers a read before it compacts or grows.
            var memory = writer.GetMemory(512);
            int received = source.TryReceive(memory.Span, fds.Queue);
            if (received < 0)
            {
                break;
            }
            writer.Advance(received);
            written += received;
            string? error;
            lock (fds)
            {
                error = fds.OnRead(written);
            }
            if (error is not null)
            {
                throw new InvalidOperationException(error);
            }
            if (received < memory.Length)
            {
                break; // a short read: the socket is empty
            }
        }
        return written - start;
    }

    /// <summary>(c) The idiomatic Pipelines shape: this thread (the reactor) fills the pipe, an async loop drains it.</summary>
    private static async Task<long> FrameWithAsyncPipe(ChunkSource source, int chunk, long expected, int repeats)
    {
        // Flow control must let a whole message in: pausing at 64 KiB (the default) would deadlock on a 400 KB
        // message, whose reader cannot consume anything until all of it is there.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19, minimumSegmentSize: 64 * 1024,
            useSynchronizationContext: false));
        var fds = new ReceivedFds(MaxFdsPerMessage, int.MaxValue);
        var consumer = Task.Run(() => ConsumeAsync(pipe.Reader, fds, expected));
        long written = 0;
        while (source.NextChunk(chunk, ref repeats))
        {
            written += ReadIntoPipe(pipe.Writer, source, fds, written);
            await pipe.Writer.FlushAsync().ConfigureAwait(false);
        }
        pipe.Writer.Complete();
        return await consumer.ConfigureAwait(false);
    }

    private static async Task<long> ConsumeAsync(PipeReader reader, ReceivedFds fds, long expected)
    {
        long messages = 0;
        long taken = 0;
        while (messages < expected)
        {
            var result = await reader.ReadAsync().ConfigureAwait(false);
            var buffer = result.Buffer;
            while (true)
            {
                MessageData? message;
                // The descriptor queue is shared with the reading thread now: every message takes the lock.
                lock (fds)
                {
                    if (!Message.TryReadData(ref buffer, out message, fds.Queue))
                    {
                        break;
                    }
                    taken += message.Length;
                    if (fds.OnTaken((int)message.Header.UnixFdCount, taken) is { } error)
                    {
                        throw new InvalidOperationException(error);
                    }
                }
                message.Release();
                messages++;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted && messages < expected)
            {
                throw new InvalidOperationException("the stream ended in the middle");
            }
        }
        reader.Complete();
        return messages;
    }

    private static List<Workload> BuildWorkloads()
    {
        var small = new List<byte[]>();
        uint serial = 1;
        for (int i = 0; i < 4000; i += 2)
        {
            var (call, reply) = SmallPair(ref serial, i);
            small.Add(call);
            small.Add(reply);
        }
        var large = new List<byte[]>();
        for (int i = 0; i < 16; i++)
        {
            large.Add(LargeSignal(serial++));
        }
        var mixed = new List<byte[]>();
        for (int i = 0; i < small.Count; i++)
        {
            mixed.Add(small[i]);
            if (i % 1000 == 999)
            {
                mixed.Add(large[i / 1000]);
            }
        }
        return [Make("small calls/returns", small), Make("ai of 100,000 (400 KB)", large), Make("mixed: 1 large per 1,000 small", mixed)];

        static Workload Make(string name, List<byte[]> messages)
        {
            var stream = new byte[messages.Sum(m => m.Length)];
            int at = 0;
            foreach (var m in messages)
            {
                m.CopyTo(stream, at);
                at += m.Length;
            }
            return new Workload(name, stream, messages.Count);
        }
    }

    /// <summary>A Properties.Get call and its string reply, 100–200 bytes each (a realistic small exchange).</summary>
    private static (byte[] Call, byte[] Reply) SmallPair(ref uint serial, int i)
    {
        var writer = MessageWriter.CreateMethodCall(":1.42", "/org/freedesktop/NetworkManager/Devices/" + (i % 10),
            "org.freedesktop.DBus.Properties", "Get", "ss");
        writer.WriteString("org.freedesktop.NetworkManager.Device");
        writer.WriteString(i % 4 == 0 ? "State" : "Ip4Config");
        using var call = writer.ToMessage();
        call.SetSerial(serial++);
        var replyWriter = MessageWriter.CreateMethodReturn(call, "s");
        replyWriter.WriteString("/org/freedesktop/NetworkManager/IP4Config/" + i);
        using var reply = replyWriter.ToMessage();
        reply.SetSerial(serial++);
        return (call.Bytes.ToArray(), reply.Bytes.ToArray());
    }

    private static byte[] LargeSignal(uint serial)
    {
        var writer = MessageWriter.CreateSignal("/org/example/Object", "org.example.Interface", "Ints", "ai");
        writer.WriteArray(Enumerable.Range(0, 100_000).ToArray());
        using var message = writer.ToMessage();
        message.SetSerial(serial);
        return message.Bytes.ToArray();
    }

    /// <summary>A byte stream that arrives in chunks: each chunk is one readiness event, read like a socket (a read
    /// returns what is there, up to the room given, or -1 when nothing is).</summary>
    private sealed class ChunkSource(byte[] data)
    {
        private int _position;
        private int _end;

        public long TotalReads { get; private set; }

        /// <summary>The next chunk; after the last one, the stream starts over while <paramref name="repeats"/> lasts
        /// (the stream holds whole messages, so its repeats are one longer stream).</summary>
        public bool NextChunk(int size, ref int repeats)
        {
            if (_position == data.Length)
            {
                if (--repeats == 0)
                {
                    return false;
                }
                _position = _end = 0;
            }
            _end = Math.Min(data.Length, _position + size);
            return true;
        }

        public int TryReceive(Span<byte> buffer, Queue<UnixFd> fds)
        {
            TotalReads++;
            if (_position == _end)
            {
                return -1;
            }
            int count = Math.Min(buffer.Length, _end - _position);
            data.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }
    }

    /// <summary>What <see cref="MessageStream"/> reads from in part 1: the chunks, without a socket.</summary>
    private sealed class ChunkTransport(ChunkSource source) : DBusTransport
    {
        public override bool CanPassUnixFds => false;
        public override PeerCredentials? PeerCredentials => null;
        public override bool CanNotifyReady => true;
        public override int TryReceive(Span<byte> buffer, Queue<UnixFd> fds) => source.TryReceive(buffer, fds);
        public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, Queue<UnixFd> fds, CancellationToken cancellationToken) => throw new NotSupportedException();
        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, ReadOnlyMemory<int> fds, CancellationToken cancellationToken) => default;
        public override void Shutdown()
        {
        }

        public override void Dispose()
        {
        }
    }

    // ---------------------------------------------------------------- Part 2: ping-pong over a socketpair

    private const int SequentialCalls = 50_000;
    private const int PipelinedCalls = 200_000;
    private const int InFlight = 64;

    private static async Task RunEndToEndAsync(int rounds)
    {
        var (call, reply) = SmallPairOnce();
        (string Name, int Calls, int InFlight)[] scenarios = [("sequential", SequentialCalls, 1), ($"{InFlight} in flight", PipelinedCalls, InFlight)];
        var samples = new Dictionary<(string, int), List<Sample>>();
        for (int round = 0; round <= rounds; round++)
        {
            foreach (var scenario in scenarios)
            {
                for (int i = 0; i < s_e2eVariants.Length; i++)
                {
                    int v = (i + round) % s_e2eVariants.Length;
                    var sample = await PingPongAsync(v, call, reply, round == 0 ? scenario.Calls / 10 : scenario.Calls, scenario.InFlight).ConfigureAwait(false);
                    if (round == 0)
                    {
                        continue; // warm-up
                    }
                    var key = (scenario.Name, v);
                    if (!samples.TryGetValue(key, out var list))
                    {
                        samples[key] = list = [];
                    }
                    list.Add(sample);
                }
            }
            Console.WriteLine(round == 0 ? "ping-pong warm-up done" : $"ping-pong round {round} of {rounds} done");
        }
        Console.WriteLine();
        Console.WriteLine($"Ping-pong over a socketpair, both ends here (call {call.Length} B, reply {reply.Length} B):");
        Console.WriteLine("| scenario | receive side | calls/s (median, range) | CPU µs/call, both ends | B allocated/call, both ends |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        foreach (var scenario in scenarios)
        {
            for (int v = 0; v < s_e2eVariants.Length; v++)
            {
                var list = samples[(scenario.Name, v)];
                Console.WriteLine($"| {scenario.Name} | {s_e2eVariants[v]} | {Median(list, s => 1e9 / s.WallNs, "N0")} | {Median(list, s => s.CpuNs / 1000, "F2")} | {Median(list, s => s.AllocatedBytes, "F0")} |");
            }
        }
    }

    private static (byte[] Call, byte[] Reply) SmallPairOnce()
    {
        uint serial = 1;
        return SmallPair(ref serial, 0);
    }

    private static async Task<Sample> PingPongAsync(int variant, byte[] call, byte[] reply, int calls, int inFlight)
    {
        var (clientTransport, serverTransport) = SocketTransport.CreatePair();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int received = 0;
        int sent = 0;
        void OnServer(MessageData message)
        {
            message.Release();
            Send(serverTransport, reply);
        }
        void OnClient(MessageData message)
        {
            message.Release();
            if (++received == calls)
            {
                done.TrySetResult();
            }
            else if (sent < calls)
            {
                sent++;
                Send(clientTransport, call);
            }
        }
        var server = StartReceiver(variant, serverTransport, OnServer);
        var client = StartReceiver(variant, clientTransport, OnClient);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var cpu = Environment.CpuUsage.TotalTime;
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var wall = Stopwatch.StartNew();
        // The first calls go from here; the rest from the client's receive side as replies come in.
        sent = inFlight;
        for (int i = 0; i < inFlight; i++)
        {
            Send(clientTransport, call);
        }
        // A receive side that fails ends without answering: give up rather than hang.
        await done.Task.WaitAsync(TimeSpan.FromMinutes(2)).ConfigureAwait(false);
        wall.Stop();
        long allocatedAfter = GC.GetTotalAllocatedBytes(precise: true);
        var cpuAfter = Environment.CpuUsage.TotalTime;
        clientTransport.Shutdown();
        serverTransport.Shutdown();
        await Task.WhenAll(server, client).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        clientTransport.Dispose();
        serverTransport.Dispose();
        return new Sample(wall.Elapsed.TotalNanoseconds / calls, (cpuAfter - cpu).TotalNanoseconds / calls, (allocatedAfter - allocated) / (double)calls, 0);
    }

    private static void Send(SocketTransport transport, byte[] bytes)
    {
        var send = transport.SendAsync(bytes, default, default);
        if (!send.IsCompletedSuccessfully)
        {
            send.AsTask().GetAwaiter().GetResult(); // never with these few bytes in flight
        }
    }

    /// <summary>Starts a receive side on <paramref name="transport"/>; the task completes when the stream ended.</summary>
    private static Task StartReceiver(int variant, SocketTransport transport, Action<MessageData> onMessage)
    {
        if (variant == 0)
        {
            var stream = new MessageStream(transport, "0123456789abcdef0123456789abcdef", false, default, null);
            var pump = new DispatchPump(stream, message =>
            {
                onMessage(message);
                return default;
            }, _ => { });
            pump.Start();
            // The stream shares the transport, which the caller disposes; release the stream's buffers when done.
            return pump.Completion.ContinueWith(_ => stream.Dispose(), TaskScheduler.Default);
        }
        var pipePump = new PipePump(transport, onMessage, async: variant == 2);
        pipePump.Start();
        return pipePump.Completion;
    }

    /// <summary>
    /// The receive side rebuilt on a Pipe, outside the product: the reactor thread reads the socket into the pipe's
    /// memory (<see cref="DBusTransport.TryReceive"/>, recvmsg) and either frames and dispatches there
    /// (PipeReader.TryRead) or leaves that to an async loop (ReadAsync). The turn logic (Idle, Running, RunAgain) is
    /// the DispatchPump's.
    /// </summary>
    private sealed class PipePump : IReadyHandler
    {
        private const int Idle = 0;
        private const int Running = 1;
        private const int RunAgain = 2;
        private const int Ended = 3;

        private readonly SocketTransport _transport;
        private readonly Action<MessageData> _onMessage;
        private readonly bool _async;
        private readonly Pipe _pipe;
        private readonly ReceivedFds _fds = new(MaxFdsPerMessage, int.MaxValue);
        private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _written;
        private long _taken;
        private int _state;

        public PipePump(SocketTransport transport, Action<MessageData> onMessage, bool async)
        {
            _transport = transport;
            _onMessage = onMessage;
            _async = async;
            _pipe = new Pipe(async
                ? new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, minimumSegmentSize: 64 * 1024, useSynchronizationContext: false)
                : SyncOptions(64 * 1024));
        }

        public Task Completion => _completion.Task;

        public void Start()
        {
            if (_async)
            {
                _ = Task.Run(ConsumeLoopAsync);
            }
            _transport.SetReadHandler(this);
        }

        public void OnReady()
        {
            while (true)
            {
                switch (Volatile.Read(ref _state))
                {
                    case Idle:
                        if (Interlocked.CompareExchange(ref _state, Running, Idle) == Idle)
                        {
                            Pump();
                            return;
                        }
                        break;
                    case Running:
                        if (Interlocked.CompareExchange(ref _state, RunAgain, Running) == Running)
                        {
                            return;
                        }
                        break;
                    default:
                        return;
                }
            }
        }

        private void Pump()
        {
            try
            {
                while (true)
                {
                    bool ended = ReadSocket();
                    // Unbounded: the flush completes at once (the async reader, if any, is scheduled to the pool).
                    _ = _pipe.Writer.FlushAsync();
                    if (!_async)
                    {
                        Drain();
                    }
                    if (ended)
                    {
                        End();
                        return;
                    }
                    if (Interlocked.CompareExchange(ref _state, Idle, Running) == Running)
                    {
                        return;
                    }
                    Volatile.Write(ref _state, Running);
                }
            }
            catch (Exception)
            {
                End();
            }
        }

        /// <summary>Reads until the socket is empty; true at its end.</summary>
        private bool ReadSocket()
        {
            while (true)
            {
                var memory = _pipe.Writer.GetMemory(512);
                int fdsBefore = _fds.Queue.Count;
                int received = _transport.TryReceive(memory.Span, _fds.Queue);
                if (received < 0)
                {
                    return false;
                }
                if (received == 0)
                {
                    return true;
                }
                _pipe.Writer.Advance(received);
                _written += received;
                string? error;
                lock (_fds)
                {
                    error = _fds.OnRead(_written);
                }
                if (error is not null)
                {
                    throw new InvalidOperationException(error);
                }
                if (received < memory.Length && _fds.Queue.Count == fdsBefore)
                {
                    return false;
                }
            }
        }

        private void Drain()
        {
            if (!_pipe.Reader.TryRead(out var result))
            {
                return;
            }
            var buffer = result.Buffer;
            while (Message.TryReadData(ref buffer, out var message, _fds.Queue))
            {
                _taken += message.Length;
                if (_fds.OnTaken((int)message.Header.UnixFdCount, _taken) is { } error)
                {
                    throw new InvalidOperationException(error);
                }
                _onMessage(message);
            }
            _pipe.Reader.AdvanceTo(buffer.Start, buffer.End);
        }

        private async Task ConsumeLoopAsync()
        {
            var reader = _pipe.Reader;
            try
            {
                while (true)
                {
                    var result = await reader.ReadAsync().ConfigureAwait(false);
                    var buffer = result.Buffer;
                    while (true)
                    {
                        MessageData? message;
                        lock (_fds)
                        {
                            if (!Message.TryReadData(ref buffer, out message, _fds.Queue))
                            {
                                break;
                            }
                            _taken += message.Length;
                            if (_fds.OnTaken((int)message.Header.UnixFdCount, _taken) is { } error)
                            {
                                throw new InvalidOperationException(error);
                            }
                        }
                        _onMessage(message);
                    }
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted)
                    {
                        break;
                    }
                }
            }
            finally
            {
                await reader.CompleteAsync().ConfigureAwait(false);
                _completion.TrySetResult();
            }
        }

        private void End()
        {
            Volatile.Write(ref _state, Ended);
            _pipe.Writer.Complete();
            if (!_async)
            {
                _pipe.Reader.Complete();
                _completion.TrySetResult();
            }
        }
    }

    // ---------------------------------------------------------------- figures

    private static string MedianOnly(List<Sample> samples, Func<Sample, double> value, string format)
    {
        var sorted = samples.Select(value).Order().ToArray();
        return (sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2).ToString(format);
    }

    private static string Median(List<Sample> samples, Func<Sample, double> value, string format = "F0")
    {
        var sorted = samples.Select(value).Order().ToArray();
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return $"{median.ToString(format)} ({sorted[0].ToString(format)}–{sorted[^1].ToString(format)})";
    }
}
