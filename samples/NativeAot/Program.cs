using DBus;
using NativeAot;

// NativeAOT: `dotnet publish -c Release -r linux-x64` gives bin/Release/net10.0/linux-x64/publish/NativeAot, a native
// binary with no .NET install needed. It serves a generated interface and calls it back through the bus, with
// variants both ways. Bus address: the first argument, else the session bus.
await using var connection = args.Length > 0
    ? await DBusConnection.ConnectAsync(args[0])
    : await DBusConnection.ConnectSessionBusAsync();

var bus = new BusProxy(connection, "org.freedesktop.DBus", "/org/freedesktop/DBus");
Console.WriteLine($"Connected to bus {await bus.GetIdAsync()} as {connection.UniqueName}");

var path = new ObjectPath("/org/dbusgen/Samples/Settings");
using var export = connection.Export(path, new SettingsStore());
var settings = new SettingsProxy(connection, connection.UniqueName!, path);
await settings.SetAsync("volume", new Variant(0.75));
await settings.SetAsync("muted", new Variant(false));
await settings.SetAsync("device", new Variant("speakers"));
foreach (var (key, value) in (await settings.SnapshotAsync()).OrderBy(s => s.Key, StringComparer.Ordinal))
{
    Console.WriteLine($"{key} = {value}");
}
Console.WriteLine($"Count = {await settings.GetCountAsync()}");
Console.WriteLine($"Names on the bus: {(await bus.ListNamesAsync()).Length}");

internal sealed class SettingsStore : ISettingsHandler
{
    private readonly Dictionary<string, Variant> _values = [];

    public ValueTask SetAsync(string key, Variant value, MethodContext context)
    {
        lock (_values)
        {
            _values[key] = value;
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<Dictionary<string, Variant>> SnapshotAsync(MethodContext context)
    {
        lock (_values)
        {
            return new(new Dictionary<string, Variant>(_values));
        }
    }

    public uint GetCount()
    {
        lock (_values)
        {
            return (uint)_values.Count;
        }
    }
}
