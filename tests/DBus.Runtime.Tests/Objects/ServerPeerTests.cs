using DBusGen.Tests.Shared;
using System.Net.Sockets;
using DBus.Testing;

namespace DBus.Runtime.Tests.Objects;

/// <summary>A C# service, peer-to-peer behind a <see cref="DBusServer"/> or on a private bus, called by real peers.</summary>
[TestFixture]
[NonParallelizable]
public class ServerPeerTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    private static DBusServer StartServer(out List<DBusConnection> clients)
    {
        var added = new List<DBusConnection>();
        clients = added;
        int next = 0;
        var server = DBusServer.Listen("unix:tmpdir=/tmp", new DBusServerOptions
        {
            ConnectionAdded = (_, connection) =>
            {
                connection.SetUniqueName($":7.{Interlocked.Increment(ref next)}");
                connection.AddObjectManager("/");
                connection.Export("/calc", new CalculatorHandler());
                lock (added)
                {
                    added.Add(connection);
                }
            },
        });
        return server;
    }

    [Test]
    public async Task Gdbus_calls_and_introspects_a_peer_to_peer_server()
    {
        using var server = StartServer(out var clients);
        Assert.That(server.Address, Does.Contain("guid=" + server.Guid));
        var call = await ExternalTool.RunAsync("gdbus", "call", "--address", server.Address, "--dest", "com.example.Calc", "--object-path", "/calc",
            "--method", "com.example.Calculator.Add", "2", "40");
        Assert.That(call.Output.Trim(), Is.EqualTo("(42,)"), call.ToString());
        var introspect = await ExternalTool.RunAsync("gdbus", "introspect", "--address", server.Address, "--dest", "com.example.Calc", "--object-path", "/calc");
        Assert.That(introspect.ExitCode, Is.Zero, introspect.ToString());
        Assert.That(introspect.Output, Does.Contain("interface com.example.Calculator").And.Contain("interface org.freedesktop.DBus.Properties")
            .And.Contain("readwrite i Count = 7;"));
        var root = await ExternalTool.RunAsync("gdbus", "introspect", "--address", server.Address, "--dest", "com.example.Calc", "--object-path", "/", "--recurse");
        Assert.That(root.Output, Does.Contain("node /calc").And.Contain("org.freedesktop.DBus.ObjectManager"), root.ToString());
        var error = await ExternalTool.RunAsync("gdbus", "call", "--address", server.Address, "--dest", "com.example.Calc", "--object-path", "/calc",
            "--method", "com.example.Calculator.Fail");
        Assert.That(error.Error, Does.Contain("com.example.Error.Refused").And.Contain("no, thanks"), error.ToString());
        lock (clients)
        {
            Assert.That(clients.Select(c => c.UniqueName), Is.SupersetOf(new[] { ":7.1", ":7.2", ":7.3", ":7.4" }));
        }
    }

    [Test]
    public async Task Dbus_python_uses_properties_and_the_object_manager()
    {
        using var server = StartServer(out _);
        const string script = """
            import sys, dbus
            conn = dbus.connection.Connection(sys.argv[1])
            obj = conn.get_object(None, '/calc', introspect=False)
            props = dbus.Interface(obj, 'org.freedesktop.DBus.Properties')
            print('get', props.Get('com.example.Calculator', 'Count'))
            props.Set('com.example.Calculator', 'Count', dbus.Int32(12, variant_level=1))
            all = props.GetAll('com.example.Calculator')
            print('all', sorted((str(k), str(v)) for k, v in all.items()))
            for args in [('Label', dbus.String('x', variant_level=1)), ('Nope', dbus.Int32(1, variant_level=1)), ('Count', dbus.String('x', variant_level=1)), ('Count', dbus.Int32(-1, variant_level=1))]:
                try:
                    props.Set('com.example.Calculator', *args)
                    print('set', args[0], 'ok')
                except dbus.DBusException as e:
                    print('set', args[0], e.get_dbus_name())
            try:
                props.Get('com.example.Calculator', 'Secret')
            except dbus.DBusException as e:
                print('get Secret', e.get_dbus_name())
            root = conn.get_object(None, '/', introspect=False)
            managed = dbus.Interface(root, 'org.freedesktop.DBus.ObjectManager').GetManagedObjects()
            print('managed', sorted(str(p) for p in managed), sorted(str(i) for i in managed['/calc']), int(managed['/calc']['com.example.Calculator']['Count']))
            """;
        var result = await ExternalTool.PythonAsync(script, server.Address);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            "get 7",
            "all [('Count', '12'), ('Label', 'calc'), ('Version', '3')]",
            "set Label org.freedesktop.DBus.Error.PropertyReadOnly",
            "set Nope org.freedesktop.DBus.Error.UnknownProperty",
            "set Count org.freedesktop.DBus.Error.InvalidArgs",
            "set Count org.freedesktop.DBus.Error.InvalidArgs",
            "get Secret org.freedesktop.DBus.Error.AccessDenied",
            "managed ['/calc'] ['com.example.Calculator'] 12",
        }), result.ToString());
    }

    [Test]
    public async Task A_client_of_another_uid_is_refused_and_others_are_still_served()
    {
        using var server = StartServer(out _);
        var refused = await ExternalTool.RunAsync("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            "gdbus", "call", "--address", server.Address, "--dest", "com.example.Calc", "--object-path", "/calc", "--method", "com.example.Calculator.Add", "1", "2");
        Assert.That(refused.ExitCode, Is.Not.Zero, refused.ToString());
        var call = await ExternalTool.RunAsync("gdbus", "call", "--address", server.Address, "--dest", "com.example.Calc", "--object-path", "/calc",
            "--method", "com.example.Calculator.Add", "1", "2");
        Assert.That(call.Output.Trim(), Is.EqualTo("(3,)"), call.ToString());
    }

    [Test]
    public async Task Anonymous_clients_are_accepted_only_when_allowed()
    {
        using var server = StartServer(out _);
        var options = new DBusConnectionOptions { IsBus = false, AuthenticationMechanisms = ["ANONYMOUS"], ConnectTimeout = s_timeout };
        Assert.ThrowsAsync(Is.InstanceOf<DBusConnectionException>(), () => DBusConnection.ConnectAsync(server.Address, options));
        server.AllowAnonymous = true;
        await using var client = await DBusConnection.ConnectAsync(server.Address, options);
        var writer = MessageWriter.CreateMethodCall(null, "/calc", CalculatorHandler.Name, "Add", "ii");
        writer.WriteInt32(20);
        writer.WriteInt32(22);
        using var reply = await client.CallAsync(writer.ToMessage(), s_timeout);
        Assert.That(reply.GetBodyReader().ReadInt32(), Is.EqualTo(42));
    }

    [Test]
    public async Task A_garbage_sending_or_vanishing_client_affects_only_itself()
    {
        using var server = StartServer(out var clients);
        // A client that authenticates and then sends bytes that are no D-Bus message.
        string path = server.Address.Split("path=")[1].Split(',')[0];
        using (var garbage = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await garbage.ConnectAsync(new UnixDomainSocketEndPoint(path));
            await garbage.SendAsync("\0AUTH EXTERNAL 30\r\nBEGIN\r\n"u8.ToArray());
            await garbage.SendAsync(Enumerable.Repeat((byte)0xAB, 4096).ToArray());
            var buffer = new byte[4096];
            using var cts = new CancellationTokenSource(s_timeout);
            try
            {
                while (await garbage.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
                {
                    // Read until the server closes this client (OK line first).
                }
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                // The server dropped it with unread garbage pending: that is the point.
            }
        }
        // A client that goes away while its call is in progress.
        var options = new DBusConnectionOptions { IsBus = false };
        var vanishing = await DBusConnection.ConnectAsync(server.Address, options);
        var slow = MessageWriter.CreateMethodCall(null, "/calc", CalculatorHandler.Name, "Slow", "s");
        slow.WriteString("x");
        var pending = vanishing.CallAsync(slow.ToMessage(), s_timeout);
        await vanishing.DisposeAsync();
        Assert.ThrowsAsync<DBusDisconnectedException>(() => pending);

        var call = await ExternalTool.RunAsync("gdbus", "call", "--address", server.Address, "--dest", "com.example.Calc", "--object-path", "/calc",
            "--method", "com.example.Calculator.Add", "4", "5");
        Assert.That(call.Output.Trim(), Is.EqualTo("(9,)"), call.ToString());
    }

    [Test]
    public async Task A_client_flooding_calls_without_reading_replies_affects_only_itself_and_leaves_no_descriptor()
    {
        using var server = StartServer(out _);
        var badGone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.ConnectionDisposed += _ => badGone.TrySetResult();
        await using var good = await DBusConnection.ConnectAsync(server.Address, new DBusConnectionOptions { IsBus = false });
        Assert.That(await AddAsync(good, 1, 2), Is.EqualTo(3));
        int baseline = CountSockets();

        // Thousands of valid calls after a valid handshake, and not one reply read: the replies pile up on the server.
        const int calls = 20_000;
        var flood = new MemoryStream();
        flood.Write("\0AUTH EXTERNAL "u8);
        flood.Write(System.Text.Encoding.ASCII.GetBytes(Convert.ToHexString(System.Text.Encoding.ASCII.GetBytes(CurrentUid()))));
        flood.Write("\r\nBEGIN\r\n"u8);
        for (int i = 1; i <= calls; i++)
        {
            var writer = MessageWriter.CreateMethodCall(null, "/calc", CalculatorHandler.Name, "Add", "ii");
            writer.WriteInt32(i);
            writer.WriteInt32(1);
            using var call = writer.ToMessage();
            call.SetSerial((uint)i);
            flood.Write(call.Bytes.Span);
        }
        string path = server.Address.Split("path=")[1].Split(',')[0];
        var bad = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await bad.ConnectAsync(new UnixDomainSocketEndPoint(path));
            var sending = bad.SendAsync(flood.ToArray(), SocketFlags.None);
            for (int i = 0; i < 50; i++)
            {
                Assert.That(await AddAsync(good, i, i).WaitAsync(TimeSpan.FromSeconds(5)), Is.EqualTo(2 * i));
            }
            Assert.That(await sending.WaitAsync(s_timeout), Is.EqualTo(flood.Length), "the server kept reading the flood");
        }
        finally
        {
            bad.Dispose();
        }
        await badGone.Task.WaitAsync(s_timeout);
        Assert.That(server.Connections, Has.Count.EqualTo(1), "only the good client is left");
        Assert.That(await AddAsync(good, 20, 22), Is.EqualTo(42));
        // At most as many: a finalizer of an earlier test may close something meanwhile.
        Assert.That(CountSockets(), Is.LessThanOrEqualTo(baseline), "sockets open before and after the flood");
    }

    [Test]
    public async Task A_client_that_never_reads_is_disconnected_once_its_backlog_passes_the_limit()
    {
        var reasons = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        DBusConnection? first = null;
        using var server = DBusServer.Listen("unix:tmpdir=/tmp", new DBusServerOptions
        {
            ConnectionOptions = new DBusConnectionOptions { IsBus = false, MaxOutgoingBytes = 64 * 1024 },
            ConnectionAdded = (_, connection) =>
            {
                connection.Export("/calc", new CalculatorHandler());
                if (Interlocked.CompareExchange(ref first, connection, null) is null)
                {
                    connection.CallOnDisconnection((_, reason) => reasons.TrySetResult(reason));
                }
            },
        });
        string path = server.Address.Split("path=")[1].Split(',')[0];
        using var bad = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await bad.ConnectAsync(new UnixDomainSocketEndPoint(path));
        // The handshake, then calls whose replies are never read: far more reply bytes than the socket buffers and the limit hold.
        var flood = new MemoryStream();
        flood.Write("\0AUTH EXTERNAL "u8);
        flood.Write(System.Text.Encoding.ASCII.GetBytes(Convert.ToHexString(System.Text.Encoding.ASCII.GetBytes(CurrentUid()))));
        flood.Write("\r\nBEGIN\r\n"u8);
        for (int i = 1; i <= 20_000; i++)
        {
            var writer = MessageWriter.CreateMethodCall(null, "/calc", "org.freedesktop.DBus.Introspectable", "Introspect");
            using var call = writer.ToMessage();
            call.SetSerial((uint)i);
            flood.Write(call.Bytes.Span);
        }
        _ = bad.SendAsync(flood.ToArray(), SocketFlags.None);

        var reason = await reasons.Task.WaitAsync(s_timeout);
        Assert.That(reason, Is.InstanceOf<DBusDisconnectedException>());
        Assert.That(reason.Message, Does.Contain("does not read").And.Contain("MaxOutgoingBytes"));
        await using var good = await DBusConnection.ConnectAsync(server.Address, new DBusConnectionOptions { IsBus = false });
        Assert.That(await AddAsync(good, 2, 3), Is.EqualTo(5), "the server serves other clients on");
    }

    private static async Task<int> AddAsync(DBusConnection client, int a, int b)
    {
        var writer = MessageWriter.CreateMethodCall(null, "/calc", CalculatorHandler.Name, "Add", "ii");
        writer.WriteInt32(a);
        writer.WriteInt32(b);
        using var reply = await client.CallAsync(writer.ToMessage(), s_timeout);
        return reply.GetBodyReader().ReadInt32();
    }

    // Sockets only: the runtime opens assembly and symbol files lazily (a stack trace formatted meanwhile loads some).
    private static int CountSockets() =>
        Directory.GetFileSystemEntries("/proc/self/fd").Count(f =>
        {
            try
            {
                return new FileInfo(f).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true;
            }
            catch (IOException)
            {
                return false; // closed while listing
            }
        });

    private static string CurrentUid() =>
        File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];

    [Test]
    public async Task Disposing_the_server_closes_its_clients()
    {
        var server = StartServer(out _);
        await using var client = await DBusConnection.ConnectAsync(server.Address, new DBusConnectionOptions { IsBus = false });
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.CallOnDisconnection((_, _) => lost.TrySetResult());
        await client.CallAsync(MessageWriter.CreateMethodCall(null, "/calc", "org.freedesktop.DBus.Peer", "Ping").ToMessage(), s_timeout);
        server.Dispose();
        await lost.Task.WaitAsync(s_timeout);
        Assert.That(server.Connections, Is.Empty);
        Assert.That(server.IsListening, Is.False);
    }

    [Test]
    public async Task Busctl_calls_introspects_and_lists_a_service_on_a_private_bus()
    {
        await using var bus = await PrivateBus.StartAsync();
        await using var service = await DBusConnection.ConnectAsync(bus.Address);
        await service.RequestNameAsync("com.example.Calc");
        service.Export("/com/example/calc", new CalculatorHandler());
        service.Export("/com/example/calc/child", new CalculatorHandler());
        string address = "--address=" + bus.Address;
        var call = await ExternalTool.RunAsync("busctl", address, "call", "com.example.Calc", "/com/example/calc", CalculatorHandler.Name, "Add", "ii", "2", "3");
        Assert.That(call.Output.Trim(), Is.EqualTo("i 5"), call.ToString());
        var introspect = await ExternalTool.RunAsync("busctl", address, "introspect", "com.example.Calc", "/com/example/calc");
        Assert.That(introspect.Output, Does.Contain(".Add").And.Contain(".Count").And.Contain("org.freedesktop.DBus.Properties"), introspect.ToString());
        var tree = await ExternalTool.RunAsync("busctl", address, "tree", "--list", "com.example.Calc");
        Assert.That(tree.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Is.SupersetOf(new[] { "/", "/com", "/com/example", "/com/example/calc", "/com/example/calc/child" }), tree.ToString());
        var gdbus = await ExternalTool.RunAsync("gdbus", "call", "--address", bus.Address, "--dest", "com.example.Calc",
            "--object-path", "/com/example/calc", "--method", "org.freedesktop.DBus.Properties.Get", CalculatorHandler.Name, "Label");
        Assert.That(gdbus.Output.Trim(), Is.EqualTo("(<'calc'>,)"), gdbus.ToString());
    }
}
