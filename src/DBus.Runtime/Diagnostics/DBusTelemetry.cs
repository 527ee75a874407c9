namespace DBus;

/// <summary>
/// The names under which DBusGen publishes its metrics (a <see cref="System.Diagnostics.Metrics.Meter"/>) and traces
/// (an <see cref="System.Diagnostics.ActivitySource"/>), following OpenTelemetry's RPC conventions
/// (<c>rpc.system</c> = <c>dbus</c>, <c>rpc.service</c> = interface, <c>rpc.method</c> = member, <c>error.type</c> =
/// the D-Bus error name). Nothing is measured or allocated for them until a listener subscribes. See
/// docs/observability.md for the instruments and how to export them.
/// </summary>
public static class DBusTelemetry
{
    /// <summary>The name of the meter: pass it to OpenTelemetry's <c>AddMeter</c> or enable it in a
    /// <see cref="System.Diagnostics.Metrics.MeterListener"/>.</summary>
    public const string MeterName = "DBusGen";

    /// <summary>The name of the activity source: pass it to OpenTelemetry's <c>AddSource</c> or accept it in an
    /// <see cref="System.Diagnostics.ActivityListener"/>.</summary>
    public const string ActivitySourceName = "DBusGen";
}
