namespace DBus.Benchmarks.SideBySide;

/// <summary>The DBusGen side of the side-by-side benchmark: an exported handler and a client of typed calls.</summary>
internal static class DBusGenBench
{
    private static readonly ReplyReader<string> s_readString = reply => reply.GetBodyReader().ReadString();
    private static readonly ReplyReader<long> s_readInt64 = reply => reply.GetBodyReader().ReadInt64();

    public static async Task ServeAsync(string mode, string where, Task stop)
    {
        var path = new ObjectPath(BenchWorkload.Path);
        if (mode == "p2p")
        {
            await using var server = DBusServer.Listen("unix:path=" + where, new DBusServerOptions
            {
                ConnectionAdded = (_, connection) => connection.Export(path, new Handler()),
            });
            Console.WriteLine("ready");
            await stop;
            return;
        }
        await using var bus = await DBusConnection.ConnectAsync(where);
        using var registration = bus.Export(path, new Handler());
        await bus.RequestNameAsync(BenchWorkload.Service);
        Console.WriteLine("ready");
        await stop;
    }

    /// <summary>A client of typed calls: <see cref="DBusConnection.CallAsync{T}(Message, ReplyReader{T}, TimeSpan?, CancellationToken)"/>,
    /// or with <paramref name="valueTasks"/> <see cref="DBusConnection.CallValueTaskAsync{T}(Message, ReplyReader{T}, TimeSpan?, CancellationToken)"/>
    /// (what proxies generated with org.dbusgen.ValueTasks call).</summary>
    public static async Task<Func<int, Task>> ConnectAsync(string mode, string address, string workload, int inFlight, bool valueTasks)
    {
        var connection = await DBusConnection.ConnectAsync(address, new DBusConnectionOptions { IsBus = mode == "bus" });
        string? destination = mode == "bus" ? BenchWorkload.Service : null;
        if (workload == "echo")
        {
            Func<ValueTask<string>> echo = valueTasks
                ? () => connection.CallValueTaskAsync(Echo(destination), s_readString)
                : () => new ValueTask<string>(connection.CallAsync(Echo(destination), s_readString));
            return count => BenchClient.RunAsync(echo, count, inFlight);
        }
        Func<ValueTask<long>> sum = valueTasks
            ? () => connection.CallValueTaskAsync(Sum(destination), s_readInt64)
            : () => new ValueTask<long>(connection.CallAsync(Sum(destination), s_readInt64));
        return count => BenchClient.RunAsync(sum, count, inFlight);
    }

    private static Message Echo(string? destination)
    {
        var writer = MessageWriter.CreateMethodCall(destination, BenchWorkload.Path, BenchWorkload.Interface, "Echo", "s");
        writer.WriteString(BenchWorkload.EchoText);
        return writer.ToMessage();
    }

    private static Message Sum(string? destination)
    {
        var writer = MessageWriter.CreateMethodCall(destination, BenchWorkload.Path, BenchWorkload.Interface, "Sum", "ai");
        writer.WriteArray(BenchWorkload.SumValues);
        return writer.ToMessage();
    }

    private sealed class Handler : IDBusInterfaceHandler
    {
        private static readonly Signature s_string = new("s");
        private static readonly Signature s_int64 = new("x");

        public string InterfaceName => BenchWorkload.Interface;

        public string IntrospectionXml => """
            <interface name="org.dbusgen.Bench">
              <method name="Echo"><arg type="s" direction="in"/><arg type="s" direction="out"/></method>
              <method name="Sum"><arg type="ai" direction="in"/><arg type="x" direction="out"/></method>
            </interface>
            """;

        public ValueTask HandleCallAsync(MethodContext context)
        {
            var reader = context.Request.GetBodyReader();
            if (context.Member == "Echo")
            {
                string text = reader.ReadString();
                var reply = context.CreateReply(s_string);
                reply.WriteString(text);
                context.Reply(reply.ToMessage());
            }
            else
            {
                long sum = 0;
                if (reader.TryReadArrayAsSpan(out ReadOnlySpan<int> values))
                {
                    foreach (int value in values)
                    {
                        sum += value;
                    }
                }
                else
                {
                    foreach (int value in reader.ReadArrayOfInt32())
                    {
                        sum += value;
                    }
                }
                var reply = context.CreateReply(s_int64);
                reply.WriteInt64(sum);
                context.Reply(reply.ToMessage());
            }
            return default;
        }

        public void WriteProperty(string name, ref MessageWriter writer) => throw new NotSupportedException();

        public void SetProperty(string name, ref MessageReader reader) => throw new NotSupportedException();
    }
}
