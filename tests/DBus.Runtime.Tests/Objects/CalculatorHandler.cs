namespace DBus.Runtime.Tests.Objects;

/// <summary>A hand-written handler, as a user without the generator would write one.</summary>
internal sealed class CalculatorHandler : IDBusInterfaceHandler
{
    public const string Name = "com.example.Calculator";

    public TaskCompletionSource<string> SlowGate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource SlowStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource<bool> SlowCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource SlowReplied { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public int NotifyCount;
    public int Count { get; set; } = 7;
    public string Label { get; set; } = "calc";
    public string? LastSecret { get; private set; }
    public ObjectPath? LastPath { get; private set; }

    public string InterfaceName => Name;

    public string IntrospectionXml => """
        <interface name="com.example.Calculator">
          <method name="Add">
            <arg name="a" type="i" direction="in"/>
            <arg name="b" type="i" direction="in"/>
            <arg name="sum" type="i" direction="out"/>
          </method>
          <method name="Fail"/>
          <method name="Crash"/>
          <method name="Slow">
            <arg name="text" type="s" direction="in"/>
            <arg name="echo" type="s" direction="out"/>
          </method>
          <method name="Notify"/>
          <method name="Where">
            <arg name="path" type="o" direction="out"/>
          </method>
          <signal name="Computed">
            <arg name="value" type="i"/>
          </signal>
          <property name="Count" type="i" access="readwrite"/>
          <property name="Label" type="s" access="read">
            <annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="invalidates"/>
          </property>
          <property name="Version" type="u" access="read">
            <annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="const"/>
          </property>
          <property name="Secret" type="s" access="write"/>
        </interface>
        """;

    public async ValueTask HandleCallAsync(MethodContext context)
    {
        switch (context.Member)
        {
            case "Add":
                var reader = context.Request.GetBodyReader();
                int a = reader.ReadInt32(), b = reader.ReadInt32();
                var reply = context.CreateReply("i");
                reply.WriteInt32(a + b);
                context.Reply(reply.ToMessage());
                return;
            case "Fail":
                throw new DBusException("com.example.Error.Refused", "no, thanks");
            case "Crash":
                throw new InvalidOperationException("the calculator broke");
            case "Slow":
                string text = context.Request.GetBodyReader().ReadString();
                SlowStarted.TrySetResult();
                using (context.CancellationToken.Register(() => SlowCancelled.TrySetResult(true)))
                {
                    string suffix = await SlowGate.Task.ConfigureAwait(false);
                    var echo = context.CreateReply("s");
                    echo.WriteString(text + suffix);
                    context.Reply(echo.ToMessage());
                    SlowReplied.TrySetResult();
                }
                return;
            case "Notify":
                Interlocked.Increment(ref NotifyCount);
                return;
            case "Where":
                LastPath = context.Path;
                var where = context.CreateReply("o");
                where.WriteObjectPath(context.Path);
                context.Reply(where.ToMessage());
                return;
        }
    }

    public void WriteProperty(string name, ref MessageWriter writer)
    {
        switch (name)
        {
            case "Count":
                writer.WriteInt32(Count);
                break;
            case "Label":
                writer.WriteString(Label);
                break;
            case "Version":
                writer.WriteUInt32(3);
                break;
        }
    }

    public void SetProperty(string name, ref MessageReader reader)
    {
        switch (name)
        {
            case "Count":
                int value = reader.ReadInt32();
                if (value < 0)
                {
                    throw new DBusInvalidArgsException("Count must not be negative");
                }
                Count = value;
                break;
            case "Secret":
                LastSecret = reader.ReadString();
                break;
        }
    }
}
