using DBus;

namespace DBus.Benchmarks;

/// <summary>The trivial method the server-side benchmarks serve: Ping(s) → s, through the object layer.</summary>
internal sealed class PingHandler : IDBusInterfaceHandler
{
    private static readonly Signature s_string = new("s");

    public string InterfaceName => "org.dbusgen.Bench";

    public string IntrospectionXml => """
        <interface name="org.dbusgen.Bench">
          <method name="Ping"><arg type="s" direction="in"/><arg type="s" direction="out"/></method>
        </interface>
        """;

    public ValueTask HandleCallAsync(MethodContext context)
    {
        var reply = context.CreateReply(s_string);
        reply.WriteString("pong");
        context.Reply(reply.ToMessage());
        return default;
    }

    public void WriteProperty(string name, ref MessageWriter writer) => throw new NotSupportedException();

    public void SetProperty(string name, ref MessageReader reader) => throw new NotSupportedException();
}
