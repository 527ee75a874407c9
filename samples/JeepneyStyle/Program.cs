using DBus;
using JeepneyStyle;

// Jeepney's model in C#: a message generator builds calls without doing any I/O, a raw MessageStream sends them and
// hands back every incoming message, and the generator's static readers turn a reply into typed values. Nothing is
// routed for you: this program matches replies to calls by serial itself. Bus address: the first argument, else
// the session bus.
string address = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS")
    ?? throw new InvalidOperationException("no bus address: pass one, or set DBUS_SESSION_BUS_ADDRESS");

// Connects and authenticates; unlike DBusConnection it says no Hello by itself (Jeepney's open_dbus_connection does).
await using var stream = await MessageStream.ConnectAsync(address);
var bus = new BusMessages("org.freedesktop.DBus", "/org/freedesktop/DBus");

string uniqueName = await CallAsync(bus.Hello(), BusMessages.ReadHelloReply);
Console.WriteLine($"Hello -> {uniqueName}");
Console.WriteLine($"GetId -> {await CallAsync(bus.GetId(), BusMessages.ReadGetIdReply)}");
Console.WriteLine($"GetNameOwner(org.freedesktop.DBus) -> {await CallAsync(bus.GetNameOwner("org.freedesktop.DBus"), BusMessages.ReadGetNameOwnerReply)}");
string[] names = await CallAsync(bus.ListNames(), BusMessages.ReadListNamesReply);
Console.WriteLine($"ListNames -> {names.Length} names, including mine: {names.Contains(uniqueName)}");

// Sends one call and reads messages until its reply comes; anything else (NameAcquired, say) is shown and dropped.
async Task<T> CallAsync<T>(Message call, ReplyReader<T> read)
{
    uint serial;
    using (call)
    {
        serial = await stream.SendAsync(call);
    }
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
    while (true)
    {
        using Message message = await stream.ReceiveAsync(timeout.Token);
        if (message.ReplySerial == serial)
        {
            return read(message);   // an error reply is thrown as a DBusException by the generated reader
        }
        Console.WriteLine($"  (not our reply: {message.Type} {message.Interface}.{message.Member})");
    }
}
