using System.Net.Sockets;
using DBus.Transport;

namespace DBus.Runtime.Tests.Transport;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class TransportConnectorTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    [Test]
    public async Task Unix_path_listener_accepts_a_connector_and_removes_its_socket_on_dispose()
    {
        string dir = Directory.CreateTempSubdirectory("dbusgen-tr-").FullName;
        try
        {
            string path = Path.Combine(dir, "s ock");
            string guid = SocketTransportTests.Guid();
            var listener = TransportListener.Create("unix:path=" + DBusAddress.Escape(path), guid);
            Assert.That(listener.ConnectableAddress, Is.EqualTo($"unix:path={DBusAddress.Escape(path)},guid={guid}"));
            Assert.That(File.Exists(path), Is.True);

            await AssertRoundTripAsync(listener);
            listener.Dispose();
            Assert.That(File.Exists(path), Is.False, "the socket file is removed");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public async Task A_stale_socket_file_is_replaced()
    {
        string dir = Directory.CreateTempSubdirectory("dbusgen-tr-").FullName;
        try
        {
            string path = Path.Combine(dir, "stale");
            // A process that bound the socket and died without removing it (.NET's own Socket would delete the file).
            using (var python = System.Diagnostics.Process.Start("/usr/bin/python3",
                ["-c", "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", path]))
            {
                Assert.That(python.WaitForExit(10_000), Is.True);
            }
            Assert.That(File.Exists(path), Is.True);
            using var listener = TransportListener.Create("unix:path=" + path, SocketTransportTests.Guid());
            await AssertRoundTripAsync(listener);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public async Task Unix_abstract_listener_is_connectable()
    {
        string name = "dbusgen-test-" + SocketTransportTests.Guid();
        using var listener = TransportListener.Create("unix:abstract=" + name, SocketTransportTests.Guid());
        Assert.That(listener.ConnectableAddress, Does.StartWith("unix:abstract=" + name + ",guid="));
        await AssertRoundTripAsync(listener);
    }

    [Test]
    public async Task Unix_dir_and_tmpdir_listen_on_a_random_name_inside()
    {
        string dir = Directory.CreateTempSubdirectory("dbusgen-tr-").FullName;
        try
        {
            foreach (string key in new[] { "dir", "tmpdir" })
            {
                using var listener = TransportListener.Create($"unix:{key}={dir}", SocketTransportTests.Guid());
                var address = DBusAddress.Parse(listener.ConnectableAddress);
                string path = address.Properties["path"];
                Assert.That(Path.GetDirectoryName(path), Is.EqualTo(dir));
                Assert.That(File.Exists(path), Is.True);
                await AssertRoundTripAsync(listener);
            }
            Assert.That(Directory.GetFileSystemEntries(dir), Is.Empty, "each listener removed its socket");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public async Task Tcp_port_zero_reports_the_real_port()
    {
        using var listener = TransportListener.Create("tcp:host=127.0.0.1,port=0,family=ipv4", SocketTransportTests.Guid());
        var address = DBusAddress.Parse(listener.ConnectableAddress);
        Assert.That(int.Parse(address.Properties["port"]), Is.GreaterThan(0));
        Assert.That(address.Properties["family"], Is.EqualTo("ipv4"));
        await AssertRoundTripAsync(listener);
    }

    [Test]
    public async Task Tcp_over_ipv6_loopback()
    {
        if (!Socket.OSSupportsIPv6)
        {
            Assert.Ignore("no IPv6 here");
        }
        TransportListener listener;
        try
        {
            listener = TransportListener.Create("tcp:host=%3a%3a1,port=0,family=ipv6", SocketTransportTests.Guid());
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            Assert.Ignore("no IPv6 loopback here");
            return;
        }
        using (listener)
        {
            Assert.That(DBusAddress.Parse(listener.ConnectableAddress).Properties["family"], Is.EqualTo("ipv6"));
            await AssertRoundTripAsync(listener);
        }
    }

    [Test]
    public async Task Nonce_tcp_sends_the_nonce_and_the_listener_drops_clients_without_it()
    {
        using var listener = TransportListener.Create("nonce-tcp:host=127.0.0.1,port=0", SocketTransportTests.Guid());
        var address = DBusAddress.Parse(listener.ConnectableAddress);
        string nonceFile = address.Properties["noncefile"];
        Assert.That(File.ReadAllBytes(nonceFile), Has.Length.EqualTo(16));
        Assert.That(File.GetUnixFileMode(nonceFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));

        // A client with the wrong nonce is dropped; the accept goes on to the next, good one.
        using var impostor = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await impostor.ConnectAsync("127.0.0.1", int.Parse(address.Properties["port"]));
        await impostor.SendAsync(new byte[16]);
        var accept = listener.AcceptAsync(CancellationToken.None).AsTask();

        var impostorRead = impostor.ReceiveAsync(new byte[1].AsMemory()).AsTask();
        Assert.That(await impostorRead.WaitAsync(s_timeout), Is.Zero, "the impostor is disconnected");
        Assert.That(accept.IsCompleted, Is.False);

        using var client = (await TransportConnector.ConnectAsync(listener.ConnectableAddress, CancellationToken.None)).Transport;
        using var server = await accept.WaitAsync(s_timeout);
        await client.SendAsync("after the nonce"u8.ToArray(), ReadOnlyMemory<int>.Empty, CancellationToken.None);
        Assert.That(await ReadTextAsync(server, 15), Is.EqualTo("after the nonce"));

        listener.Dispose();
        Assert.That(File.Exists(nonceFile), Is.False, "the nonce file is removed");
    }

    [Test]
    public async Task Unixexec_talks_over_the_child_s_stdin_and_stdout()
    {
        var connected = await TransportConnector.ConnectAsync("unixexec:path=/bin/cat", CancellationToken.None);
        using var transport = connected.Transport;
        Assert.That(transport.CanPassUnixFds, Is.False);
        Assert.That(transport.PeerCredentials, Is.Null);
        await transport.SendAsync("echoed by cat"u8.ToArray(), ReadOnlyMemory<int>.Empty, CancellationToken.None);
        Assert.That(await ReadTextAsync(transport, 13), Is.EqualTo("echoed by cat"));
        Assert.Throws<InvalidOperationException>(() => transport.SendAsync(new byte[1], new[] { 0 }, CancellationToken.None));

        var pending = transport.ReceiveAsync(new byte[8], new Queue<UnixFd>(), CancellationToken.None).AsTask();
        transport.Shutdown();
        Assert.That(await pending.WaitAsync(s_timeout), Is.Zero);
    }

    [Test]
    public async Task Unixexec_passes_argv1_on()
    {
        using var transport = (await TransportConnector.ConnectAsync(
            "unixexec:path=/bin/sh,argv0=sh,argv1=-c,argv2=" + DBusAddress.Escape("printf 'args: %s' \"$0\""), CancellationToken.None)).Transport;
        // sh -c 'script' puts the next argument in $0; none here, so $0 is sh's own name.
        string text = await ReadTextAsync(transport, 6);
        Assert.That(text, Is.EqualTo("args: "));
    }

    [Test]
    public async Task The_first_entry_that_connects_wins()
    {
        using var listener = TransportListener.Create("unix:abstract=dbusgen-" + SocketTransportTests.Guid(), SocketTransportTests.Guid());
        string list = "unix:path=/nonexistent/dbusgen;" + listener.ConnectableAddress;
        var connected = await TransportConnector.ConnectAsync(list, CancellationToken.None);
        using var transport = connected.Transport;
        Assert.That(connected.Address.ToString(), Is.EqualTo(listener.ConnectableAddress));
        Assert.That(connected.Address.Guid, Is.Not.Null);
        using var server = await listener.AcceptAsync(CancellationToken.None).AsTask().WaitAsync(s_timeout);
    }

    [Test]
    public void Total_failure_lists_every_entry_and_why()
    {
        var ex = Assert.ThrowsAsync<DBusConnectionException>(() => TransportConnector.ConnectAsync(
            "unix:path=/nonexistent/dbusgen;tcp:host=127.0.0.1;autolaunch:;carrier-pigeon:;unix:dir=/tmp;nonce-tcp:host=127.0.0.1,port=1,noncefile=/nonexistent/n",
            CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain("6 D-Bus addresses")
            .And.Contain("unix:path=/nonexistent/dbusgen: ")
            .And.Contain("tcp:host=127.0.0.1: a tcp address needs a 'port' key")
            .And.Contain("autolaunch:: the 'autolaunch' transport is not supported")
            .And.Contain("carrier-pigeon:: unknown transport 'carrier-pigeon'")
            .And.Contain("unix:dir=/tmp: 'dir', 'tmpdir' and 'runtime' are for listening")
            .And.Contain("/nonexistent/n"));
    }

    [Test]
    public void A_malformed_list_is_a_connection_error_naming_the_problem()
    {
        var ex = Assert.ThrowsAsync<DBusConnectionException>(() => TransportConnector.ConnectAsync("unix:path", CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain("has no '='"));
        Assert.That(ex.InnerException, Is.InstanceOf<FormatException>());
    }

    [Test]
    public void A_refused_tcp_port_is_reported()
    {
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
            port = ((System.Net.IPEndPoint)probe.LocalEndPoint!).Port;
        }
        var ex = Assert.ThrowsAsync<DBusConnectionException>(() =>
            TransportConnector.ConnectAsync($"tcp:host=127.0.0.1,port={port}", CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain($"port={port}").And.Contain("refused"));
    }

    [Test]
    public void Listener_rejects_bad_input()
    {
        Assert.Throws<FormatException>(() => TransportListener.Create("unix:abstract=x", "not-a-guid"));
        Assert.Throws<FormatException>(() => TransportListener.Create("unix:", SocketTransportTests.Guid()));
        Assert.Throws<FormatException>(() => TransportListener.Create("unix:path=/a,abstract=b", SocketTransportTests.Guid()));
        Assert.Throws<FormatException>(() => TransportListener.Create("unixexec:path=/bin/cat", SocketTransportTests.Guid()));
        Assert.Throws<FormatException>(() => TransportListener.Create("tcp:port=99999", SocketTransportTests.Guid()));
    }

    private static async Task AssertRoundTripAsync(TransportListener listener)
    {
        var accept = listener.AcceptAsync(CancellationToken.None).AsTask();
        var connected = await TransportConnector.ConnectAsync(listener.ConnectableAddress, CancellationToken.None);
        using var client = connected.Transport;
        using var server = await accept.WaitAsync(s_timeout);
        await client.SendAsync("hello"u8.ToArray(), ReadOnlyMemory<int>.Empty, CancellationToken.None);
        Assert.That(await ReadTextAsync(server, 5), Is.EqualTo("hello"));
        await server.SendAsync("world"u8.ToArray(), ReadOnlyMemory<int>.Empty, CancellationToken.None);
        Assert.That(await ReadTextAsync(client, 5), Is.EqualTo("world"));
    }

    internal static async Task<string> ReadTextAsync(DBusTransport transport, int length)
    {
        var buffer = new byte[length];
        int filled = 0;
        while (filled < length)
        {
            int n = await transport.ReceiveAsync(buffer.AsMemory(filled), new Queue<UnixFd>(), CancellationToken.None).AsTask().WaitAsync(s_timeout);
            if (n == 0)
            {
                break;
            }
            filled += n;
        }
        return System.Text.Encoding.UTF8.GetString(buffer, 0, filled);
    }
}
