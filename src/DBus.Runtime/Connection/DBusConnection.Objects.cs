namespace DBus;

// Method calls addressed to this connection: org.freedesktop.DBus.Peer on every path (as libdbus does), then the
// object tree with its built-in Introspectable, Properties and ObjectManager, then the exported handlers. Anything
// that matches nothing gets the standard error reply.
public sealed partial class DBusConnection
{
    private const string PeerInterface = "org.freedesktop.DBus.Peer";

    private readonly ObjectTree _objects = new();
    private CallerTracker? _callers;

    /// <summary>Follows bus callers with calls in flight (created on first need: a client-only connection has none).</summary>
    internal CallerTracker Callers =>
        Volatile.Read(ref _callers) ?? Interlocked.CompareExchange(ref _callers, new CallerTracker(this, _stream.ClosingToken), null) ?? _callers!;

    private void DispatchMethodCall(Message call)
    {
        bool handedOff = false;
        try
        {
            handedOff = RouteMethodCall(call);
        }
        catch (DBusDisconnectedException)
        {
            // The caller is gone with the connection; there is nobody to answer.
        }
        finally
        {
            if (!handedOff)
            {
                call.Dispose();
            }
        }
    }

    /// <summary>Answers <paramref name="call"/>; true when an asynchronous handler now owns it (and disposes it).</summary>
    private bool RouteMethodCall(Message call)
    {
        string? iface = call.Interface;
        if (iface is PeerInterface or null && TryAnswerPeer(call))
        {
            return false;
        }
        if (AnswersHello && iface == BusInterface && call.Member == "Hello" && TryAnswerHello(call))
        {
            return false;
        }
        var path = call.Path ?? ObjectPath.Root;
        var node = _objects.Find(path);
        switch (iface)
        {
            case IntrospectableInterface:
            case null when call.Member == "Introspect" && call.Signature.IsEmpty:
                AnswerIntrospectable(call, path, node);
                return false;
            case PropertiesInterface when node is not null:
                AnswerProperties(call, node);
                return false;
            case ObjectManagerInterface when _objects.IsManager(path):
                AnswerObjectManager(call, path);
                return false;
        }
        if (node is null)
        {
            ReplyError(call, DBusErrorNames.UnknownObject, $"no object is exported at path '{path}'");
            return false;
        }
        string member = call.Member!;
        ExportedInterface? target = FindTarget(node.Interfaces, iface, member);
        if (target is null)
        {
            if (iface is null)
            {
                ReplyError(call, DBusErrorNames.UnknownMethod, $"no interface of the object at '{path}' has a method '{member}'");
            }
            else
            {
                ReplyError(call, DBusErrorNames.UnknownInterface, $"the object at '{path}' does not implement interface '{iface}'");
            }
            return false;
        }
        if (!target.Description.Methods.TryGetValue(member, out var signatures))
        {
            ReplyError(call, DBusErrorNames.UnknownMethod, $"method '{member}' does not exist on interface '{target.Name}'");
            return false;
        }
        if (Array.IndexOf(signatures, call.Signature) < 0)
        {
            ReplyError(call, DBusErrorNames.InvalidArgs,
                $"method '{target.Name}.{member}' takes arguments of signature {string.Join(" or ", signatures.Select(s => $"'{s}'"))}, not '{call.Signature}'");
            return false;
        }
        return InvokeHandler(call, target.Handler);
    }

    private bool InvokeHandler(Message call, IDBusInterfaceHandler handler)
    {
        // On a bus the caller can leave while this connection stays: follow it (a call from ourselves needs no watch).
        var callers = _options.IsBus && call.Sender is { } sender && sender.StartsWith(':') && sender != _uniqueName ? Callers : null;
        var context = new MethodContext(this, call, _stream.ClosingToken, callers);
        ValueTask task;
        try
        {
            task = handler.HandleCallAsync(context);
        }
        catch (Exception e)
        {
            FinishCall(context, e);
            return false;
        }
        if (task.IsCompleted)
        {
            Exception? failure = null;
            try
            {
                task.GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                failure = e;
            }
            FinishCall(context, failure);
            return false;
        }
        // The dispatch loop goes on with the next message while this handler awaits. Only now is the caller watched,
        // so a handler that finishes without yielding costs no bus round trip.
        context.WatchCaller();
        _ = CompleteCallAsync(context, task);
        return true;
    }

    private async Task CompleteCallAsync(MethodContext context, ValueTask task)
    {
        Exception? failure = null;
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
        }
        try
        {
            FinishCall(context, failure);
        }
        catch (DBusDisconnectedException)
        {
            // Nobody is left to answer.
        }
        finally
        {
            context.Request.Dispose();
        }
    }

    /// <summary>Sends the reply the handler did not send: an empty return, or the error its exception stands for.</summary>
    private void FinishCall(MethodContext context, Exception? failure)
    {
        try
        {
            FinishCallCore(context, failure);
        }
        finally
        {
            context.ReleaseCaller();
        }
    }

    private void FinishCallCore(MethodContext context, Exception? failure)
    {
        if (failure is not null && failure is not DBusException)
        {
            if (failure is OperationCanceledException && context.IsCancellationRequested)
            {
                context.TryMarkReplied();
                return;
            }
            OnCallbackFailed(failure);
        }
        bool gone = context.IsCallerGone;
        context.ReleaseCaller();
        if (!context.TryMarkReplied() || gone)
        {
            // Answered already, or the caller left the bus: nobody would receive it.
            return;
        }
        var call = context.Request;
        switch (failure)
        {
            case null:
                Reply(call, MessageWriter.CreateMethodReturn(call).ToMessage());
                break;
            case DBusException dbus:
                ReplyError(call, dbus.ErrorName, dbus.ErrorMessage);
                break;
            default:
                // The message only: a stack trace would leak the service's internals to any caller.
                ReplyError(call, DBusErrorNames.Failed, failure.Message);
                break;
        }
    }

    /// <summary>
    /// True on a <see cref="DBusServer"/>'s client connection: a client that believes it talks to a bus (gdbus call
    /// --address does) says Hello first, and gets its unique name as a bus would answer.
    /// </summary>
    internal bool AnswersHello { get; set; }

    private bool TryAnswerHello(Message call)
    {
        if (call.Path?.Value != "/org/freedesktop/DBus" || !call.Signature.IsEmpty)
        {
            return false;
        }
        if (_uniqueName is null)
        {
            Interlocked.CompareExchange(ref _uniqueName, ":1." + Interlocked.Increment(ref s_helloNames).ToString(System.Globalization.CultureInfo.InvariantCulture), null);
        }
        var writer = MessageWriter.CreateMethodReturn(call, new Signature("s"));
        writer.WriteString(_uniqueName!);
        Reply(call, writer.ToMessage());
        return true;
    }

    private static long s_helloNames;

    private bool TryAnswerPeer(Message call)
    {
        switch (call.Member)
        {
            case "Ping" when call.Signature.Count == 0:
                Reply(call, MessageWriter.CreateMethodReturn(call).ToMessage());
                return true;
            case "GetMachineId" when call.Signature.Count == 0:
                if (MachineId.Value is not { } id)
                {
                    ReplyError(call, DBusErrorNames.Failed, "this machine has no machine ID (/etc/machine-id and /var/lib/dbus/machine-id are missing)");
                    return true;
                }
                var writer = MessageWriter.CreateMethodReturn(call, new Signature("s"));
                writer.WriteString(id);
                Reply(call, writer.ToMessage());
                return true;
            default:
                if (call.Interface == PeerInterface)
                {
                    ReplyError(call, DBusErrorNames.UnknownMethod,
                        $"method '{call.Member}' with signature '{call.Signature}' does not exist on interface '{PeerInterface}'");
                    return true;
                }
                return false;
        }
    }

    /// <summary>Sends <paramref name="reply"/> unless the caller asked for no reply.</summary>
    internal void Reply(Message call, Message reply)
    {
        if ((call.Flags & MessageFlags.NoReplyExpected) != 0)
        {
            reply.Dispose();
            return;
        }
        Send(reply);
    }

    /// <summary>The interface a call is for: the named one, or without a name the first with the method.
    /// (A loop rather than a capturing lambda: this runs for every call.)</summary>
    private static ExportedInterface? FindTarget(ExportedInterface[] interfaces, string? iface, string member)
    {
        foreach (var candidate in interfaces)
        {
            if (iface is null ? candidate.Description.Methods.ContainsKey(member) : candidate.Name == iface)
            {
                return candidate;
            }
        }
        return null;
    }

    internal void ReplyError(Message call, string errorName, string? text) =>
        Reply(call, MessageWriter.CreateError(call, errorName, text).ToMessage());
}
