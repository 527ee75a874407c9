using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace DBus;

/// <summary>
/// What one observed method call reports when it ends: its duration to a histogram and its span, both tagged the
/// OpenTelemetry RPC way. Made only while someone listens: an outgoing call then carries it on its pending reply,
/// a served call in a table keyed by its <see cref="MethodContext"/>; otherwise calls pay a flag check.
/// </summary>
internal sealed class CallTelemetry
{
    // A served call's telemetry, found from its context: a field on every MethodContext would cost each call
    // 8 bytes whether anyone listens or not. The count lets unobserved calls skip the table.
    private static readonly ConditionalWeakTable<MethodContext, CallTelemetry> s_served = new();
    private static int s_servedInProgress;

    private readonly Histogram<double> _duration;
    private readonly string? _service;
    private readonly string? _method;
    private readonly long _started;
    private readonly Activity? _activity;
    private string? _repliedErrorName;

    private CallTelemetry(Histogram<double> duration, ActivityKind kind, string? service, string? method)
    {
        _duration = duration;
        _service = service;
        _method = method;
        _started = Stopwatch.GetTimestamp();
        // The span is the call's own: it must not become the parent of what the caller does next on this thread.
        var previous = Activity.Current;
        _activity = Telemetry.Source.StartActivity(service is null ? method ?? "call" : $"{service}/{method}", kind);
        if (_activity is not null)
        {
            _activity.SetTag("rpc.system", "dbus");
            _activity.SetTag("rpc.service", service);
            _activity.SetTag("rpc.method", method);
            Activity.Current = previous;
        }
    }

    /// <summary>Starts observing an outgoing call, or returns null when nobody listens.</summary>
    public static CallTelemetry? StartClient(Message call) =>
        Telemetry.ClientCallsObserved
            ? new CallTelemetry(Telemetry.ClientCallDuration, ActivityKind.Client, call.Interface, call.Member)
            : null;

    /// <summary>Starts observing a call an exported handler serves, when someone listens.</summary>
    public static void StartServer(MethodContext context, string interfaceName)
    {
        if (!Telemetry.ServerCallsObserved)
        {
            return;
        }
        var call = context.Request;
        s_served.Add(context, new CallTelemetry(Telemetry.ServerCallDuration, ActivityKind.Server, call.Interface ?? interfaceName, call.Member));
        Interlocked.Increment(ref s_servedInProgress);
    }

    /// <summary>Notes that the handler answered with an error reply rather than an exception.</summary>
    public static void ErrorReplied(MethodContext context, string? errorName)
    {
        if (Volatile.Read(ref s_servedInProgress) != 0 && s_served.TryGetValue(context, out var telemetry))
        {
            telemetry._repliedErrorName = errorName;
        }
    }

    /// <summary>Reports the end of a served call: <paramref name="failure"/> is the handler's exception, if any.</summary>
    public static void StopServer(MethodContext context, Exception? failure)
    {
        if (Volatile.Read(ref s_servedInProgress) != 0 && s_served.TryGetValue(context, out var telemetry) && s_served.Remove(context))
        {
            Interlocked.Decrement(ref s_servedInProgress);
            telemetry.Stop(failure is null ? telemetry._repliedErrorName : ErrorName(failure));
        }
    }

    /// <summary>Reports the end of the call: <paramref name="errorName"/> is the D-Bus error it ended with, if any
    /// (a timeout is org.freedesktop.DBus.Error.NoReply, a lost connection Disconnected).</summary>
    public void Stop(string? errorName)
    {
        double seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        if (_duration.Enabled)
        {
            var tags = new TagList
            {
                { "rpc.system", "dbus" },
                { "rpc.service", _service },
                { "rpc.method", _method },
            };
            if (errorName is not null)
            {
                tags.Add("error.type", errorName);
            }
            _duration.Record(seconds, tags);
        }
        if (_activity is not null)
        {
            if (errorName is not null)
            {
                _activity.SetTag("error.type", errorName);
                _activity.SetStatus(ActivityStatusCode.Error, errorName);
            }
            _activity.Stop();
        }
    }

    /// <summary>The error name an exception that ended a call stands for.</summary>
    public static string ErrorName(Exception exception) => exception switch
    {
        DBusException dbus => dbus.ErrorName,
        OperationCanceledException => "System.OperationCanceledException",
        _ => exception.GetType().FullName ?? DBusErrorNames.Failed,
    };
}
