namespace DBus.Runtime.Tests.Bus;

[TestFixture]
[NonParallelizable]
public class SessionBusTests
{
    [Test]
    public void A_missing_session_bus_is_one_error_naming_what_was_tried()
    {
        string? address = Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS");
        string? runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        var directory = Directory.CreateTempSubdirectory("dbusgen-runtime-");
        try
        {
            Environment.SetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS", null);
            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", directory.FullName);
            var e = Assert.ThrowsAsync<DBusConnectionException>(() => DBusConnection.ConnectSessionBusAsync());
            Assert.That(e!.Message, Does.Contain("DBUS_SESSION_BUS_ADDRESS").And.Contain(Path.Combine(directory.FullName, "bus")));

            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", null);
            e = Assert.ThrowsAsync<DBusConnectionException>(() => DBusConnection.ConnectSessionBusAsync());
            Assert.That(e!.Message, Does.Contain("XDG_RUNTIME_DIR is not set"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS", address);
            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", runtime);
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public void An_unreachable_system_bus_names_the_address()
    {
        string? address = Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS");
        try
        {
            Environment.SetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/dbusgen/system_bus_socket");
            var e = Assert.CatchAsync<DBusConnectionException>(() => DBusConnection.ConnectSystemBusAsync());
            Assert.That(e!.Message, Does.Contain("/nonexistent/dbusgen/system_bus_socket"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS", address);
        }
    }
}
