using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DBus;

/// <summary>
/// The instruments behind <see cref="DBusTelemetry"/>. Every hook checks its instrument's <c>Enabled</c> (or the
/// source's listeners) first, so with nobody listening a call pays a few field reads and no allocation.
/// </summary>
internal static class Telemetry
{
    public const string RoleClient = "client";
    public const string RoleServer = "server";

    private static readonly string? s_version = typeof(Telemetry).Assembly.GetName().Version?.ToString();
    private static readonly Meter s_meter = new(DBusTelemetry.MeterName, s_version);

    public static readonly ActivitySource Source = new(DBusTelemetry.ActivitySourceName, s_version);

    public static readonly Histogram<double> ClientCallDuration = s_meter.CreateHistogram<double>(
        "rpc.client.call.duration", "s", "Duration of outgoing method calls, from send to reply, error, timeout or cancellation.");

    public static readonly Histogram<double> ServerCallDuration = s_meter.CreateHistogram<double>(
        "rpc.server.call.duration", "s", "Duration of method calls handled by exported objects, from dispatch to reply.");

    private static readonly Counter<long> s_messagesSent = s_meter.CreateCounter<long>("dbus.messages.sent", "{message}", "Messages queued for sending.");
    private static readonly Counter<long> s_messagesReceived = s_meter.CreateCounter<long>("dbus.messages.received", "{message}", "Messages received and dispatched.");
    private static readonly Counter<long> s_bytesSent = s_meter.CreateCounter<long>("dbus.bytes.sent", "By", "Bytes of messages queued for sending.");
    private static readonly Counter<long> s_bytesReceived = s_meter.CreateCounter<long>("dbus.bytes.received", "By", "Bytes of messages received.");
    private static readonly Counter<long> s_signalsDropped = s_meter.CreateCounter<long>("dbus.signal_queue.dropped", "{message}", "Messages dropped because a signal queue was full.");
    private static readonly Counter<long> s_connectionsOpened = s_meter.CreateCounter<long>("dbus.connections.opened", "{connection}", "Connections authenticated and dispatching.");
    private static readonly Counter<long> s_connectionsClosed = s_meter.CreateCounter<long>("dbus.connections.closed", "{connection}", "Connections closed or lost.");
    private static readonly Counter<long> s_connectionsRefused = s_meter.CreateCounter<long>("dbus.connections.refused", "{connection}", "Connections a server closed because a limit was reached (tagged with the limit's option name).");
    private static readonly Counter<long> s_authenticationFailures = s_meter.CreateCounter<long>("dbus.authentication.failures", "{connection}", "Connections whose SASL handshake failed.");

    /// <summary>True when a client call has anything to report to.</summary>
    public static bool ClientCallsObserved => ClientCallDuration.Enabled || Source.HasListeners();

    /// <summary>True when a handler's dispatch has anything to report to.</summary>
    public static bool ServerCallsObserved => ServerCallDuration.Enabled || Source.HasListeners();

    public static void MessageSent(int length)
    {
        if (s_messagesSent.Enabled)
        {
            s_messagesSent.Add(1);
        }
        if (s_bytesSent.Enabled)
        {
            s_bytesSent.Add(length);
        }
    }

    public static void MessageReceived(int length)
    {
        if (s_messagesReceived.Enabled)
        {
            s_messagesReceived.Add(1);
        }
        if (s_bytesReceived.Enabled)
        {
            s_bytesReceived.Add(length);
        }
    }

    public static void SignalDropped()
    {
        if (s_signalsDropped.Enabled)
        {
            s_signalsDropped.Add(1);
        }
    }

    public static void ConnectionOpened(string role)
    {
        if (s_connectionsOpened.Enabled)
        {
            s_connectionsOpened.Add(1, new KeyValuePair<string, object?>("dbus.connection.role", role));
        }
    }

    public static void ConnectionClosed(string role)
    {
        if (s_connectionsClosed.Enabled)
        {
            s_connectionsClosed.Add(1, new KeyValuePair<string, object?>("dbus.connection.role", role));
        }
    }

    public static void AuthenticationFailed(string role)
    {
        if (s_authenticationFailures.Enabled)
        {
            s_authenticationFailures.Add(1, new KeyValuePair<string, object?>("dbus.connection.role", role));
        }
    }

    public static void ConnectionRefused(string limit)
    {
        if (s_connectionsRefused.Enabled)
        {
            s_connectionsRefused.Add(1, new KeyValuePair<string, object?>("dbus.limit", limit));
        }
    }
}
