using TmdsProtocol = Tmds.DBus.Protocol;

namespace DBus.Benchmarks.SideBySide;

/// <summary>
/// The Tmds.DBus.Protocol side of the side-by-side benchmark, written the way its README shows. Tmds.DBus.Protocol
/// has no listener (it is a client library that always says Hello), so peer-to-peer its client talks to the
/// DBusGen server; through the daemon it serves as well.
/// </summary>
internal static class TmdsBench
{
    private static readonly TmdsProtocol.MessageValueReader<string> s_readString =
        static (message, _) => message.GetBodyReader().ReadString();
    private static readonly TmdsProtocol.MessageValueReader<long> s_readInt64 =
        static (message, _) => message.GetBodyReader().ReadInt64();

    public static async Task ServeAsync(string address, Task stop)
    {
        using var connection = new TmdsProtocol.DBusConnection(address);
        await connection.ConnectAsync();
        connection.AddMethodHandler(new Handler());
        await connection.RequestNameAsync(BenchWorkload.Service);
        Console.WriteLine("ready");
        await stop;
    }

    public static async Task<Func<int, Task>> ConnectAsync(string mode, string address, string workload, int inFlight)
    {
        var connection = new TmdsProtocol.DBusConnection(address);
        await connection.ConnectAsync();
        string? destination = mode == "bus" ? BenchWorkload.Service : null;
        if (workload == "echo")
        {
            return count => BenchClient.RunAsync(() => new ValueTask<string>(connection.CallMethodAsync(Echo(connection, destination), s_readString)), count, inFlight);
        }
        return count => BenchClient.RunAsync(() => new ValueTask<long>(connection.CallMethodAsync(Sum(connection, destination), s_readInt64)), count, inFlight);
    }

    private static TmdsProtocol.MessageBuffer Echo(TmdsProtocol.DBusConnection connection, string? destination)
    {
        using var writer = connection.GetMessageWriter();
        writer.WriteMethodCallHeader(destination: destination, path: BenchWorkload.Path,
            @interface: BenchWorkload.Interface, signature: "s", member: "Echo");
        writer.WriteString(BenchWorkload.EchoText);
        return writer.CreateMessage();
    }

    private static TmdsProtocol.MessageBuffer Sum(TmdsProtocol.DBusConnection connection, string? destination)
    {
        using var writer = connection.GetMessageWriter();
        writer.WriteMethodCallHeader(destination: destination, path: BenchWorkload.Path,
            @interface: BenchWorkload.Interface, signature: "ai", member: "Sum");
        writer.WriteArray(BenchWorkload.SumValues);
        return writer.CreateMessage();
    }

    private sealed class Handler : TmdsProtocol.IPathMethodHandler
    {
        public string Path => BenchWorkload.Path;

        public bool HandlesChildPaths => false;

        public ValueTask HandleMethodAsync(TmdsProtocol.MethodContext context)
        {
            var reader = context.Request.GetBodyReader();
            if (context.Request.MemberAsString == "Echo")
            {
                string text = reader.ReadString();
                using var writer = context.CreateReplyWriter("s");
                writer.WriteString(text);
                context.Reply(writer.CreateMessage());
            }
            else
            {
                long sum = 0;
                foreach (int value in reader.ReadArrayOfInt32())
                {
                    sum += value;
                }
                using var writer = context.CreateReplyWriter("x");
                writer.WriteInt64(sum);
                context.Reply(writer.CreateMessage());
            }
            return default;
        }
    }
}
