using DBus;
using PeerToPeer;

// Peer-to-peer D-Bus: no bus daemon. One process listens with DBusServer, another connects to its address.
//   PeerToPeer serve [address]   listens (default: a fresh unix socket) and prints its address; stops on Enter
//   PeerToPeer call ADDRESS TEXT  connects, calls Say through the generated proxy and prints the answer
var path = new ObjectPath("/org/dbusgen/Samples/Chat");
switch (args)
{
    case ["serve", .. var rest]:
    {
        string address = rest.Length > 0 ? rest[0] : "unix:tmpdir=/tmp";
        // Each client gets its own connection; objects exported in ConnectionAdded are there for its first call.
        await using var server = DBusServer.Listen(address, new DBusServerOptions
        {
            ConnectionAdded = (_, connection) => connection.Export(path, new ChatRoom(connection)),
        });
        Console.WriteLine($"Listening on {server.Address}");
        Console.ReadLine();
        return 0;
    }
    case ["call", var address, var text]:
    {
        // IsBus = false: a peer is not a bus, so no Hello and no unique name.
        await using var connection = await DBusConnection.ConnectAsync(address, new DBusConnectionOptions { IsBus = false });
        var chat = new ChatProxy(connection, null, path);
        var said = new TaskCompletionSource<(string Who, string Text)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (await chat.WatchSaidAsync(s => said.TrySetResult(s)))
        {
            Console.WriteLine($"Answer: {await chat.SayAsync(text)}");
            var (who, echoed) = await said.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Console.WriteLine($"Signal Said from {who}: {echoed}");
        }
        return 0;
    }
    default:
        Console.Error.WriteLine("usage: PeerToPeer serve [address] | PeerToPeer call ADDRESS TEXT");
        return 2;
}

/// <summary>The server's side, one per client connection.</summary>
internal sealed class ChatRoom(DBusConnection client) : IChatHandler
{
    public async ValueTask<string> SayAsync(string text, MethodContext context)
    {
        Console.WriteLine($"Client said: {text}");
        // On a peer-to-peer connection a signal goes straight to the peer.
        await client.EmitSaidAsync(context.Path, "server", text);
        return $"You said '{text}' ({text.Length} characters)";
    }
}
