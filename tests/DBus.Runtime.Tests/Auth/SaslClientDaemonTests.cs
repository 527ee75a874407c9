using DBus.Testing;

namespace DBus.Runtime.Tests.Auth;

/// <summary>Our SASL client against a real dbus-daemon offering EXTERNAL, DBUS_COOKIE_SHA1 and ANONYMOUS, on a unix
/// socket and on TCP.</summary>
[NonParallelizable]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SaslClientDaemonTests
{
    private PrivateBus _bus = null!;
    private string _home = null!;

    private string KeyringDirectory => Path.Combine(_home, ".dbus-keyrings");

    [OneTimeSetUp]
    public async Task StartBus()
    {
        // dbus-daemon keeps its cookies in $HOME/.dbus-keyrings: give it a home of the test's own (libdbus reads HOME
        // for the current user), so nothing lands in the real one and the client can be pointed at the same place.
        _home = Directory.CreateTempSubdirectory("dbusgen-home-").FullName;
        string? savedHome = Environment.GetEnvironmentVariable("HOME");
        Environment.SetEnvironmentVariable("HOME", _home);
        try
        {
            _bus = await PrivateBus.StartAsync(new PrivateBusOptions { AllowAnonymous = true, AllowCookieSha1 = true, ListenOnTcp = true });
        }
        finally
        {
            Environment.SetEnvironmentVariable("HOME", savedHome);
        }
    }

    [OneTimeTearDown]
    public void StopBus()
    {
        _bus?.Dispose();
        Directory.Delete(_home, recursive: true);
    }

    [Test]
    public async Task External_on_the_unix_socket_with_descriptors_then_Hello()
    {
        var connected = await TransportConnector.ConnectAsync(_bus.UnixAddress, CancellationToken.None);
        using var transport = connected.Transport;
        var auth = await SaslClient.AuthenticateAsync(transport, new SaslClientOptions
        {
            NegotiateUnixFds = true,
            ExpectedGuid = connected.Address.Guid,
        }, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(auth.Mechanism, Is.EqualTo("EXTERNAL"));
            Assert.That(auth.Guid, Is.EqualTo(connected.Address.Guid));
            Assert.That(auth.UnixFdsEnabled, Is.True);
            Assert.That(transport.UnixFdsEnabled, Is.True);
            Assert.That(auth.PeerUserId, Is.EqualTo(0u), "the daemon runs as root, like the tests");
            Assert.That(auth.ReadAhead.Length, Is.Zero);
        });
        Assert.That(await AuthTestHelpers.HelloAsync(transport, auth), Does.Match(@"^:1\.\d+$"));
    }

    [Test]
    public async Task Anonymous_over_tcp_then_Hello()
    {
        var connected = await TransportConnector.ConnectAsync(_bus.TcpAddress!, CancellationToken.None);
        using var transport = connected.Transport;
        var auth = await SaslClient.AuthenticateAsync(transport, new SaslClientOptions { Mechanisms = ["ANONYMOUS"] }, CancellationToken.None);
        Assert.That(auth.Mechanism, Is.EqualTo("ANONYMOUS"));
        Assert.That(auth.PeerUserId, Is.Null);
        Assert.That(await AuthTestHelpers.HelloAsync(transport, auth), Does.Match(@"^:1\.\d+$"));
    }

    [Test]
    public async Task Cookie_sha1_over_tcp_after_external_is_rejected_then_Hello()
    {
        var connected = await TransportConnector.ConnectAsync(_bus.TcpAddress!, CancellationToken.None);
        using var transport = connected.Transport;
        var auth = await SaslClient.AuthenticateAsync(transport, new SaslClientOptions
        {
            Mechanisms = ["EXTERNAL", "DBUS_COOKIE_SHA1"],
            KeyringDirectory = KeyringDirectory,
            ExpectedGuid = connected.Address.Guid,
        }, CancellationToken.None);
        Assert.That(auth.Mechanism, Is.EqualTo("DBUS_COOKIE_SHA1"));
        Assert.That(Directory.GetFiles(KeyringDirectory).Select(Path.GetFileName), Does.Contain("org_freedesktop_general"),
            "the daemon wrote its cookie where the test pointed it");
        Assert.That(await AuthTestHelpers.HelloAsync(transport, auth), Does.Match(@"^:1\.\d+$"));
    }

    [Test]
    public async Task Descriptors_over_tcp_are_refused_before_anything_is_sent()
    {
        var connected = await TransportConnector.ConnectAsync(_bus.TcpAddress!, CancellationToken.None);
        using var transport = connected.Transport;
        var ex = Assert.ThrowsAsync<DBusFdNegotiationException>(() => SaslClient.AuthenticateAsync(transport,
            new SaslClientOptions { Mechanisms = ["ANONYMOUS"], NegotiateUnixFds = true }, CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain("cannot carry them"));
    }

    [Test]
    public async Task A_cookie_missing_from_our_keyring_falls_back_to_the_next_mechanism_and_is_reported_if_none_is_left()
    {
        string emptyKeyring = Directory.CreateTempSubdirectory("dbusgen-keyring-").FullName;
        try
        {
            var connected = await TransportConnector.ConnectAsync(_bus.TcpAddress!, CancellationToken.None);
            using (var transport = connected.Transport)
            {
                var auth = await SaslClient.AuthenticateAsync(transport, new SaslClientOptions
                {
                    Mechanisms = ["DBUS_COOKIE_SHA1", "ANONYMOUS"],
                    KeyringDirectory = emptyKeyring,
                }, CancellationToken.None);
                Assert.That(auth.Mechanism, Is.EqualTo("ANONYMOUS"));
            }

            connected = await TransportConnector.ConnectAsync(_bus.TcpAddress!, CancellationToken.None);
            using (var transport = connected.Transport)
            {
                var ex = Assert.ThrowsAsync<DBusAuthenticationException>(() => SaslClient.AuthenticateAsync(transport,
                    new SaslClientOptions { Mechanisms = ["EXTERNAL", "DBUS_COOKIE_SHA1"], KeyringDirectory = emptyKeyring }, CancellationToken.None));
                Assert.That(ex!.Message, Does.Contain("offers EXTERNAL, DBUS_COOKIE_SHA1, ANONYMOUS")
                    .And.Contain("EXTERNAL (rejected)")
                    .And.Contain("DBUS_COOKIE_SHA1 (the keyring '" + emptyKeyring));
            }
        }
        finally
        {
            Directory.Delete(emptyKeyring, recursive: true);
        }
    }

    [Test]
    public async Task A_keyring_directory_others_can_read_is_refused()
    {
        string openKeyring = Directory.CreateTempSubdirectory("dbusgen-keyring-").FullName;
        try
        {
            File.SetUnixFileMode(openKeyring, (UnixFileMode)0x1ED); // 0755
            var connected = await TransportConnector.ConnectAsync(_bus.TcpAddress!, CancellationToken.None);
            using var transport = connected.Transport;
            var ex = Assert.ThrowsAsync<DBusAuthenticationException>(() => SaslClient.AuthenticateAsync(transport,
                new SaslClientOptions { Mechanisms = ["DBUS_COOKIE_SHA1"], KeyringDirectory = openKeyring }, CancellationToken.None));
            Assert.That(ex!.Message, Does.Contain("open to group or others (mode 755)"));
        }
        finally
        {
            Directory.Delete(openKeyring, recursive: true);
        }
    }

    [Test]
    public async Task A_guid_other_than_the_address_s_fails()
    {
        var connected = await TransportConnector.ConnectAsync(_bus.UnixAddress, CancellationToken.None);
        using var transport = connected.Transport;
        var ex = Assert.ThrowsAsync<DBusAuthenticationException>(() => SaslClient.AuthenticateAsync(transport,
            new SaslClientOptions { ExpectedGuid = "00000000000000000000000000000000" }, CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain("answered with guid " + connected.Address.Guid).And.Contain("not the server"));
    }

    [Test]
    public async Task Unixexec_through_systemd_stdio_bridge_then_Hello()
    {
        if (!File.Exists("/usr/bin/systemd-stdio-bridge"))
        {
            Assert.Ignore("systemd-stdio-bridge is not installed");
        }
        string address = "unixexec:path=/usr/bin/systemd-stdio-bridge,argv1=" + DBusAddress.Escape("--bus-path=" + _bus.UnixAddress);
        var connected = await TransportConnector.ConnectAsync(address, CancellationToken.None);
        using var transport = connected.Transport;
        var auth = await SaslClient.AuthenticateAsync(transport, new SaslClientOptions(), CancellationToken.None);
        TestContext.Out.WriteLine($"systemd-stdio-bridge accepted {auth.Mechanism}");
        Assert.That(auth.UnixFdsEnabled, Is.False);
        Assert.That(await AuthTestHelpers.HelloAsync(transport, auth), Does.Match(@"^:1\.\d+$"));
    }
}
