using DBus.Testing;

// Quickstart: use the session bus when there is one, else start a private bus of our own.
string? sessionAddress = Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS");
PrivateBus? privateBus = null;
if (string.IsNullOrEmpty(sessionAddress))
{
    privateBus = await PrivateBus.StartAsync();
    Console.WriteLine($"No session bus: started a private dbus-daemon (pid {privateBus.ProcessId}).");
}
string address = privateBus?.Address ?? sessionAddress!;
Console.WriteLine($"Bus address: {address}");

if (privateBus is not null)
{
    await privateBus.DisposeAsync();
    Console.WriteLine("Private bus stopped.");
}
