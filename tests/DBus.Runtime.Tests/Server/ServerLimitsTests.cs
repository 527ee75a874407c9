using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Sockets;
using DBus.Runtime.Tests.Objects;

namespace DBus.Runtime.Tests.Server;

/// <summary>The limits of <see cref="DBusServerOptions"/> and <see cref="DBusConnectionOptions.MaxMessageSize"/>: each
/// refuses or drops what it must, and the server keeps serving everyone else.</summary>
[TestFixture]
[NonParallelizable]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class ServerLimitsTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);
    private static readonly DBusConnectionOptions s_peer = new() { IsBus = false, ConnectTimeout = s_timeout };

    private sealed class Reports
    {
        private readonly List<Exception> _seen = [];
        private readonly List<(Func<Exception, bool> Match, TaskCompletionSource<Exception> Done)> _waiting = [];

        public void Add(Exception e)
        {
            lock (_seen)
            {
                _seen.Add(e);
                foreach (var w in _waiting.Where(w => w.Match(e)).ToList())
                {
                    w.Done.TrySetResult(e);
                    _waiting.Remove(w);
                }
            }
        }

        public Task<Exception> WaitFor(Func<Exception, bool> match)
        {
            var done = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_seen)
            {
                if (_seen.FirstOrDefault(match) is { } e)
                {
                    done.SetResult(e);
                }
                else
                {
                    _waiting.Add((match, done));
                }
            }
            return done.Task.WaitAsync(s_timeout);
        }

        public List<Exception> All()
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }

        public int Count(Func<Exception, bool> match)
        {
            lock (_seen)
            {
                return _seen.Count(match);
            }
        }
    }

    private static DBusServer Start(DBusServerOptions options, out Reports reports)
    {
        var server = DBusServer.Listen("unix:tmpdir=/tmp", options);
        var seen = new Reports();
        reports = seen;
        server.CallbackFailed += (_, e) => seen.Add(e);
        server.Export("/calc", new CalculatorHandler());
        return server;
    }

    private static string SocketPath(DBusServer server) => server.Address.Split("path=")[1].Split(',')[0];

    private static async Task<Socket> ConnectRawAsync(DBusServer server)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath(server)));
        return socket;
    }

    /// <summary>Reads until the server closes the socket; true when it did within <paramref name="within"/>.</summary>
    private static async Task<bool> ClosedByServerAsync(Socket socket, TimeSpan within)
    {
        var buffer = new byte[256];
        using var cts = new CancellationTokenSource(within);
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
            {
            }
            return true;
        }
        catch (SocketException)
        {
            return true; // reset: closed too
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<int> AddAsync(DBusConnection client, int a, int b)
    {
        var writer = MessageWriter.CreateMethodCall(null, "/calc", CalculatorHandler.Name, "Add", "ii");
        writer.WriteInt32(a);
        writer.WriteInt32(b);
        using var reply = await client.CallAsync(writer.ToMessage(), s_timeout);
        return reply.GetBodyReader().ReadInt32();
    }

    private static bool Names(Exception e, string option) => e is DBusConnectionException && e.Message.Contains("DBusServerOptions." + option, StringComparison.Ordinal);

    [Test]
    public void The_defaults_are_dbus_daemons_session_configuration()
    {
        var options = new DBusServerOptions();
        Assert.Multiple(() =>
        {
            Assert.That(options.AuthenticationTimeout, Is.EqualTo(TimeSpan.FromSeconds(240)));
            Assert.That(options.MaxIncompleteConnections, Is.EqualTo(10_000));
            Assert.That(options.MaxConnections, Is.EqualTo(100_000));
            Assert.That(options.MaxConnectionsPerUser, Is.EqualTo(100_000));
            Assert.That(new DBusConnectionOptions().MaxMessageSize, Is.EqualTo(Message.MaxLength));
        });
    }

    [Test]
    public void Bad_values_are_refused_with_the_options_name()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new DBusServerOptions { AuthenticationTimeout = TimeSpan.Zero },
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("AuthenticationTimeout"));
            Assert.That(() => new DBusServerOptions { AuthenticationTimeout = TimeSpan.FromDays(2) },
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("AuthenticationTimeout"));
            Assert.That(() => new DBusServerOptions { MaxIncompleteConnections = 0 },
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("MaxIncompleteConnections"));
            Assert.That(() => new DBusServerOptions { MaxConnections = -1 },
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("MaxConnections"));
            Assert.That(() => new DBusServerOptions { MaxConnectionsPerUser = 0 },
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("MaxConnectionsPerUser"));
            Assert.That(() => new DBusConnectionOptions { MaxMessageSize = 1023 },
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("MaxMessageSize"));
            Assert.That(() => new DBusConnectionOptions { MaxMessageSize = Message.MaxLength + 1 },
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("MaxMessageSize"));
        });
    }

    [Test]
    public async Task Every_stalled_handshake_is_dropped_within_a_second_of_the_timeout_and_a_good_client_is_served_meanwhile()
    {
        var timeout = TimeSpan.FromSeconds(2);
        using var server = Start(new DBusServerOptions { AuthenticationTimeout = timeout }, out var reports);
        // Silent sockets, and some that start SASL and stop half-way through a line or after AUTH.
        const int count = 60;
        var sockets = new List<(Socket Socket, long ConnectedAt)>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                long before = Stopwatch.GetTimestamp();
                var socket = await ConnectRawAsync(server);
                sockets.Add((socket, before));
                switch (i % 3)
                {
                    case 1:
                        await socket.SendAsync("\0"u8.ToArray());
                        break;
                    case 2:
                        await socket.SendAsync("\0AUTH EXTERN"u8.ToArray());
                        break;
                }
            }
            await using (var good = await DBusConnection.ConnectAsync(server.Address, s_peer))
            {
                Assert.That(await AddAsync(good, 2, 3), Is.EqualTo(5));
            }
            var drops = await Task.WhenAll(sockets.Select(async s =>
            {
                bool closed = await ClosedByServerAsync(s.Socket, timeout + TimeSpan.FromSeconds(5));
                return (Closed: closed, After: Stopwatch.GetElapsedTime(s.ConnectedAt));
            }));
            Assert.That(drops.Count(d => !d.Closed), Is.Zero, "handshakes never dropped");
            var early = drops.Where(d => d.After < timeout - TimeSpan.FromMilliseconds(50)).ToList();
            var late = drops.Where(d => d.After > timeout + TimeSpan.FromSeconds(1)).ToList();
            Assert.That(early, Is.Empty, "dropped before the timeout: " + string.Join(", ", early.Select(d => d.After.TotalMilliseconds)));
            Assert.That(late, Is.Empty, "dropped more than a second late: " + string.Join(", ", late.Select(d => d.After.TotalMilliseconds)));
            static bool TimedOut(Exception x) => x is DBusAuthenticationException && x.Message.Contains("DBusServerOptions.AuthenticationTimeout", StringComparison.Ordinal);
            try
            {
                await reports.WaitFor(_ => reports.Count(TimedOut) >= count);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"{reports.Count(TimedOut)} of {count} handshakes reported as timed out; other reports: "
                    + string.Join(" | ", reports.All().Where(x => !TimedOut(x)).Select(x => x.GetType().Name + ": " + x.Message)));
            }
        }
        finally
        {
            foreach (var s in sockets)
            {
                s.Socket.Dispose();
            }
        }
    }

    [Test]
    public async Task Disposing_the_server_closes_the_handshakes_in_progress_at_once()
    {
        var server = Start(new DBusServerOptions(), out _);
        var silent = new List<Socket>();
        try
        {
            for (int i = 0; i < 5; i++)
            {
                silent.Add(await ConnectRawAsync(server));
            }
            // Accepted in order: once this client is served, the five silent ones are authenticating.
            await using var good = await DBusConnection.ConnectAsync(server.Address, s_peer);
            Assert.That(await AddAsync(good, 1, 1), Is.EqualTo(2));
            int before = DBusGen.Tests.Shared.DescriptorCount.Current();
            server.Dispose();
            int after = DBusGen.Tests.Shared.DescriptorCount.Current();
            // The five handshakes' sockets, the good client's server side and the listener, closed when Dispose returns.
            Assert.That(after, Is.LessThanOrEqualTo(before - 7), string.Join("\n", DBusGen.Tests.Shared.DescriptorCount.List()));
            foreach (var s in silent)
            {
                Assert.That(await ClosedByServerAsync(s, s_timeout), Is.True);
            }
        }
        finally
        {
            server.Dispose();
            silent.ForEach(s => s.Dispose());
        }
    }

    [Test]
    public async Task Clients_beyond_MaxIncompleteConnections_are_closed_at_accept_and_a_freed_place_is_reused()
    {
        using var server = Start(new DBusServerOptions { MaxIncompleteConnections = 3 }, out var reports);
        var silent = new List<Socket>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                silent.Add(await ConnectRawAsync(server));
            }
            using (var extra = await ConnectRawAsync(server))
            {
                Assert.That(await ClosedByServerAsync(extra, s_timeout), Is.True, "the fourth handshake was not closed");
            }
            var refusal = await reports.WaitFor(e => Names(e, "MaxIncompleteConnections"));
            Assert.That(refusal.Message, Does.Contain("(3)"));
            foreach (var s in silent)
            {
                Assert.That(await ClosedByServerAsync(s, TimeSpan.FromMilliseconds(100)), Is.False, "a handshake within the limit was closed");
            }
            // One leaves: its place goes to the next client, which authenticates and is served.
            silent[0].Dispose();
            await reports.WaitFor(e => e is DBusAuthenticationException && e.Message.Contains("closed the connection", StringComparison.Ordinal));
            await using var good = await DBusConnection.ConnectAsync(server.Address, s_peer);
            Assert.That(await AddAsync(good, 20, 22), Is.EqualTo(42));
            Assert.That(reports.Count(e => Names(e, "MaxIncompleteConnections")), Is.EqualTo(1));
        }
        finally
        {
            silent.ForEach(s => s.Dispose());
        }
    }

    [Test]
    public async Task Clients_beyond_MaxConnections_are_refused_and_counted_and_a_departed_clients_place_is_reused()
    {
        long refused = 0;
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == DBusTelemetry.MeterName && instrument.Name == "dbus.connections.refused")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "dbus.limit" && (string?)tag.Value == "MaxConnections")
                {
                    Interlocked.Add(ref refused, value);
                }
            }
        });
        meters.Start();
        using var server = Start(new DBusServerOptions { MaxConnections = 2 }, out var reports);
        var gone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.ConnectionDisposed += _ => gone.TrySetResult();
        var first = await DBusConnection.ConnectAsync(server.Address, s_peer);
        await using var second = await DBusConnection.ConnectAsync(server.Address, s_peer);
        Assert.That(await AddAsync(first, 1, 1), Is.EqualTo(2));
        Assert.ThrowsAsync(Is.InstanceOf<DBusConnectionException>(), () => DBusConnection.ConnectAsync(server.Address, s_peer));
        await reports.WaitFor(e => Names(e, "MaxConnections"));
        Assert.That(Interlocked.Read(ref refused), Is.EqualTo(1));
        Assert.That(await AddAsync(second, 2, 2), Is.EqualTo(4), "a connected client suffered from the refusal");

        await first.DisposeAsync();
        await gone.Task.WaitAsync(s_timeout);
        await using var third = await DBusConnection.ConnectAsync(server.Address, s_peer);
        Assert.That(await AddAsync(third, 3, 3), Is.EqualTo(6));
    }

    [Test]
    public async Task A_uid_at_MaxConnectionsPerUser_is_refused_while_another_uid_still_connects()
    {
        using var server = Start(new DBusServerOptions { MaxConnectionsPerUser = 2, IsUserAllowed = _ => true }, out var reports);
        await using var first = await DBusConnection.ConnectAsync(server.Address, s_peer);
        using var silent = await ConnectRawAsync(server); // still authenticating: counts for its uid too
        using (var extra = await ConnectRawAsync(server))
        {
            Assert.That(await ClosedByServerAsync(extra, s_timeout), Is.True, "a third connection of the same uid was not closed");
        }
        var refusal = await reports.WaitFor(e => Names(e, "MaxConnectionsPerUser"));
        Assert.That(refusal.Message, Does.Contain($"uid {CurrentUid()}"));
        // Another uid has places of its own.
        File.SetUnixFileMode(SocketPath(server), (UnixFileMode)0x1FF);
        var other = await DBusGen.Tests.Shared.ExternalTool.RunAsync("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            "gdbus", "call", "--address", server.Address, "--dest", "com.example.Calc", "--object-path", "/calc", "--method", "com.example.Calculator.Add", "1", "2");
        Assert.That(other.Output.Trim(), Is.EqualTo("(3,)"), other.ToString());
        Assert.That(await AddAsync(first, 5, 5), Is.EqualTo(10));
    }

    private static string CurrentUid() =>
        File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];

    [Test]
    public async Task A_client_announcing_a_message_over_MaxMessageSize_is_dropped_naming_the_option_and_others_are_served()
    {
        var lost = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        int added = 0;
        using var server = Start(new DBusServerOptions
        {
            ConnectionOptions = new DBusConnectionOptions { MaxMessageSize = 64 * 1024 },
            ConnectionAdded = (_, connection) =>
            {
                if (Interlocked.Increment(ref added) == 1)
                {
                    connection.CallOnDisconnection((_, reason) => lost.TrySetResult(reason));
                }
            },
        }, out _);
        await using var big = await DBusConnection.ConnectAsync(server.Address, s_peer);
        var call = MessageWriter.CreateMethodCall(null, "/calc", "org.freedesktop.DBus.Peer", "Ping", "s");
        call.WriteString(new string('x', 65 * 1024));
        var pending = big.CallAsync(call.ToMessage(), s_timeout);
        Assert.ThrowsAsync<DBusDisconnectedException>(() => pending);
        var reason = await lost.Task.WaitAsync(s_timeout);
        var protocol = reason.InnerException as DBusProtocolException;
        Assert.That(protocol, Is.Not.Null, reason.ToString());
        Assert.That(protocol!.Message, Does.Contain("DBusConnectionOptions.MaxMessageSize").And.Contain("65536"));

        await using var good = await DBusConnection.ConnectAsync(server.Address, s_peer);
        // Just within the limit: accepted (a signal, which the server ignores), and the connection goes on.
        var fits = MessageWriter.CreateSignal("/calc", CalculatorHandler.Name, "Computed", "s");
        fits.WriteString(new string('x', 60 * 1024));
        good.Send(fits.ToMessage());
        Assert.That(await AddAsync(good, 4, 5), Is.EqualTo(9));
    }

    [Test]
    public async Task A_connection_with_MaxMessageSize_drops_a_peer_that_sends_it_more()
    {
        using var server = Start(new DBusServerOptions(), out _);
        await using var small = await DBusConnection.ConnectAsync(server.Address, new DBusConnectionOptions { IsBus = false, MaxMessageSize = 4096 });
        var lost = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        small.CallOnDisconnection((_, reason) => lost.TrySetResult(reason));
        Assert.That(await AddAsync(small, 1, 2), Is.EqualTo(3));
        // The server sends it a signal bigger than it accepts.
        var connection = server.Connections.Single();
        var signal = MessageWriter.CreateSignal("/calc", CalculatorHandler.Name, "Computed", "s");
        signal.WriteString(new string('y', 8192));
        connection.Send(signal.ToMessage());
        var reason = await lost.Task.WaitAsync(s_timeout);
        Assert.That(reason.InnerException, Is.TypeOf<DBusProtocolException>(), reason.ToString());
        Assert.That(reason.InnerException!.Message, Does.Contain("at most 4096 (DBusConnectionOptions.MaxMessageSize)"));
    }
}
