using DBus.Runtime.Tests.Connection;

namespace DBus.Runtime.Tests.Signals;

/// <summary>
/// The bus side of a <see cref="PeerPair"/>, scripted: its server connection answers AddMatch, RemoveMatch and
/// GetNameOwner and NameHasOwner the way dbus-daemon does, and records what it was asked, so the signal parts can be tested without a
/// daemon. Replies can be held back (<see cref="HoldAddMatch"/>) or refused (<see cref="FailNextAddMatch"/>).
/// </summary>
internal sealed class ScriptedBus : IAsyncDisposable
{
    private readonly List<string> _requests = [];
    private TaskCompletionSource? _held;

    public ScriptedBus()
    {
        Pair = PeerPair.Create();
        Pair.Server.AddMessageFilter(Answer);
    }

    public PeerPair Pair { get; }

    public DBusConnection Client => Pair.Client;

    /// <summary>Current owners, as GetNameOwner answers them; NameHasOwner is true for the names and the owners here.</summary>
    public Dictionary<string, string> Owners { get; } = [];

    /// <summary>Refuse the next AddMatch with org.freedesktop.DBus.Error.OOM.</summary>
    public bool FailNextAddMatch { get; set; }

    /// <summary>Hold AddMatch replies until <see cref="ReleaseAddMatch"/>.</summary>
    public void HoldAddMatch() => _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ReleaseAddMatch() => _held?.TrySetResult();

    /// <summary>Completes once a request starting with <paramref name="prefix"/> has been received.</summary>
    public async Task WaitForAsync(string prefix)
    {
        var deadline = DateTime.UtcNow + PeerPair.Timeout;
        while (!Requests.Any(r => r.StartsWith(prefix, StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"the bus was never asked {prefix}; it was asked: {string.Join("; ", Requests)}");
            }
            // Each round trip through the pair lets everything sent before it arrive.
            using var pong = await Client.CallAsync(MessageWriter.CreateMethodCall(null, "/", "org.freedesktop.DBus.Peer", "Ping").ToMessage(), PeerPair.Timeout);
        }
    }

    /// <summary>What the bus was asked, in order: "AddMatch rule", "RemoveMatch rule (no reply)", "GetNameOwner name".</summary>
    public string[] Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>A NameOwnerChanged signal as the bus sends it (sender org.freedesktop.DBus).</summary>
    public static Message NameOwnerChanged(string name, string oldOwner, string newOwner)
    {
        var writer = MessageWriter.Create(new MessageHeader
        {
            Type = MessageType.Signal,
            Path = "/org/freedesktop/DBus",
            Interface = "org.freedesktop.DBus",
            Member = "NameOwnerChanged",
            Sender = "org.freedesktop.DBus",
            Signature = new Signature("sss").Info,
        }, DBusByteOrder.LittleEndian);
        writer.WriteString(name);
        writer.WriteString(oldOwner);
        writer.WriteString(newOwner);
        return writer.ToMessage();
    }

    /// <summary>A signal from <paramref name="sender"/> (what the bus stamps on everything it forwards).</summary>
    public static Message SignalFrom(string sender, string member)
    {
        var writer = MessageWriter.Create(new MessageHeader
        {
            Type = MessageType.Signal,
            Path = "/org/test",
            Interface = "org.test.Iface",
            Member = member,
            Sender = sender,
        }, DBusByteOrder.LittleEndian);
        return writer.ToMessage();
    }

    private MessageFilterResult Answer(DBusConnection bus, Message call)
    {
        if (call.Type != MessageType.MethodCall || call.Interface != "org.freedesktop.DBus")
        {
            return MessageFilterResult.NotHandled;
        }
        string argument = call.GetBodyReader().ReadString();
        bool noReply = (call.Flags & MessageFlags.NoReplyExpected) != 0;
        lock (_requests)
        {
            _requests.Add($"{call.Member} {argument}" + (noReply ? " (no reply)" : ""));
        }
        switch (call.Member)
        {
            case "AddMatch" when FailNextAddMatch:
                FailNextAddMatch = false;
                bus.Send(MessageWriter.CreateError(call, "org.freedesktop.DBus.Error.OOM", "no room for the rule").ToMessage());
                break;
            case "AddMatch" when _held is { } held:
                var reply = MessageWriter.CreateMethodReturn(call).ToMessage();
                _ = held.Task.ContinueWith(_ => bus.Send(reply), TaskScheduler.Default);
                break;
            case "AddMatch":
            case "RemoveMatch" when !noReply:
                bus.Send(MessageWriter.CreateMethodReturn(call).ToMessage());
                break;
            case "GetNameOwner" when Owners.TryGetValue(argument, out var owner):
                var writer = MessageWriter.CreateMethodReturn(call, "s");
                writer.WriteString(owner);
                bus.Send(writer.ToMessage());
                break;
            case "GetNameOwner":
                bus.Send(MessageWriter.CreateError(call, DBusErrorNames.NameHasNoOwner, $"no owner for {argument}").ToMessage());
                break;
            case "NameHasOwner":
                var has = MessageWriter.CreateMethodReturn(call, "b");
                has.WriteBoolean(Owners.ContainsKey(argument) || Owners.ContainsValue(argument));
                bus.Send(has.ToMessage());
                break;
        }
        return MessageFilterResult.Handled;
    }

    public ValueTask DisposeAsync() => Pair.DisposeAsync();
}
