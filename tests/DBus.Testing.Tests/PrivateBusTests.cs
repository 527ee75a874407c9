using System.Diagnostics;
using System.Net.Sockets;
using DBus.Testing;

namespace DBus.Testing.Tests;

public class PrivateBusTests
{
    [Test]
    public async Task Starts_a_bus_that_accepts_connections_and_leaves_nothing_behind()
    {
        var bus = await PrivateBus.StartAsync(new PrivateBusOptions { ListenOnTcp = true });
        int pid = bus.ProcessId;
        string directory = bus.Directory;
        string socketPath = bus.SocketPath;

        Assert.Multiple(() =>
        {
            Assert.That(bus.UnixAddress, Does.StartWith("unix:path=").And.Contain(",guid="));
            Assert.That(bus.TcpAddress, Does.StartWith("tcp:host=127.0.0.1,").And.Contain("port="));
            Assert.That(File.Exists(socketPath), Is.True, "the bus socket exists while the bus runs");
            Assert.That(ProcessExists(pid), Is.True);
        });

        // The daemon speaks first only after the client's NUL byte and AUTH: a connect plus the
        // reply to "AUTH" proves it is really listening.
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
            await socket.SendAsync("\0AUTH\r\n"u8.ToArray());
            var buffer = new byte[256];
            int n = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.That(System.Text.Encoding.ASCII.GetString(buffer, 0, n), Does.StartWith("REJECTED EXTERNAL"));
        }

        await bus.DisposeAsync();

        Assert.Multiple(() =>
        {
            Assert.That(ProcessExists(pid), Is.False, "the daemon process is gone");
            Assert.That(File.Exists(socketPath), Is.False, "the socket is gone");
            Assert.That(Directory.Exists(directory), Is.False, "the directory is gone");
        });
    }

    [Test]
    public async Task Offers_the_mechanisms_asked_for()
    {
        await using var bus = await PrivateBus.StartAsync(new PrivateBusOptions { AllowAnonymous = true, AllowCookieSha1 = true });
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(bus.SocketPath));
        await socket.SendAsync("\0AUTH\r\n"u8.ToArray());
        var buffer = new byte[256];
        int n = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        string reply = System.Text.Encoding.ASCII.GetString(buffer, 0, n);
        Assert.That(reply, Does.Contain("EXTERNAL").And.Contain("DBUS_COOKIE_SHA1").And.Contain("ANONYMOUS"));
    }

    [Test]
    public async Task A_client_with_default_options_connects_over_tcp()
    {
        // EXTERNAL cannot work over TCP; ListenOnTcp alone must still give a usable address (DBUS_COOKIE_SHA1).
        await using var bus = await PrivateBus.StartAsync(new PrivateBusOptions { ListenOnTcp = true });
        await using var connection = await DBusConnection.ConnectAsync(bus.TcpAddress!);
        string[] names = await connection.ListNamesAsync();
        Assert.That(names, Does.Contain(connection.UniqueName));
    }

    [Test]
    public void A_missing_daemon_is_one_clear_error()
    {
        var ex = Assert.ThrowsAsync<DBusDaemonNotFoundException>(() =>
            PrivateBus.StartAsync(new PrivateBusOptions { DaemonPath = "no-such-dbus-daemon" }));
        Assert.That(ex!.Message, Does.Contain("no-such-dbus-daemon").And.Contain("dbus-daemon"));
    }

    [Test]
    public void A_daemon_that_fails_to_start_reports_its_error_and_leaves_no_directory()
    {
        var before = Directory.GetDirectories(Path.GetTempPath(), "dbusgen-bus-*").ToHashSet();
        // 'false' exits at once without printing an address.
        var ex = Assert.ThrowsAsync<InvalidOperationException>(() =>
            PrivateBus.StartAsync(new PrivateBusOptions { DaemonPath = "/bin/false" }));
        Assert.That(ex!.Message, Does.Contain("exited before printing its address"));
        var after = Directory.GetDirectories(Path.GetTempPath(), "dbusgen-bus-*").ToHashSet();
        Assert.That(after.Except(before), Is.Empty);
    }

    [Test]
    public async Task Kill_drops_the_bus_like_a_crash()
    {
        await using var bus = await PrivateBus.StartAsync();
        bus.Kill();
        Assert.That(bus.IsRunning, Is.False);
    }

    private static bool ProcessExists(int pid)
    {
        // A zombie still has a /proc entry; a reaped process has none.
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
