namespace DBus;

/// <summary>
/// Runs an exported handler on one method call and makes sure the call gets exactly one answer: what the handler
/// replied, else an empty return, else the error its exception stands for. A handler that yields goes on without
/// the dispatch loop, and only then is its bus caller watched (see <see cref="CallerTracker"/>).
/// </summary>
internal static class HandlerInvoker
{
    /// <summary>Calls <paramref name="handler"/> for its <paramref name="methodIndex"/>-th declared method; true when it
    /// is still running and now owns (and disposes) the call.</summary>
    public static bool Invoke(DBusConnection connection, Message call, IDBusInterfaceHandler handler, int methodIndex)
    {
        var context = new MethodContext(connection, call, connection.ClosingToken, connection.CallersFor(call), methodIndex);
        CallTelemetry.StartServer(context, handler.InterfaceName);
        ValueTask task;
        try
        {
            task = handler.HandleCallAsync(context);
        }
        catch (Exception e)
        {
            Finish(context, e);
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
            Finish(context, failure);
            return false;
        }
        // The dispatch loop goes on with the next message while this handler awaits. Only now is the caller watched,
        // so a handler that finishes without yielding costs no bus round trip.
        context.WatchCaller();
        _ = CompleteAsync(context, task);
        return true;
    }

    private static async Task CompleteAsync(MethodContext context, ValueTask task)
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
            Finish(context, failure);
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
    private static void Finish(MethodContext context, Exception? failure)
    {
        try
        {
            FinishCore(context, failure);
        }
        finally
        {
            context.ReleaseCaller();
            CallTelemetry.StopServer(context, failure);
        }
    }

    private static void FinishCore(MethodContext context, Exception? failure)
    {
        if (failure is not null && failure is not DBusException)
        {
            if (failure is OperationCanceledException && context.IsCancellationRequested)
            {
                context.TryMarkReplied();
                return;
            }
            context.Connection.OnCallbackFailed(failure);
        }
        bool gone = context.IsCallerGone;
        context.ReleaseCaller();
        if (!context.TryMarkReplied() || gone)
        {
            // Answered already, or the caller left the bus: nobody would receive it.
            return;
        }
        var call = context.Request;
        var connection = context.Connection;
        switch (failure)
        {
            case null:
                CallReplies.Reply(connection, call, MessageWriter.CreateMethodReturn(call).ToMessage());
                break;
            case DBusException dbus:
                CallReplies.ReplyError(connection, call, dbus.ErrorName, dbus.ErrorMessage);
                break;
            default:
                // The message only: a stack trace would leak the service's internals to any caller.
                CallReplies.ReplyError(connection, call, DBusErrorNames.Failed, failure.Message);
                break;
        }
    }
}
