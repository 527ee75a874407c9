using DBusGen.Tests.Shared;
using System.Net.Sockets;
using DBus.Testing;

namespace DBus.Runtime.Tests.Bus;

/// <summary>A client keyring directory for DBUS_COOKIE_SHA1, and a received descriptor that is not a socket.</summary>
[TestFixture]
[NonParallelizable]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class KeyringAndDescriptorTests
{
    private static string NewKeyringDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("dbusgen-keyring-");
        File.SetUnixFileMode(directory.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return directory.FullName;
    }

    private static DBusConnectionOptions CookieOnly(string? keyring) => new()
    {
        IsBus = false,
        AuthenticationMechanisms = ["DBUS_COOKIE_SHA1"],
        KeyringDirectory = keyring,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    private static async Task PingAsync(DBusConnection connection) =>
        await connection.CallAsync(MessageWriter.CreateMethodCall(null, "/", "org.freedesktop.DBus.Peer", "Ping").ToMessage(), static _ => 0);

    [Test]
    public async Task A_gdbus_server_with_its_own_keyring_directory_is_reachable_with_the_option_and_not_without()
    {
        string keyring = NewKeyringDirectory();
        try
        {
            await using var server = await PythonPeer.StartAsync("gdbus_cookie_server.py",
                new Dictionary<string, string> { ["G_DBUS_COOKIE_SHA1_KEYRING_DIR"] = keyring });
            await using (var connection = await DBusConnection.ConnectAsync(server.Ready, CookieOnly(keyring)))
            {
                await PingAsync(connection);
            }
            Assert.That(Directory.GetFiles(keyring).Select(Path.GetFileName), Does.Contain("org_gtk_gdbus_general"));

            var e = Assert.CatchAsync<DBusConnectionException>(() => DBusConnection.ConnectAsync(server.Ready, CookieOnly(Path.Combine(keyring, "elsewhere"))));
            Assert.That(e!.Message, Does.Contain("elsewhere"), "the failure names the keyring directory it looked in");
        }
        finally
        {
            Directory.Delete(keyring, recursive: true);
        }
    }

    [Test]
    public async Task Our_server_with_its_own_keyring_directory_is_reachable_from_our_client()
    {
        string keyring = NewKeyringDirectory();
        try
        {
            await using var server = DBusServer.Listen("tcp:host=127.0.0.1,port=0", new DBusServerOptions { KeyringDirectory = keyring });
            await using var connection = await DBusConnection.ConnectAsync(server.Address, CookieOnly(keyring));
            await PingAsync(connection);
        }
        finally
        {
            Directory.Delete(keyring, recursive: true);
        }
    }

    [Test]
    public async Task A_pipe_from_dbus_python_does_not_become_a_socket_but_stays_usable()
    {
        await using var bus = await PrivateBus.StartAsync();
        await using var service = await PythonService.StartAsync(bus.Address);
        await using var connection = await DBusConnection.ConnectAsync(bus.Address, new DBusConnectionOptions { EnableFds = true });
        var call = MessageWriter.CreateMethodCall(PythonService.DefaultName, PythonService.ObjectPath, PythonService.Interface, "MakePipe", "s");
        call.WriteString("still a pipe");
        using var fd = await connection.CallAsync(call.ToMessage(), static reply => reply.GetBodyReader().ReadUnixFd());

        var e = Assert.Throws<SocketException>(() => fd.ToSocket());
        Assert.That(e!.SocketErrorCode, Is.EqualTo(SocketError.NotSocket));
        Assert.That(e.Message, Does.Contain("not a socket (ENOTSOCK)"));
        using var stream = fd.ToStream(FileAccess.Read);
        using var reader = new StreamReader(stream);
        Assert.That(await reader.ReadToEndAsync(), Is.EqualTo("still a pipe"), "the descriptor is still ours after the refusal");

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var asSocket = UnixFd.Duplicate(socket.SafeHandle).ToSocket();
        Assert.That(asSocket.AddressFamily, Is.EqualTo(AddressFamily.Unix), "a socket still converts");
    }
}
