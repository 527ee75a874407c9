using System.Diagnostics;
using System.Text;
using DBus.Transport;

namespace DBus.Runtime.Tests.Auth;

/// <summary>Our SASL server against scripted clients, against gdbus (as us and as another user) and against our own
/// client.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SaslServerTests
{
    private const string Guid = "fedcba9876543210fedcba9876543210";
    private static readonly uint s_uid = SocketInterop.GetEffectiveUserId();
    private static readonly string s_uidHex = Convert.ToHexStringLower(Encoding.ASCII.GetBytes(s_uid.ToString()));

    [Test]
    public async Task A_bare_AUTH_learns_the_offer_and_unknown_commands_get_ERROR()
    {
        var (serverSide, clientSide) = SocketTransport.CreatePair();
        using var _s = serverSide;
        using var _c = clientSide;
        var client = new ScriptedPeer(clientSide);
        var auth = SaslServer.AuthenticateAsync(serverSide, new SaslServerOptions { Guid = Guid }, CancellationToken.None);

        await client.SendAsync("\0AUTH\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("REJECTED EXTERNAL DBUS_COOKIE_SHA1"), "ANONYMOUS is not offered unless allowed");
        await client.SendAsync("HELLO THERE\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("ERROR"));
        await client.SendAsync("CANCEL\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("ERROR"), "CANCEL means nothing before AUTH");
        await client.SendAsync("NEGOTIATE_UNIX_FD\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("ERROR"), "descriptors are negotiated after OK");
        await client.SendAsync("AUTH ANONYMOUS\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("REJECTED EXTERNAL DBUS_COOKIE_SHA1"));
        await client.SendAsync($"AUTH EXTERNAL {s_uidHex}\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("OK " + Guid));
        await client.SendAsync("BEGIN\r\n");

        var result = await auth.WaitAsync(AuthTestHelpers.Timeout);
        Assert.That(result.Mechanism, Is.EqualTo("EXTERNAL"));
        Assert.That(result.PeerUserId, Is.EqualTo(s_uid));
        Assert.That(result.UnixFdsEnabled, Is.False);
    }

    [Test]
    public async Task EXTERNAL_without_initial_response_is_challenged_and_a_false_uid_is_rejected()
    {
        var (serverSide, clientSide) = SocketTransport.CreatePair();
        using var _s = serverSide;
        using var _c = clientSide;
        var client = new ScriptedPeer(clientSide);
        var auth = SaslServer.AuthenticateAsync(serverSide, new SaslServerOptions { Guid = Guid }, CancellationToken.None);

        string otherUidHex = Convert.ToHexStringLower(Encoding.ASCII.GetBytes((s_uid + 1).ToString()));
        await client.SendAsync($"\0AUTH EXTERNAL {otherUidHex}\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("REJECTED"), "the uid claimed is not the socket's");
        await client.SendAsync("AUTH EXTERNAL\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("DATA"));
        await client.SendAsync("DATA\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("OK " + Guid));
        await client.SendAsync("BEGIN\r\n");
        Assert.That((await auth.WaitAsync(AuthTestHelpers.Timeout)).PeerUserId, Is.EqualTo(s_uid));
    }

    [Test]
    public async Task CANCEL_and_ERROR_after_OK_start_over()
    {
        var (serverSide, clientSide) = SocketTransport.CreatePair();
        using var _s = serverSide;
        using var _c = clientSide;
        var client = new ScriptedPeer(clientSide);
        var auth = SaslServer.AuthenticateAsync(serverSide, new SaslServerOptions { Guid = Guid, AllowAnonymous = true }, CancellationToken.None);

        await client.SendAsync($"\0AUTH EXTERNAL {s_uidHex}\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("OK " + Guid));
        await client.SendAsync("CANCEL\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("REJECTED EXTERNAL DBUS_COOKIE_SHA1 ANONYMOUS"));
        await client.SendAsync("BEGIN\r\n");
        var ex = Assert.ThrowsAsync<DBusAuthenticationException>(() => auth.WaitAsync(AuthTestHelpers.Timeout));
        Assert.That(ex!.Message, Does.Contain("BEGIN before authenticating"));
    }

    [Test]
    public async Task Failed_attempts_are_bounded()
    {
        var (serverSide, clientSide) = SocketTransport.CreatePair();
        using var _s = serverSide;
        using var _c = clientSide;
        var client = new ScriptedPeer(clientSide);
        var auth = SaslServer.AuthenticateAsync(serverSide, new SaslServerOptions { Guid = Guid }, CancellationToken.None);
        await client.SendAsync("\0");
        for (int i = 0; i < SaslServer.MaxFailures - 1; i++)
        {
            await client.SendAsync("AUTH PLAIN AAAA\r\n");
            Assert.That(await client.ReadLineAsync(), Does.StartWith("REJECTED"));
        }
        await client.SendAsync("AUTH PLAIN AAAA\r\n");
        var ex = Assert.ThrowsAsync<DBusAuthenticationException>(() => auth.WaitAsync(AuthTestHelpers.Timeout));
        Assert.That(ex!.Message, Does.Contain($"failed to authenticate {SaslServer.MaxFailures} times").And.Contain("PLAIN: not offered"));
    }

    [Test]
    public async Task A_client_without_the_NUL_byte_a_stalling_client_and_an_endless_line_are_dropped()
    {
        var (s1, c1) = SocketTransport.CreatePair();
        using (s1)
        using (c1)
        {
            var auth = SaslServer.AuthenticateAsync(s1, new SaslServerOptions { Guid = Guid }, CancellationToken.None);
            await new ScriptedPeer(c1).SendAsync("GET / HTTP/1.1\r\n");
            var ex = Assert.ThrowsAsync<DBusAuthenticationException>(() => auth.WaitAsync(AuthTestHelpers.Timeout));
            Assert.That(ex!.Message, Does.Contain("NUL byte but with 0x47"));
        }
        var (s2, c2) = SocketTransport.CreatePair();
        using (s2)
        using (c2)
        {
            var auth = SaslServer.AuthenticateAsync(s2, new SaslServerOptions { Guid = Guid, Timeout = TimeSpan.FromMilliseconds(200) }, CancellationToken.None);
            await new ScriptedPeer(c2).SendAsync("\0AUTH");
            var ex = Assert.ThrowsAsync<DBusAuthenticationException>(() => auth.WaitAsync(AuthTestHelpers.Timeout));
            Assert.That(ex!.Message, Does.Contain("did not finish authenticating within 0.2 s").And.Contain("waiting for AUTH"));
        }
        var (s3, c3) = SocketTransport.CreatePair();
        using (s3)
        using (c3)
        {
            var auth = SaslServer.AuthenticateAsync(s3, new SaslServerOptions { Guid = Guid, MaxLineLength = 256 }, CancellationToken.None);
            _ = new ScriptedPeer(c3).SendAsync("\0" + new string('A', 10_000));
            var ex = Assert.ThrowsAsync<DBusAuthenticationException>(() => auth.WaitAsync(AuthTestHelpers.Timeout));
            Assert.That(ex!.Message, Does.Contain("line longer than 256 bytes"));
        }
    }

    [Test]
    public async Task Our_client_and_server_over_a_socket_pair_with_a_pipelined_message_carrying_a_descriptor()
    {
        var (serverSide, clientSide) = SocketTransport.CreatePair();
        using var _s = serverSide;
        using var _c = clientSide;
        var serverAuth = SaslServer.AuthenticateAsync(serverSide, new SaslServerOptions { Guid = Guid, UnixFdsSupported = true }, CancellationToken.None);
        var clientAuth = await SaslClient.AuthenticateAsync(clientSide, new SaslClientOptions { NegotiateUnixFds = true, ExpectedGuid = Guid }, CancellationToken.None)
            .WaitAsync(AuthTestHelpers.Timeout);
        Assert.That(clientAuth.UnixFdsEnabled, Is.True);

        // Right behind BEGIN, before the server has even returned: a message with a descriptor.
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        Message call;
        {
            var writer = MessageWriter.CreateMethodCall(null, new ObjectPath("/x"), "org.example.X", "TakeFd", new Signature("h"));
            writer.WriteUnixFd(pipe.ClientSafePipeHandle);
            call = writer.ToMessage();
        }
        using (call)
        {
            call.SetSerial(7);
            int[] fds = [.. call.UnixFds.ToArray().Select(f => f!.DangerousGetDescriptor())];
            await clientSide.SendAsync(call.Bytes, fds, CancellationToken.None);
        }

        var result = await serverAuth.WaitAsync(AuthTestHelpers.Timeout);
        Assert.That(result.UnixFdsEnabled, Is.True);
        Assert.That(serverSide.UnixFdsEnabled, Is.True);
        using Message received = await AuthTestHelpers.ReadMessageAsync(serverSide, result.ReadAhead, result.ReadAheadFds);
        Assert.That(received.Member, Is.EqualTo("TakeFd"));
        Assert.That(received.Serial, Is.EqualTo(7u));
        Assert.That(received.UnixFdCount, Is.EqualTo(1));
        Assert.That(received.UnixFds[0], Is.Not.Null, "the descriptor arrived with the pipelined message");
    }

    [Test]
    public async Task A_client_that_pipelines_everything_before_the_server_reads_loses_no_byte_and_no_descriptor()
    {
        var (serverSide, clientSide) = SocketTransport.CreatePair();
        using var _s = serverSide;
        using var _c = clientSide;
        // Like sd-bus: the whole handshake and the first message go out before any reply is read; here all of it
        // waits in the socket before the server starts, so the server's first read takes the descriptor's bytes too.
        await clientSide.SendAsync(Encoding.ASCII.GetBytes($"\0AUTH EXTERNAL {s_uidHex}\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\n"), ReadOnlyMemory<int>.Empty, CancellationToken.None);
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        await clientSide.SendAsync("MESSAGE"u8.ToArray(), new[] { (int)pipe.ClientSafePipeHandle.DangerousGetHandle() }, CancellationToken.None);

        var result = await SaslServer.AuthenticateAsync(serverSide, new SaslServerOptions { Guid = Guid, UnixFdsSupported = true }, CancellationToken.None)
            .WaitAsync(AuthTestHelpers.Timeout);
        Assert.That(result.UnixFdsEnabled, Is.True);
        Assert.That(Encoding.ASCII.GetString(result.ReadAhead.Span), Is.EqualTo("MESSAGE"));
        Assert.That(result.ReadAheadFds, Has.Count.EqualTo(1));
        result.ReadAheadFds.Dequeue().Dispose();
        var replies = new ScriptedPeer(clientSide);
        Assert.That(await replies.ReadLineAsync(), Is.EqualTo("OK " + Guid));
        Assert.That(await replies.ReadLineAsync(), Is.EqualTo("AGREE_UNIX_FD"));
    }

    [Test]
    public async Task Descriptors_from_a_client_that_did_not_negotiate_are_dropped()
    {
        var (serverSide, clientSide) = SocketTransport.CreatePair();
        using var _s = serverSide;
        using var _c = clientSide;
        await clientSide.SendAsync(Encoding.ASCII.GetBytes($"\0AUTH EXTERNAL {s_uidHex}\r\nBEGIN\r\n"), ReadOnlyMemory<int>.Empty, CancellationToken.None);
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        await clientSide.SendAsync("MESSAGE"u8.ToArray(), new[] { (int)pipe.ClientSafePipeHandle.DangerousGetHandle() }, CancellationToken.None);

        var result = await SaslServer.AuthenticateAsync(serverSide, new SaslServerOptions { Guid = Guid, UnixFdsSupported = true }, CancellationToken.None)
            .WaitAsync(AuthTestHelpers.Timeout);
        Assert.That(result.UnixFdsEnabled, Is.False);
        Assert.That(serverSide.UnixFdsEnabled, Is.False, "back on the plain path");
        Assert.That(result.ReadAheadFds, Is.Empty);
        Assert.That(Encoding.ASCII.GetString(result.ReadAhead.Span), Is.EqualTo("MESSAGE"));
    }

    [Test]
    public async Task Anonymous_is_refused_unless_allowed()
    {
        foreach (bool allowed in new[] { false, true })
        {
            var (serverSide, clientSide) = SocketTransport.CreatePair();
            using var _s = serverSide;
            using var _c = clientSide;
            var serverAuth = SaslServer.AuthenticateAsync(serverSide, new SaslServerOptions { Guid = Guid, AllowAnonymous = allowed }, CancellationToken.None);
            var clientAuth = SaslClient.AuthenticateAsync(clientSide, new SaslClientOptions { Mechanisms = ["ANONYMOUS"] }, CancellationToken.None);
            if (allowed)
            {
                var result = await serverAuth.WaitAsync(AuthTestHelpers.Timeout);
                Assert.That(result.Mechanism, Is.EqualTo("ANONYMOUS"));
                Assert.That(result.PeerUserId, Is.Null);
                await clientAuth.WaitAsync(AuthTestHelpers.Timeout);
            }
            else
            {
                var clientError = Assert.ThrowsAsync<DBusAuthenticationException>(() => clientAuth.WaitAsync(AuthTestHelpers.Timeout));
                Assert.That(clientError!.Message, Does.Contain("offers EXTERNAL, DBUS_COOKIE_SHA1").And.Contain("ANONYMOUS (rejected)"));
                clientSide.Dispose();
                var serverError = Assert.ThrowsAsync<DBusAuthenticationException>(() => serverAuth.WaitAsync(AuthTestHelpers.Timeout));
                Assert.That(serverError!.Message, Does.Contain("ANONYMOUS: not offered"));
            }
        }
    }

    [Test]
    public async Task Cookie_sha1_client_against_server_with_a_private_keyring()
    {
        string keyring = Path.Combine(Directory.CreateTempSubdirectory("dbusgen-cookie-").FullName, "keyrings");
        try
        {
            string? firstCookies = null;
            for (int i = 0; i < 2; i++)
            {
                using var listener = TransportListener.Create("tcp:host=127.0.0.1,port=0", Guid);
                var accept = listener.AcceptAsync(CancellationToken.None).AsTask();
                var connected = await TransportConnector.ConnectAsync(listener.ConnectableAddress, CancellationToken.None);
                using var client = connected.Transport;
                using var server = await accept.WaitAsync(AuthTestHelpers.Timeout);

                var serverAuth = SaslServer.AuthenticateAsync(server, new SaslServerOptions { Guid = Guid, KeyringDirectory = keyring }, CancellationToken.None);
                var clientResult = await SaslClient.AuthenticateAsync(client, new SaslClientOptions { KeyringDirectory = keyring, ExpectedGuid = connected.Address.Guid }, CancellationToken.None)
                    .WaitAsync(AuthTestHelpers.Timeout);
                var serverResult = await serverAuth.WaitAsync(AuthTestHelpers.Timeout);

                Assert.That(clientResult.Mechanism, Is.EqualTo("DBUS_COOKIE_SHA1"), "EXTERNAL is not offered over TCP");
                Assert.That(serverResult.Mechanism, Is.EqualTo("DBUS_COOKIE_SHA1"));
                Assert.That(serverResult.PeerUserId, Is.EqualTo(s_uid));

                string file = Path.Combine(keyring, "org_freedesktop_general");
                Assert.That(File.GetUnixFileMode(keyring), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
                Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
                Assert.That(File.Exists(file + ".lock"), Is.False, "the lock is released");
                string cookies = File.ReadAllText(file);
                Assert.That(cookies, Does.Match(@"^\d+ \d+ [0-9a-f]{48}\n$"));
                firstCookies ??= cookies;
                Assert.That(cookies, Is.EqualTo(firstCookies), "a young cookie is reused, not replaced");
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(keyring)!, recursive: true);
        }
    }

    [Test]
    public async Task Expired_cookies_are_dropped_and_a_new_one_made()
    {
        string keyring = Directory.CreateTempSubdirectory("dbusgen-cookie-").FullName;
        try
        {
            long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            string file = Path.Combine(keyring, "org_freedesktop_general");
            File.WriteAllText(file, $"1 {now - 3600} {new string('a', 48)}\n2 {now + 3600} {new string('b', 48)}\nnot a cookie\n");
            var cookie = await DBus.Auth.CookieKeyring.GetOrCreateAsync(keyring, "org_freedesktop_general", CancellationToken.None);
            Assert.That(cookie.Id, Is.Not.EqualTo(1).And.Not.EqualTo(2));
            var kept = DBus.Auth.CookieKeyring.Parse(File.ReadAllText(file));
            Assert.That(kept.Select(c => c.Id), Is.EqualTo(new[] { cookie.Id }), "the old and the future cookie are gone");
        }
        finally
        {
            Directory.Delete(keyring, recursive: true);
        }
    }

    [Test]
    public async Task Gdbus_authenticates_and_its_first_message_arrives()
    {
        string name = "dbusgen-gdbus-" + System.Guid.NewGuid().ToString("N");
        using var listener = TransportListener.Create("unix:abstract=" + name, Guid);
        var accept = listener.AcceptAsync(CancellationToken.None).AsTask();
        using var gdbus = StartGdbus(listener.ConnectableAddress, asNobody: false);
        try
        {
            using var server = await accept.WaitAsync(AuthTestHelpers.Timeout);
            var result = await SaslServer.AuthenticateAsync(server, new SaslServerOptions { Guid = Guid, UnixFdsSupported = true }, CancellationToken.None)
                .WaitAsync(AuthTestHelpers.Timeout);
            Assert.That(result.Mechanism, Is.EqualTo("EXTERNAL"));
            Assert.That(result.PeerUserId, Is.EqualTo(s_uid));
            Assert.That(result.UnixFdsEnabled, Is.True, "gdbus negotiates descriptors on a unix socket");

            using Message call = await AuthTestHelpers.ReadMessageAsync(server, result.ReadAhead, result.ReadAheadFds);
            Assert.That(call.Type, Is.EqualTo(MessageType.MethodCall));
            // gdbus --address treats the peer as a bus: its first message is Hello.
            Assert.That(call.Interface, Is.EqualTo("org.freedesktop.DBus"));
            Assert.That(call.Member, Is.EqualTo("Hello"));
        }
        finally
        {
            Stop(gdbus);
        }
    }

    [Test]
    public async Task A_client_of_another_uid_is_refused()
    {
        string name = "dbusgen-gdbus-" + System.Guid.NewGuid().ToString("N");
        string keyring = Directory.CreateTempSubdirectory("dbusgen-cookie-").FullName;
        using var listener = TransportListener.Create("unix:abstract=" + name, Guid);
        var accept = listener.AcceptAsync(CancellationToken.None).AsTask();
        using var gdbus = StartGdbus(listener.ConnectableAddress, asNobody: true);
        try
        {
            using var server = await accept.WaitAsync(AuthTestHelpers.Timeout);
            Assert.That(server.PeerCredentials!.Value.UserId, Is.EqualTo(65534u));
            var ex = Assert.ThrowsAsync<DBusAuthenticationException>(() =>
                SaslServer.AuthenticateAsync(server, new SaslServerOptions { Guid = Guid, KeyringDirectory = keyring }, CancellationToken.None)
                    .WaitAsync(AuthTestHelpers.Timeout));
            Assert.That(ex!.Message, Does.Contain("EXTERNAL: uid 65534 is not allowed"));
            Assert.That(gdbus.WaitForExit(10_000), Is.True);
            Assert.That(gdbus.ExitCode, Is.Not.Zero);
        }
        finally
        {
            Stop(gdbus);
            Directory.Delete(keyring, recursive: true);
        }
    }

    private static Process StartGdbus(string address, bool asNobody)
    {
        var start = new ProcessStartInfo(asNobody ? "setpriv" : "gdbus")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asNobody)
        {
            foreach (string a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "gdbus" })
            {
                start.ArgumentList.Add(a);
            }
        }
        foreach (string a in new[] { "call", "--address", address, "--object-path", "/", "--method", "org.freedesktop.DBus.Peer.Ping", "--timeout", "10" })
        {
            start.ArgumentList.Add(a);
        }
        var process = Process.Start(start)!;
        process.StandardOutput.ReadToEndAsync();
        process.StandardError.ReadToEndAsync();
        return process;
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit(5000);
        }
    }
}
