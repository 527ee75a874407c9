using DBus;
using Notifications;

// Sends a desktop notification, in blocking style: no async anywhere. The generated NotificationsMessages builds
// each call, the connection's blocking Call sends it and waits for the reply, and the generated reader reads it
// (Jeepney's blocking integration, or dbus-python's call_blocking). Usage: Notifications [summary [body]]
string summary = args.Length > 0 ? args[0] : "Hello from DBusGen";
string body = args.Length > 1 ? args[1] : "Sent with a blocking call.";

using var bus = DBusConnection.ConnectSessionBus();
var notifications = new NotificationsMessages("org.freedesktop.Notifications", "/org/freedesktop/Notifications");

using (var reply = bus.Call(notifications.GetServerInformation()))
{
    var server = NotificationsMessages.ReadGetServerInformationReply(reply);
    Console.WriteLine($"Notification server: {server.Name} {server.Version} by {server.Vendor} (spec {server.SpecVersion})");
}

var hints = new Dictionary<string, Variant> { ["urgency"] = new Variant((byte)1) };
using (var reply = bus.Call(notifications.Notify("dbusgen-sample", 0, "dialog-information", summary, body, [], hints, 5000),
    TimeSpan.FromSeconds(5)))
{
    Console.WriteLine($"Notification sent: id {NotificationsMessages.ReadNotifyReply(reply)}");
}
