using DBus;
using DeviceService;

// A service with properties and an ObjectManager: lamps under /org/dbusgen/Samples/Lamps, each an object with the
// generated Device interface; an ObjectManager at /org/dbusgen/Samples lists them (GetManagedObjects) and announces
// lamps added and removed (InterfacesAdded/InterfacesRemoved). Try it from another terminal:
//   busctl --user tree org.dbusgen.Samples.Lights
//   gdbus call --session -d org.dbusgen.Samples.Lights -o /org/dbusgen/Samples -m org.freedesktop.DBus.ObjectManager.GetManagedObjects
//   busctl --user set-property org.dbusgen.Samples.Lights /org/dbusgen/Samples/Lamps/desk org.dbusgen.Samples.Device Brightness u 80
// Bus address: the first argument, else the session bus. Stops on Enter (or end of input).
const string ServiceName = "org.dbusgen.Samples.Lights";
await using var bus = args.Length > 0 ? await DBusConnection.ConnectAsync(args[0]) : await DBusConnection.ConnectSessionBusAsync();

using var manager = bus.AddObjectManager("/org/dbusgen/Samples");
var lamps = new List<IDisposable>();
foreach (string name in new[] { "desk", "ceiling" })
{
    var path = new ObjectPath($"/org/dbusgen/Samples/Lamps/{name}");
    lamps.Add(bus.Export(path, new Lamp(bus, path, name)));
}
await bus.RequestNameAsync(ServiceName, RequestNameFlags.DoNotQueue);
Console.WriteLine($"Serving {ServiceName} as {bus.UniqueName}: 2 lamps; Enter adds a lamp, 'quit' or end of input stops.");

// Each line adds a lamp (InterfacesAdded is emitted from the manager); "remove" removes the last one.
while (Console.ReadLine() is { } line && line != "quit")
{
    if (line == "remove" && lamps.Count > 0)
    {
        lamps[^1].Dispose();
        lamps.RemoveAt(lamps.Count - 1);
        Console.WriteLine($"Removed a lamp; {lamps.Count} left");
        continue;
    }
    string name = $"lamp{lamps.Count + 1}";
    var path = new ObjectPath($"/org/dbusgen/Samples/Lamps/{name}");
    lamps.Add(bus.Export(path, new Lamp(bus, path, name)));
    Console.WriteLine($"Added {path}");
}
lamps.ForEach(l => l.Dispose());

/// <summary>One lamp: the generated IDeviceHandler's properties and method.</summary>
internal sealed class Lamp(DBusConnection bus, ObjectPath path, string name) : IDeviceHandler
{
    private uint _brightness = 50;
    private uint _lastOn = 50;

    public string GetName() => name;

    public uint GetBrightness() => _brightness;

    public void SetBrightness(uint value)
    {
        if (value > 100)
        {
            throw new DBusException("org.freedesktop.DBus.Error.InvalidArgs", $"brightness is 0 to 100, not {value}");
        }
        _brightness = value;
        Console.WriteLine($"{name}: Brightness = {value}");
        // Properties.Set does not announce the change itself: the handler says which properties changed.
        bus.EmitPropertiesChanged(path, this, "Brightness");
    }

    public ValueTask<bool> ToggleAsync(MethodContext context)
    {
        if (_brightness > 0)
        {
            _lastOn = _brightness;
            SetBrightness(0);
        }
        else
        {
            SetBrightness(_lastOn);
        }
        return new(_brightness > 0);
    }
}
