using DBus;
using DBus.Testing;
using Quickstart;

// Quickstart: serve a generated interface, call it through the generated proxy, watch its signal, read and
// set its property, and list the bus names through the bus daemon's own interface. Uses the session bus when
// there is one, else a private dbus-daemon of its own.
const string ServiceName = "org.dbusgen.Quickstart";
var greeterPath = new ObjectPath("/org/dbusgen/Quickstart/Greeter");

PrivateBus? privateBus = null;
DBusConnection service;
try
{
    service = await DBusConnection.ConnectSessionBusAsync();
    Console.WriteLine("Connected to the session bus.");
}
catch (DBusConnectionException e)
{
    Console.WriteLine($"No session bus ({e.Message}): starting a private dbus-daemon.");
    privateBus = await PrivateBus.StartAsync();
    service = await DBusConnection.ConnectAsync(privateBus.Address);
}

try
{
    // Serve: export the object, then take the well-known name.
    using var export = service.Export(greeterPath, new Greeter(service, greeterPath));
    var owned = await service.RequestNameAsync(ServiceName, RequestNameFlags.DoNotQueue);
    Console.WriteLine($"Service {service.UniqueName}: RequestName({ServiceName}) -> {owned}");

    // Call: a second connection, as another process would have.
    await using var client = privateBus is null
        ? await DBusConnection.ConnectSessionBusAsync()
        : await DBusConnection.ConnectAsync(privateBus.Address);
    var greeter = new GreeterProxy(client, ServiceName, greeterPath);

    var greeted = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
    using (await greeter.WatchGreetedAsync(name => greeted.TrySetResult(name)))
    {
        Console.WriteLine($"Greet(\"world\") -> \"{await greeter.GreetAsync("world")}\"");
        Console.WriteLine($"Signal Greeted(\"{await greeted.Task.WaitAsync(TimeSpan.FromSeconds(10))}\") received");
    }

    // The same signal as a stream: subscribed when the await completes, so a signal sent before the first read is
    // queued, not lost. Dispose the stream to unsubscribe.
    await using (var greetings = await greeter.ReadGreetedAsync())
    {
        await greeter.GreetAsync("stream");
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Console.WriteLine($"Signal Greeted(\"{await greetings.ReceiveAsync(wait.Token)}\") read from the stream");
    }

    // A reply timeout for the proxy's calls (the connection's default is 25 s); WithTimeout returns a copy.
    var impatient = greeter.WithTimeout(TimeSpan.FromSeconds(2));
    Console.WriteLine($"Greet(\"quickly\") with a 2 s timeout -> \"{await impatient.GreetAsync("quickly")}\"");

    Console.WriteLine($"Greeting = \"{await greeter.GetGreetingAsync()}\"");
    await greeter.SetGreetingAsync("Howdy");
    Console.WriteLine($"Greeting set to \"{await greeter.GetGreetingAsync()}\"; Greet(\"again\") -> \"{await greeter.GreetAsync("again")}\"");
    try
    {
        await greeter.SetGreetingAsync(" ");
    }
    catch (DBusException e)
    {
        Console.WriteLine($"Setting a blank greeting is refused: {e.ErrorName}: {e.ErrorMessage}");
    }

    // The bus daemon's own interface, through a proxy generated from its XML.
    var bus = new BusProxy(client, "org.freedesktop.DBus", "/org/freedesktop/DBus");
    string[] names = await bus.ListNamesAsync();
    Console.WriteLine($"ListNames: {names.Length} names, {string.Join(", ", names.Where(n => !n.StartsWith(':')).Order(StringComparer.Ordinal))}");
    Console.WriteLine($"GetNameOwner({ServiceName}) -> {await bus.GetNameOwnerAsync(ServiceName)}");
}
finally
{
    await service.DisposeAsync();
    if (privateBus is not null)
    {
        await privateBus.DisposeAsync();
        Console.WriteLine("Private bus stopped.");
    }
}
