namespace DBus.Tool.Monitoring;

/// <summary>Microseconds since the Unix epoch: the clock of pcapng's default timestamps and of busctl's JSON.</summary>
internal static class UnixTime
{
    public static long Microseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
}
