using DBusGen.Tests.Shared;

namespace DBus.Runtime.Tests.Objects;

/// <summary>
/// <see cref="DBusServer.Export(ObjectPath, IDBusInterfaceHandler)"/>: one handler served to every client of a server,
/// over real Unix sockets, with several <see cref="DBusConnection"/> clients and gdbus.
/// </summary>
[TestFixture]
[NonParallelizable]
public class ServerWideExportTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);
    private static readonly DBusConnectionOptions s_peer = new() { IsBus = false, ConnectTimeout = s_timeout };

    private static DBusServer StartServer(Action<DBusConnection>? added = null)
    {
        int next = 0;
        return DBusServer.Listen("unix:tmpdir=/tmp", new DBusServerOptions
        {
            ConnectionAdded = (_, connection) =>
            {
                connection.SetUniqueName($":9.{Interlocked.Increment(ref next)}");
                added?.Invoke(connection);
            },
        });
    }

    private static async Task<string> WhoAmIAsync(DBusConnection client, string path = "/shared") =>
        await client.CallAsync(MessageWriter.CreateMethodCall(null, path, SharedHandler.Name, "WhoAmI").ToMessage(),
            static reply => reply.GetBodyReader().ReadString(), s_timeout);

    private static async Task<uint> BumpAsync(DBusConnection client) =>
        await client.CallAsync(MessageWriter.CreateMethodCall(null, "/shared", SharedHandler.Name, "Bump").ToMessage(),
            static reply => reply.GetBodyReader().ReadUInt32(), s_timeout);

    private static Task<MessageQueue> WatchObjectManagerAsync(DBusConnection client) =>
        client.WatchAsync(MatchRule.Parse("type='signal',interface='org.freedesktop.DBus.ObjectManager'"));

    [Test]
    public async Task One_handler_serves_every_client_and_sees_which_one_called()
    {
        var handler = new SharedHandler();
        using var server = StartServer();
        using var registration = server.Export("/shared", handler);
        await using var a = await DBusConnection.ConnectAsync(server.Address, s_peer);
        await using var b = await DBusConnection.ConnectAsync(server.Address, s_peer);
        await using var c = await DBusConnection.ConnectAsync(server.Address, s_peer);

        string[] names = [await WhoAmIAsync(a), await WhoAmIAsync(b), await WhoAmIAsync(c)];
        Assert.That(names, Is.Unique);
        Assert.That(names, Has.All.StartsWith(":9."));
        // Each call's MethodContext.Connection is the server side of the caller's own connection.
        Assert.That(handler.Callers.Distinct().Count(), Is.EqualTo(3));
        Assert.That(server.Connections, Is.SupersetOf(handler.Callers.Distinct()));

        // One handler, one state, whoever calls.
        Assert.That(new[] { await BumpAsync(a), await BumpAsync(b), await BumpAsync(c), await BumpAsync(a) }, Is.EqualTo(new uint[] { 1, 2, 3, 4 }));

        // gdbus says Hello first and gets the name the server gave its connection; the shared handler answers it too.
        var gdbus = await ExternalTool.RunAsync("gdbus", "call", "--address", server.Address, "--dest", "org.example.Any", "--object-path", "/shared",
            "--method", SharedHandler.Name + ".WhoAmI");
        Assert.That(gdbus.ExitCode, Is.Zero, gdbus.ToString());
        Assert.That(gdbus.Output.Trim(), Does.StartWith("(':9.").And.Not.Contains(names[0]).And.Not.Contains(names[1]).And.Not.Contains(names[2]), gdbus.ToString());
    }

    [Test]
    public async Task The_handler_can_signal_back_on_the_caller_s_connection()
    {
        using var server = StartServer();
        using var registration = server.Export("/shared", new SharedHandler());
        await using var a = await DBusConnection.ConnectAsync(server.Address, s_peer);
        using var pings = await a.WatchAsync(MatchRule.Parse($"type='signal',interface='{SharedHandler.Name}',member='Pinged'"));

        using var reply = await a.CallAsync(MessageWriter.CreateMethodCall(null, "/shared", SharedHandler.Name, "PingMe").ToMessage(), s_timeout);
        using var ping = await pings.ReceiveAsync().AsTask().WaitAsync(s_timeout);
        Assert.That(ping.Path?.Value, Is.EqualTo("/shared"));
        Assert.That(ping.Destination, Is.EqualTo(await WhoAmIAsync(a)), "the signal was addressed to the caller");
    }

    [Test]
    public async Task An_export_reaches_clients_already_connected_and_both_changes_are_announced_to_all()
    {
        using var server = StartServer();
        using var manager = server.AddObjectManager("/");
        await using var a = await DBusConnection.ConnectAsync(server.Address, s_peer);
        await using var b = await DBusConnection.ConnectAsync(server.Address, s_peer);
        using var signalsA = await WatchObjectManagerAsync(a);
        using var signalsB = await WatchObjectManagerAsync(b);
        // A client counts itself connected once it sent BEGIN; the server, once it has read it. A round trip on each
        // makes sure both are among the server's clients when the export is announced.
        foreach (var client in new[] { a, b })
        {
            using var pong = await client.CallAsync(MessageWriter.CreateMethodCall(null, "/", "org.freedesktop.DBus.Peer", "Ping").ToMessage(), s_timeout);
            Assert.That(pong.Type, Is.EqualTo(MessageType.MethodReturn));
        }

        var registration = server.Export("/late", new SharedHandler());
        foreach (var signals in new[] { signalsA, signalsB })
        {
            using var added = await signals.ReceiveAsync().AsTask().WaitAsync(s_timeout);
            Assert.That(added.Member, Is.EqualTo("InterfacesAdded"));
            Assert.That(added.GetBodyReader().ReadObjectPath().Value, Is.EqualTo("/late"));
        }
        Assert.That(await WhoAmIAsync(a, "/late"), Is.Not.EqualTo(await WhoAmIAsync(b, "/late")));
        using (var managed = await b.CallAsync(MessageWriter.CreateMethodCall(null, "/", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects").ToMessage(), s_timeout))
        {
            var reader = managed.GetBodyReader();
            var end = reader.ReadArrayStart(DBusType.DictEntry);
            Assert.That(reader.HasNext(end), Is.True);
            reader.AlignStruct();
            Assert.That(reader.ReadObjectPath().Value, Is.EqualTo("/late"));
        }

        registration.Dispose();
        foreach (var signals in new[] { signalsA, signalsB })
        {
            using var removed = await signals.ReceiveAsync().AsTask().WaitAsync(s_timeout);
            Assert.That(removed.Member, Is.EqualTo("InterfacesRemoved"));
            Assert.That(removed.GetBodyReader().ReadObjectPath().Value, Is.EqualTo("/late"));
        }
        var gone = Assert.CatchAsync<DBusException>(() => WhoAmIAsync(a, "/late"));
        Assert.That(gone!.ErrorName, Is.EqualTo(DBusErrorNames.UnknownObject));
    }

    [Test]
    public async Task A_connection_s_own_objects_come_first_and_introspection_shows_both()
    {
        using var server = StartServer(connection => connection.Export("/own", new CalculatorHandler()));
        using var shared = server.Export("/shared", new SharedHandler());
        // Hidden on every client: each connection serves /own itself.
        using var hidden = server.Export("/own", new SharedHandler());
        await using var client = await DBusConnection.ConnectAsync(server.Address, s_peer);

        var add = MessageWriter.CreateMethodCall(null, "/own", CalculatorHandler.Name, "Add", "ii");
        add.WriteInt32(1);
        add.WriteInt32(2);
        Assert.That(await client.CallAsync(add.ToMessage(), static r => r.GetBodyReader().ReadInt32(), s_timeout), Is.EqualTo(3));
        var refused = Assert.CatchAsync<DBusException>(() => WhoAmIAsync(client, "/own"));
        Assert.That(refused!.ErrorName, Is.EqualTo(DBusErrorNames.UnknownInterface));
        Assert.That(await WhoAmIAsync(client), Does.StartWith(":9."));

        string xml = await client.CallAsync(MessageWriter.CreateMethodCall(null, "/", "org.freedesktop.DBus.Introspectable", "Introspect").ToMessage(),
            static r => r.GetBodyReader().ReadString(), s_timeout);
        Assert.That(xml, Does.Contain("<node name=\"own\"/>").And.Contain("<node name=\"shared\"/>"));
        Assert.That(server.Connections.Single().ListExportedChildObjects("/"), Is.EqualTo(new[] { "own", "shared" }));
    }

    [Test]
    public async Task A_client_that_leaves_does_not_disturb_the_others()
    {
        using var server = StartServer();
        using var manager = server.AddObjectManager("/");
        var leaverGone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.ConnectionDisposed += _ => leaverGone.TrySetResult();
        await using var stays = await DBusConnection.ConnectAsync(server.Address, s_peer);
        using var signals = await WatchObjectManagerAsync(stays);
        var leaves = await DBusConnection.ConnectAsync(server.Address, s_peer);
        // A round trip first, so the server surely has the client before it leaves.
        using (await leaves.CallAsync(MessageWriter.CreateMethodCall(null, "/", "org.freedesktop.DBus.Peer", "Ping").ToMessage(), s_timeout))
        {
        }
        await leaves.DisposeAsync();
        await leaverGone.Task.WaitAsync(s_timeout);

        using var registration = server.Export("/shared", new SharedHandler());
        using var added = await signals.ReceiveAsync().AsTask().WaitAsync(s_timeout);
        Assert.That(added.Member, Is.EqualTo("InterfacesAdded"));
        Assert.That(await BumpAsync(stays), Is.EqualTo(1u));
        Assert.That(server.Connections, Has.Count.EqualTo(1));
    }

    /// <summary>A handler shared by all clients: tells callers who they are, counts calls, signals back.</summary>
    private sealed class SharedHandler : IDBusInterfaceHandler
    {
        public const string Name = "org.example.Shared";
        private uint _bumps;

        public List<DBusConnection> Callers { get; } = [];

        public string InterfaceName => Name;

        public string IntrospectionXml => """
            <interface name="org.example.Shared">
              <method name="WhoAmI"><arg name="name" type="s" direction="out"/></method>
              <method name="Bump"><arg name="count" type="u" direction="out"/></method>
              <method name="PingMe"/>
              <signal name="Pinged"/>
            </interface>
            """;

        public ValueTask HandleCallAsync(MethodContext context)
        {
            switch (context.Member)
            {
                case "WhoAmI":
                    lock (Callers)
                    {
                        Callers.Add(context.Connection);
                    }
                    var name = context.CreateReply("s");
                    name.WriteString(context.Connection.UniqueName ?? "");
                    context.Reply(name.ToMessage());
                    break;
                case "Bump":
                    var count = context.CreateReply("u");
                    count.WriteUInt32(Interlocked.Increment(ref _bumps));
                    context.Reply(count.ToMessage());
                    break;
                case "PingMe":
                    var signal = MessageWriter.CreateSignal(context.Path, Name, "Pinged", destination: context.Connection.UniqueName);
                    context.Connection.EmitSignal(signal.ToMessage());
                    break;
            }
            return default;
        }

        public void WriteProperty(string name, ref MessageWriter writer) => throw new DBusException(DBusErrorNames.UnknownProperty, name);

        public void SetProperty(string name, ref MessageReader reader) => throw new DBusException(DBusErrorNames.UnknownProperty, name);
    }
}
