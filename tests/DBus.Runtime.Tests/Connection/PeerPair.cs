namespace DBus.Runtime.Tests.Connection;

/// <summary>Two peer-to-peer connections joined by a <see cref="PairedTransport"/>.</summary>
internal sealed class PeerPair : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private PeerPair(DBusConnection client, DBusConnection server, PairedTransport clientTransport, PairedTransport serverTransport)
    {
        Client = client;
        Server = server;
        ClientTransport = clientTransport;
        ServerTransport = serverTransport;
    }

    public DBusConnection Client { get; }
    public DBusConnection Server { get; }
    public PairedTransport ClientTransport { get; }
    public PairedTransport ServerTransport { get; }

    public static PeerPair Create(DBusConnectionOptions? options = null)
    {
        options ??= new DBusConnectionOptions { IsBus = false };
        var (a, b) = PairedTransport.CreatePair();
        var guid = "0123456789abcdef0123456789abcdef";
        var client = new DBusConnection(new MessageStream(a, guid, true, default, null), options);
        var server = new DBusConnection(new MessageStream(b, guid, true, default, null), new DBusConnectionOptions { IsBus = false });
        return new PeerPair(client, server, a, b);
    }

    public static (MessageStream A, MessageStream B) CreateStreams()
    {
        var (a, b) = PairedTransport.CreatePair();
        var guid = "0123456789abcdef0123456789abcdef";
        return (new MessageStream(a, guid, true, default, null), new MessageStream(b, guid, true, default, null));
    }

    public static Message Call(string member, string @interface = "org.test.Iface", string path = "/org/test") =>
        MessageWriter.CreateMethodCall(null, new ObjectPath(path), @interface, member).ToMessage();

    /// <summary>Makes the server answer every call to org.test.Iface: Echo(s) returns its string, Fail raises org.test.Error.Boom.</summary>
    public void ServeEcho() => ServeEcho(Server);

    /// <summary>Makes <paramref name="server"/> answer calls to org.test.Iface as <see cref="ServeEcho()"/> describes.</summary>
    public static void ServeEcho(DBusConnection server)
    {
        server.AddMessageFilter((connection, message) =>
        {
            if (message.Type != MessageType.MethodCall || message.Interface != "org.test.Iface")
            {
                return MessageFilterResult.NotHandled;
            }
            switch (message.Member)
            {
                case "Echo":
                    string text = message.GetBodyReader().ReadString();
                    var reply = MessageWriter.CreateMethodReturn(message, new Signature("s"));
                    reply.WriteString(text);
                    connection.Send(reply.ToMessage());
                    return MessageFilterResult.Handled;
                case "Fail":
                    connection.Send(MessageWriter.CreateError(message, "org.test.Error.Boom", "it went boom").ToMessage());
                    return MessageFilterResult.Handled;
                case "Swallow":
                    return MessageFilterResult.Handled;
                default:
                    return MessageFilterResult.NotHandled;
            }
        });
    }

    public static Message Echo(string text)
    {
        var writer = MessageWriter.CreateMethodCall(null, new ObjectPath("/org/test"), "org.test.Iface", "Echo", new Signature("s"));
        writer.WriteString(text);
        return writer.ToMessage();
    }

    public static Message Signal(string member, string arg0, string path = "/org/test")
    {
        var writer = MessageWriter.CreateSignal(new ObjectPath(path), "org.test.Iface", member, new Signature("s"));
        writer.WriteString(arg0);
        return writer.ToMessage();
    }

    /// <summary>Two connections over a real Unix socket pair, driven by the reactor (unlike <see cref="Create"/>'s),
    /// passing descriptors as a negotiated Unix-socket connection does.</summary>
    public static UnixPeers OverUnixSocket()
    {
        var (a, b) = DBus.Transport.SocketTransport.CreatePair();
        const string guid = "0123456789abcdef0123456789abcdef";
        var options = new DBusConnectionOptions { IsBus = false };
        return new UnixPeers(new DBusConnection(new MessageStream(a, guid, true, default, null), options),
            new DBusConnection(new MessageStream(b, guid, true, default, null), options));
    }

    /// <summary><see cref="OverUnixSocket"/>, whose server answers every method call with the int32 <paramref name="answer"/>.</summary>
    public static UnixPeers OverUnixSocketAnswering(int answer)
    {
        var peers = OverUnixSocket();
        peers.Server.AddMessageFilter((connection, message) =>
        {
            if (message.Type != MessageType.MethodCall)
            {
                return MessageFilterResult.NotHandled;
            }
            var reply = MessageWriter.CreateMethodReturn(message, new Signature("i"));
            reply.WriteInt32(answer);
            connection.Send(reply.ToMessage());
            return MessageFilterResult.Handled;
        });
        return peers;
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}

/// <summary>Two connections over a Unix socket pair (see <see cref="PeerPair.OverUnixSocket"/>), disposed together.</summary>
internal sealed record UnixPeers(DBusConnection Client, DBusConnection Server) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}
