using System.Globalization;
using DBus;
using DBusGen.Tests.Shared;

// A DBusServer on the Unix socket path given first, serving org.dbusgen.Test.Echo at /echo to every client, until its
// standard input closes. Prints "ready" once it listens, and one line per client that leaves or is refused, so a test
// in another process can measure it (threads, descriptors, memory) from outside.
//
//   DBus.TestServer PATH [--auth-timeout SECONDS] [--max-outgoing BYTES] [--max-incomplete N] [--quiet]
//   then, on standard input: "memory" (see below); end of input stops it.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: DBus.TestServer PATH [--auth-timeout SECONDS] [--max-outgoing BYTES] [--max-incomplete N] [--quiet]");
    return 2;
}
string path = args[0];
TimeSpan? authTimeout = null;
long? maxOutgoing = null;
int? maxIncomplete = null;
bool quiet = false;
for (int i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--auth-timeout":
            authTimeout = TimeSpan.FromSeconds(double.Parse(args[++i], CultureInfo.InvariantCulture));
            break;
        case "--max-outgoing":
            maxOutgoing = long.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--max-incomplete":
            maxIncomplete = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--quiet":
            quiet = true;
            break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}");
            return 2;
    }
}

DescriptorLimit.RaiseToHardLimit();
var defaults = new DBusServerOptions();
var connectionOptions = new DBusConnectionOptions { IsBus = false, MaxOutgoingBytes = maxOutgoing ?? new DBusConnectionOptions().MaxOutgoingBytes };
var output = TextWriter.Synchronized(Console.Out);
using var server = DBusServer.Listen("unix:path=" + path, new DBusServerOptions
{
    AuthenticationTimeout = authTimeout ?? defaults.AuthenticationTimeout,
    MaxIncompleteConnections = maxIncomplete ?? defaults.MaxIncompleteConnections,
    ConnectionOptions = connectionOptions,
    ConnectionAdded = (_, connection) =>
    {
        if (!quiet)
        {
            connection.CallOnDisconnection((_, reason) => output.WriteLine("left: " + reason.Message));
        }
    },
});
server.CallbackFailed += (_, e) =>
{
    if (!quiet)
    {
        output.WriteLine("failed: " + e.Message.ReplaceLineEndings(" "));
    }
};
server.Export("/echo", new EchoHandler());
output.WriteLine("ready");
output.Flush();
// "memory" prints the GC's view (heap in use and committed, in KiB) after a full collection, to tell garbage and
// retained-but-free memory from what is still held.
while (Console.In.ReadLine() is { } command)
{
    if (command == "memory")
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var info = GC.GetGCMemoryInfo();
        output.WriteLine($"memory: heap {GC.GetTotalMemory(false) / 1024} KiB, committed {info.TotalCommittedBytes / 1024} KiB");
    }
}
return 0;

/// <summary>Echo(s) → s, and Blob(u) → ay of that many bytes (a big reply on demand).</summary>
internal sealed class EchoHandler : IDBusInterfaceHandler
{
    private static readonly byte[] s_blob = new byte[64 * 1024 * 1024];

    public string InterfaceName => "org.dbusgen.Test.Echo";

    public string IntrospectionXml => """
        <interface name="org.dbusgen.Test.Echo">
          <method name="Echo">
            <arg name="text" type="s" direction="in"/>
            <arg name="echo" type="s" direction="out"/>
          </method>
          <method name="Blob">
            <arg name="size" type="u" direction="in"/>
            <arg name="bytes" type="ay" direction="out"/>
          </method>
        </interface>
        """;

    public ValueTask HandleCallAsync(MethodContext context)
    {
        var reader = context.Request.GetBodyReader();
        switch (context.Member)
        {
            case "Echo":
            {
                var reply = context.CreateReply("s");
                reply.WriteString(reader.ReadString());
                context.Reply(reply.ToMessage());
                break;
            }
            case "Blob":
            {
                int size = (int)Math.Min(reader.ReadUInt32(), (uint)s_blob.Length);
                var reply = context.CreateReply("ay");
                reply.WriteArray(s_blob.AsSpan(0, size));
                context.Reply(reply.ToMessage());
                break;
            }
        }
        return default;
    }
}
