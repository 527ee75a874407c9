using DBus.Transport;

namespace DBus.Runtime.Tests.Auth;

/// <summary>Our SASL client against scripted servers doing what dbus-daemon never does: stall, send endless lines,
/// answer ERROR, offer nothing usable, send garbage.</summary>
public class SaslClientScriptedTests
{
    private const string Guid = "0123456789abcdef0123456789abcdef";
    private static readonly string s_uidHex = Convert.ToHexStringLower(System.Text.Encoding.ASCII.GetBytes(SocketInterop.GetEffectiveUserId().ToString()));

    private SocketTransport _client = null!;
    private ScriptedPeer _server = null!;

    [SetUp]
    public void CreatePair()
    {
        var (client, server) = SocketTransport.CreatePair();
        _client = client;
        _server = new ScriptedPeer(server);
    }

    [TearDown]
    public void DisposePair()
    {
        _client.Dispose();
        _server.Transport.Dispose();
    }

    [Test]
    public async Task Sends_the_NUL_byte_and_AUTH_EXTERNAL_with_the_hex_uid_then_BEGIN_and_keeps_read_ahead()
    {
        var auth = SaslClient.AuthenticateAsync(_client, new SaslClientOptions(), CancellationToken.None);
        Assert.That(await _server.ReadGreetingAsync(), Is.EqualTo("AUTH EXTERNAL " + s_uidHex));
        // Bytes behind OK (a server that starts talking early) must reach the message layer.
        await _server.SendAsync($"OK {Guid}\r\nEARLY");
        Assert.That(await _server.ReadLineAsync(), Is.EqualTo("BEGIN"));
        var result = await auth.WaitAsync(AuthTestHelpers.Timeout);
        Assert.Multiple(() =>
        {
            Assert.That(result.Guid, Is.EqualTo(Guid));
            Assert.That(result.Mechanism, Is.EqualTo("EXTERNAL"));
            Assert.That(result.UnixFdsEnabled, Is.False);
            Assert.That(result.PeerUserId, Is.EqualTo(SocketInterop.GetEffectiveUserId()));
            Assert.That(System.Text.Encoding.ASCII.GetString(result.ReadAhead.Span), Is.EqualTo("EARLY"));
        });
    }

    [Test]
    public async Task A_server_that_stalls_times_out_saying_what_was_awaited()
    {
        var options = new SaslClientOptions { Timeout = TimeSpan.FromMilliseconds(300) };
        var auth = SaslClient.AuthenticateAsync(_client, options, CancellationToken.None);
        await _server.ReadGreetingAsync();
        var ex = Assert.ThrowsAsync<DBusAuthenticationException>(() => auth.WaitAsync(AuthTestHelpers.Timeout));
        Assert.That(ex!.Message, Does.Contain("did not finish within 0.3 s").And.Contain("waiting for the reply to AUTH EXTERNAL"));
    }

    [Test]
    public async Task Cancellation_by_the_caller_stays_a_cancellation()
    {
        using var cts = new CancellationTokenSource();
        var auth = SaslClient.AuthenticateAsync(_client, new SaslClientOptions(), cts.Token);
        await _server.ReadGreetingAsync();
        cts.Cancel();
        Assert.That(async () => await auth.WaitAsync(AuthTestHelpers.Timeout), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task An_endless_line_fails_at_the_limit()
    {
        var auth = SaslClient.AuthenticateAsync(_client, new SaslClientOptions { MaxLineLength = 1024 }, CancellationToken.None);
        await _server.ReadGreetingAsync();
        var send = _server.SendAsync(new string('A', 64 * 1024));
        var ex = Assert.ThrowsAsync<DBusAuthenticationException>(() => auth.WaitAsync(AuthTestHelpers.Timeout));
        Assert.That(ex!.Message, Does.Contain("line longer than 1024 bytes"));
        _client.Dispose();
        try
        {
            await send.WaitAsync(AuthTestHelpers.Timeout);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
        }
    }

    [Test]
    public async Task A_line_just_within_the_limit_is_fine()
    {
        var auth = SaslClient.AuthenticateAsync(_client, new SaslClientOptions { MaxLineLength = 100 }, CancellationToken.None);
        await _server.ReadGreetingAsync();
        // "REJECTED " + mechanisms padded to exactly 100 bytes.
        string rejected = "REJECTED ANONYMOUS " + new string('X', 100 - 19);
        Assert.That(rejected, Has.Length.EqualTo(100));
        await _server.SendAsync(rejected + "\r\n");
        Assert.That(await _server.ReadLineAsync(), Does.StartWith("AUTH ANONYMOUS "));
        await _server.SendAsync($"OK {Guid}\r\n");
        Assert.That(await _server.ReadLineAsync(), Is.EqualTo("BEGIN"));
        Assert.That((await auth.WaitAsync(AuthTestHelpers.Timeout)).Mechanism, Is.EqualTo("ANONYMOUS"));
    }

    [Test]
    public async Task ERROR_makes_the_client_cancel_and_move_on_to_what_REJECTED_offers()
    {
        var auth = SaslClient.AuthenticateAsync(_client, new SaslClientOptions(), CancellationToken.None);
        Assert.That(await _server.ReadGreetingAsync(), Does.StartWith("AUTH EXTERNAL"));
        await _server.SendAsync("ERROR \"not today\"\r\n");
        Assert.That(await _server.ReadLineAsync(), Is.EqualTo("CANCEL"));
        await _server.SendAsync("REJECTED ANONYMOUS\r\n");
        // "DBusGen" in hex: the ANONYMOUS trace.
        Assert.That(await _server.ReadLineAsync(), Is.EqualTo("AUTH ANONYMOUS 4442757347656e"));
        await _server.SendAsync($"OK {Guid}\r\n");
        Assert.That(await _server.ReadLineAsync(), Is.EqualTo("BEGIN"));
        Assert.That((await auth.WaitAsync(AuthTestHelpers.Timeout)).Mechanism, Is.EqualTo("ANONYMOUS"));
    }

    [Test]
    public async Task ERROR_then_nothing_usable_reports_the_error()
    {
        var auth = SaslClient.AuthenticateAsync(_client, new SaslClientOptions { Mechanisms = ["EXTERNAL"] }, CancellationToken.None);
        await _server.ReadGreetingAsync();
        await _server.SendAsync("ERROR go away\r\n");
        Assert.That(await _server.ReadLineAsync(), Is.EqualTo("CANCEL"));
        await _server.SendAsync("REJECTED EXTERNAL\r\n");
        var ex = Assert.ThrowsAsync<DBusAuthenticationException>(() => auth.WaitAsync(AuthTestHelpers.Timeout));
        Assert.That(ex!.Message, Does.Contain("EXTERNAL (the server answered ERROR: go away)"));
    }

    [Test]
    public async Task REJECTED_with_nothing_usable_lists_both_sides()
    {
        var auth = SaslClient.AuthenticateAsync(_client, new SaslClientOptions { Mechanisms = ["EXTERNAL", "ANONYMOUS"] }, CancellationToken.None);
        await _server.ReadGreetingAsync();
        await _server.SendAsync("REJECTED KERBEROS_V4 SKEY\r\n");
        var ex = Assert.ThrowsAsync<DBusAuthenticationException>(() => auth.WaitAsync(AuthTestHelpers.Timeout));
        Assert.That(ex!.Message, Does.Contain("the server offers KERBEROS_V4, SKEY")
            .And.Contain("we allow EXTERNAL, ANONYMOUS")
            .And.Contain("tried: EXTERNAL (rejected)"));
    }

    [Test]
    public async Task Garbage_from_the_server_fails_clearly()
    {
        var auth = SaslClient.AuthenticateAsync(_client, new SaslClientOptions(), CancellationToken.None);
        await _server.ReadGreetingAsync();
        await _server.SendAsync([0x01, 0xFF, 0x7F, (byte)'O', (byte)'K', (byte)'\r', (byte)'\n']);
        var ex = Assert.ThrowsAsync<DBusAuthenticationException>(() => auth.WaitAsync(AuthTestHelpers.Timeout));
        Assert.That(ex!.Message, Does.Contain("not a SASL line").And.Contain(@"\x01\xff\x7fOK"));
    }

    [Test]
    public async Task Unknown_replies_are_answered_with_ERROR_and_then_given_up_on()
    {
        var auth = SaslClient.AuthenticateAsync(_client, new SaslClientOptions(), CancellationToken.None);
        await _server.ReadGreetingAsync();
        for (int i = 0; i < 3; i++)
        {
            await _server.SendAsync("WHATEVER\r\n");
            Assert.That(await _server.ReadLineAsync(), Does.StartWith("ERROR"));
        }
        await _server.SendAsync("WHATEVER\r\n");
        var ex = Assert.ThrowsAsync<DBusAuthenticationException>(() => auth.WaitAsync(AuthTestHelpers.Timeout));
        Assert.That(ex!.Message, Does.Contain("make no sense").And.Contain("'WHATEVER'"));
    }

    [Test]
    public async Task A_server_that_closes_is_reported()
    {
        var auth = SaslClient.AuthenticateAsync(_client, new SaslClientOptions(), CancellationToken.None);
        await _server.ReadGreetingAsync();
        _server.Transport.Dispose();
        var ex = Assert.ThrowsAsync<DBusAuthenticationException>(() => auth.WaitAsync(AuthTestHelpers.Timeout));
        Assert.That(ex!.Message, Does.Contain("server closed the connection"));
    }

    [Test]
    public async Task OK_with_a_malformed_guid_fails()
    {
        var auth = SaslClient.AuthenticateAsync(_client, new SaslClientOptions(), CancellationToken.None);
        await _server.ReadGreetingAsync();
        await _server.SendAsync("OK nope\r\n");
        var ex = Assert.ThrowsAsync<DBusAuthenticationException>(() => auth.WaitAsync(AuthTestHelpers.Timeout));
        Assert.That(ex!.Message, Does.Contain("'nope' is not 32 hex digits"));
    }

    [Test]
    public async Task A_server_refusing_descriptors_raises_the_fd_negotiation_error()
    {
        var auth = SaslClient.AuthenticateAsync(_client, new SaslClientOptions { NegotiateUnixFds = true }, CancellationToken.None);
        await _server.ReadGreetingAsync();
        await _server.SendAsync($"OK {Guid}\r\n");
        Assert.That(await _server.ReadLineAsync(), Is.EqualTo("NEGOTIATE_UNIX_FD"));
        await _server.SendAsync("ERROR no fds here\r\n");
        var ex = Assert.ThrowsAsync<DBusFdNegotiationException>(() => auth.WaitAsync(AuthTestHelpers.Timeout));
        Assert.That(ex!.Message, Does.Contain("refused to pass Unix file descriptors: no fds here"));
        Assert.That(_client.UnixFdsEnabled, Is.False);
    }

    [Test]
    public async Task An_empty_DATA_challenge_for_EXTERNAL_is_answered_with_the_uid()
    {
        var auth = SaslClient.AuthenticateAsync(_client, new SaslClientOptions(), CancellationToken.None);
        await _server.ReadGreetingAsync();
        await _server.SendAsync("DATA\r\n");
        Assert.That(await _server.ReadLineAsync(), Is.EqualTo("DATA " + s_uidHex));
        await _server.SendAsync($"OK {Guid}\r\n");
        Assert.That(await _server.ReadLineAsync(), Is.EqualTo("BEGIN"));
        await auth.WaitAsync(AuthTestHelpers.Timeout);
    }

    [Test]
    public void Unknown_mechanisms_in_the_options_are_refused_up_front()
    {
        var ex = Assert.ThrowsAsync<ArgumentException>(() => SaslClient.AuthenticateAsync(_client, new SaslClientOptions { Mechanisms = ["PLAIN"] }, CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain("unknown SASL mechanism 'PLAIN'"));
    }
}
