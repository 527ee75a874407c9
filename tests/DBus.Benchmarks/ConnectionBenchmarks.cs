using System.Diagnostics;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using DBus;
using DBus.Testing;
using DBus.Transport;

namespace DBus.Benchmarks;

/// <summary>
/// Round-trip calls (issue 4): a trivial method with one string argument and one string reply, sequential and
/// with 64 in flight, peer-to-peer (a Unix socket pair, both connections in this process) and through a private
/// dbus-daemon; and the floor: a raw Unix socket ping-pong of the same byte sizes, measured in the same run.
/// CPU time per call is measured by <see cref="CpuPerCall"/> (run with <c>--cpu</c>), not here.
/// </summary>
[MemoryDiagnoser]
public class ConnectionBenchmarks
{
    public const int InFlight = 64;

    private DBusConnection _peerClient = null!;
    private DBusConnection _peerServer = null!;
    private PrivateBus _bus = null!;
    private DBusConnection _busClient = null!;
    private DBusConnection _busServer = null!;
    private Socket _rawA = null!;
    private Socket _rawB = null!;
    private byte[] _callBytes = [];
    private byte[] _replyBytes = [];
    private Task _rawEcho = Task.CompletedTask;
    private readonly Task<string>[] _calls = new Task<string>[InFlight];

    [GlobalSetup]
    public async Task Setup()
    {
        var (a, b) = SocketTransport.CreatePair();
        const string guid = "0123456789abcdef0123456789abcdef";
        var options = new DBusConnectionOptions { IsBus = false };
        _peerClient = new DBusConnection(new MessageStream(a, guid, false, default, null), options);
        _peerServer = new DBusConnection(new MessageStream(b, guid, false, default, null), options);
        Serve(_peerServer);

        _bus = await PrivateBus.StartAsync();
        _busServer = await DBusConnection.ConnectAsync(_bus.Address);
        _busClient = await DBusConnection.ConnectAsync(_bus.Address);
        await _busServer.RequestNameAsync("org.dbusgen.Bench");
        Serve(_busServer);

        (_callBytes, _replyBytes) = PingBytes();
        (_rawA, _rawB) = RawPair();
        _rawEcho = Task.Run(RawEchoLoopAsync);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _rawA.Dispose();
        await _rawEcho.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _rawB.Dispose();
        await _peerClient.DisposeAsync();
        await _peerServer.DisposeAsync();
        await _busClient.DisposeAsync();
        await _busServer.DisposeAsync();
        await _bus.DisposeAsync();
    }

    [Benchmark(Description = "raw socket ping-pong, sequential")]
    public async Task RawSequential()
    {
        await _rawA.SendAsync(_callBytes);
        int received = 0;
        var buffer = new byte[_replyBytes.Length];
        while (received < buffer.Length)
        {
            received += await _rawA.ReceiveAsync(buffer.AsMemory(received));
        }
    }

    [Benchmark(Description = "peer-to-peer, sequential")]
    public Task<string> PeerSequential() => _peerClient.CallAsync(Call(null), s_readString);

    [Benchmark(Description = "peer-to-peer, 64 in flight", OperationsPerInvoke = InFlight)]
    public Task PeerPipelined() => Pipelined(_peerClient, null);

    [Benchmark(Description = "through dbus-daemon, sequential")]
    public Task<string> BusSequential() => _busClient.CallAsync(Call("org.dbusgen.Bench"), s_readString);

    [Benchmark(Description = "through dbus-daemon, 64 in flight", OperationsPerInvoke = InFlight)]
    public Task BusPipelined() => Pipelined(_busClient, "org.dbusgen.Bench");

    internal static readonly ReplyReader<string> s_readString = static m => m.GetBodyReader().ReadString();

    private Task Pipelined(DBusConnection client, string? destination)
    {
        for (int i = 0; i < InFlight; i++)
        {
            _calls[i] = client.CallAsync(Call(destination), s_readString);
        }
        return Task.WhenAll(_calls);
    }

    /// <summary>The encoded Ping call and its reply, for the raw socket ping-pong of the same sizes.</summary>
    internal static (byte[] Call, byte[] Reply) PingBytes()
    {
        byte[] callBytes;
        using (var call = Call(null))
        {
            call.SetSerial(1);
            callBytes = call.Bytes.ToArray();
        }
        using var parsed = Message.Parse(callBytes);
        var reply = MessageWriter.CreateMethodReturn(parsed, s_signature);
        reply.WriteString("pong");
        using var message = reply.ToMessage();
        message.SetSerial(2);
        return (callBytes, message.Bytes.ToArray());
    }

    internal static Message Call(string? destination)
    {
        var writer = MessageWriter.CreateMethodCall(destination, s_path, "org.dbusgen.Bench", "Ping", s_signature);
        writer.WriteString("ping");
        return writer.ToMessage();
    }

    private static readonly ObjectPath s_path = new("/org/dbusgen/Bench");
    private static readonly Signature s_signature = new("s");

    internal static void Serve(DBusConnection server) =>
        server.AddMessageFilter(static (connection, message) =>
        {
            if (message.Type != MessageType.MethodCall || message.Member != "Ping")
            {
                return MessageFilterResult.NotHandled;
            }
            var reply = MessageWriter.CreateMethodReturn(message, s_signature);
            reply.WriteString("pong");
            connection.Send(reply.ToMessage());
            return MessageFilterResult.Handled;
        });

    private static (Socket, Socket) RawPair()
    {
        var path = Path.Combine(Path.GetTempPath(), "dbusgen-bench-" + Guid.NewGuid().ToString("N"));
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(path));
        var server = listener.Accept();
        File.Delete(path);
        return (client, server);
    }

    private async Task RawEchoLoopAsync()
    {
        var buffer = new byte[_callBytes.Length];
        while (true)
        {
            int received = 0;
            while (received < buffer.Length)
            {
                int n = await _rawB.ReceiveAsync(buffer.AsMemory(received));
                if (n == 0)
                {
                    return;
                }
                received += n;
            }
            await _rawB.SendAsync(_replyBytes);
        }
    }
}

