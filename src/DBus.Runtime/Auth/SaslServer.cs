using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using DBus.Auth;
using DBus.Transport;

namespace DBus;

/// <summary>
/// The server side of the D-Bus SASL handshake, the specification's state machine (WaitingForAuth, WaitingForData,
/// WaitingForBegin) with EXTERNAL (the uid from SO_PEERCRED), DBUS_COOKIE_SHA1 and ANONYMOUS, NEGOTIATE_UNIX_FD, a
/// bound on failed attempts, and whatever the client pipelined after BEGIN kept for the message layer.
/// </summary>
internal static class SaslServer
{
    /// <summary>REJECTED and ERROR answers a client may earn before it is dropped.</summary>
    public const int MaxFailures = 8;

    private enum State
    {
        WaitingForAuth,
        WaitingForData,
        WaitingForBegin,
    }

    private sealed class Session(DBusTransport transport, SaslChannel channel, SaslServerOptions options, string[] offered)
    {
        public DBusTransport Transport { get; } = transport;
        public SaslChannel Channel { get; } = channel;
        public SaslServerOptions Options { get; } = options;
        public string[] Offered { get; } = offered;
        public State State { get; set; }
        public string? Mechanism { get; set; }
        public uint? UserId { get; set; }
        public CookieKeyring.Cookie? Cookie { get; set; }
        public string? ServerChallenge { get; set; }
        public List<string> Failures { get; } = [];
    }

    /// <summary>Authenticates the client at the other end of a freshly accepted <paramref name="transport"/>.</summary>
    /// <exception cref="DBusAuthenticationException">The client failed too often, sent BEGIN unauthenticated, did not start
    /// with a NUL byte, closed, stalled past <see cref="SaslServerOptions.Timeout"/> or sent a line too long.</exception>
    public static async Task<AuthResult> AuthenticateAsync(DBusTransport transport, SaslServerOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        if (!DBusAddress.IsValidGuid(options.Guid))
        {
            ThrowHelper.ThrowArgument(nameof(options), $"the guid '{options.Guid}' is not 32 hex digits");
        }
        SaslMechanisms.Validate(options.Mechanisms, nameof(options));
        string[] offered = options.Mechanisms.Where(m => m switch
        {
            SaslMechanisms.External => transport.PeerCredentials is not null,
            SaslMechanisms.Anonymous => options.AllowAnonymous,
            _ => true,
        }).Distinct().ToArray();

        var channel = new SaslChannel(transport, options.MaxLineLength, "client");
        var session = new Session(transport, channel, options, offered);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            return await RunAsync(session, timeout.Token).ConfigureAwait(false);
        }
        catch (DBusAuthenticationException ex) when (session.Failures.Count > 0 && session.Failures.Count < MaxFailures)
        {
            // The client gave up (closed, or broke off): what it tried tells why.
            channel.DisposeFds();
            throw new DBusAuthenticationException($"{ex.Message} Its attempts before that: {string.Join("; ", session.Failures)}.", ex);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            channel.DisposeFds();
            throw new DBusAuthenticationException(
                $"The client did not finish authenticating within {options.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s; we were {channel.Waiting}.");
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            channel.DisposeFds();
            throw new DBusAuthenticationException($"The connection failed during authentication, while {channel.Waiting}: {ex.Message}", ex);
        }
        catch
        {
            channel.DisposeFds();
            throw;
        }
    }

    private static async Task<AuthResult> RunAsync(Session session, CancellationToken cancellationToken)
    {
        SaslChannel channel = session.Channel;

        // Collect descriptors from the start: with plain reads the kernel would drop those of a message the client
        // pipelined behind NEGOTIATE_UNIX_FD and BEGIN, if it arrived in the same read as the handshake.
        bool fdsPossible = session.Options.UnixFdsSupported && session.Transport.CanPassUnixFds;
        if (fdsPossible)
        {
            session.Transport.EnableUnixFds();
        }

        channel.Waiting = "waiting for the NUL byte";
        byte nul = await channel.ReadByteAsync(cancellationToken).ConfigureAwait(false);
        if (nul != 0)
        {
            throw new DBusAuthenticationException($"The client did not start with a NUL byte but with 0x{nul:x2}: it does not speak D-Bus.");
        }
        bool fdsEnabled = false;
        while (true)
        {
            channel.Waiting = session.State switch
            {
                State.WaitingForAuth => "waiting for AUTH",
                State.WaitingForData => $"waiting for {session.Mechanism} DATA",
                _ => "waiting for BEGIN",
            };
            string line = await channel.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (!SaslChannel.IsText(line))
            {
                await ErrorAsync(session, "Not a SASL command", $"sent {SaslMechanisms.Show(line)}", cancellationToken).ConfigureAwait(false);
                continue;
            }
            var (command, argument) = SaslMechanisms.Split(line);

            if (command == "BEGIN")
            {
                if (session.State != State.WaitingForBegin)
                {
                    throw new DBusAuthenticationException($"The client sent BEGIN before authenticating ({channel.Waiting}).");
                }
                var (readAhead, fds) = channel.TakeReadAhead();
                if (fdsPossible && !fdsEnabled)
                {
                    // Not agreed: a client that sends descriptors anyway gets them dropped, as the kernel would.
                    session.Transport.DisableUnixFds();
                    channel.DisposeFds();
                }
                return new AuthResult(session.Options.Guid, session.Mechanism!, fdsEnabled, session.UserId, readAhead, fds);
            }
            if (command == "ERROR" || (command == "CANCEL" && session.State != State.WaitingForAuth))
            {
                await RejectAsync(session, $"{session.Mechanism ?? "the client"}: the client sent {command}", cancellationToken).ConfigureAwait(false);
                continue;
            }

            switch (session.State)
            {
                case State.WaitingForAuth when command == "AUTH":
                    await HandleAuthAsync(session, argument, cancellationToken).ConfigureAwait(false);
                    break;
                case State.WaitingForData when command == "DATA":
                    await HandleDataAsync(session, argument, cancellationToken).ConfigureAwait(false);
                    break;
                case State.WaitingForBegin when command == "NEGOTIATE_UNIX_FD":
                    if (fdsPossible)
                    {
                        fdsEnabled = true;
                        await channel.WriteLineAsync("AGREE_UNIX_FD", cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        string why = session.Transport.CanPassUnixFds ? "this server does not pass Unix file descriptors" : "this transport cannot carry Unix file descriptors";
                        await channel.WriteLineAsync("ERROR " + why, cancellationToken).ConfigureAwait(false);
                    }
                    break;
                default:
                    await ErrorAsync(session, $"{command} is not expected now", $"sent {SaslMechanisms.Show(line)} while we were {channel.Waiting}", cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    private static async Task HandleAuthAsync(Session session, string argument, CancellationToken cancellationToken)
    {
        var (mechanism, initial) = SaslMechanisms.Split(argument);
        if (mechanism.Length == 0)
        {
            // A bare AUTH asks which mechanisms there are: not a failure.
            await session.Channel.WriteLineAsync(RejectedLine(session), cancellationToken).ConfigureAwait(false);
            return;
        }
        if (!session.Offered.Contains(mechanism))
        {
            await RejectAsync(session, $"{mechanism}: not offered", cancellationToken).ConfigureAwait(false);
            return;
        }
        session.Mechanism = mechanism;
        session.UserId = null;
        session.Cookie = null;
        session.ServerChallenge = null;
        if (initial.Length == 0 && mechanism != SaslMechanisms.Anonymous)
        {
            // No initial response: an empty challenge asks for it (sd-bus sends "AUTH EXTERNAL" then "DATA").
            session.State = State.WaitingForData;
            await session.Channel.WriteLineAsync("DATA", cancellationToken).ConfigureAwait(false);
            return;
        }
        await StepAsync(session, initial, cancellationToken).ConfigureAwait(false);
    }

    private static Task HandleDataAsync(Session session, string argument, CancellationToken cancellationToken) =>
        StepAsync(session, argument, cancellationToken);

    // One response of the client for the current mechanism, hex as it came.
    private static async Task StepAsync(Session session, string hex, CancellationToken cancellationToken)
    {
        string mechanism = session.Mechanism!;
        string? data = SaslMechanisms.FromHex(hex);
        if (data is null)
        {
            await RejectAsync(session, $"{mechanism}: the response is not hex-encoded UTF-8", cancellationToken).ConfigureAwait(false);
            return;
        }
        switch (mechanism)
        {
            case SaslMechanisms.Anonymous:
                await AcceptAsync(session, null, cancellationToken).ConfigureAwait(false);
                return;
            case SaslMechanisms.External:
                await ExternalAsync(session, data, cancellationToken).ConfigureAwait(false);
                return;
            default:
                if (session.ServerChallenge is null)
                {
                    await CookieChallengeAsync(session, data, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await CookieResponseAsync(session, data, cancellationToken).ConfigureAwait(false);
                }
                return;
        }
    }

    private static async Task ExternalAsync(Session session, string claimed, CancellationToken cancellationToken)
    {
        uint actual = session.Transport.PeerCredentials!.Value.UserId;
        if (claimed.Length > 0)
        {
            if (!uint.TryParse(claimed, NumberStyles.None, CultureInfo.InvariantCulture, out uint uid))
            {
                await RejectAsync(session, $"EXTERNAL: the identity '{claimed}' is not a uid", cancellationToken).ConfigureAwait(false);
                return;
            }
            if (uid != actual)
            {
                await RejectAsync(session, $"EXTERNAL: the client claims uid {uid} but its socket belongs to uid {actual}", cancellationToken).ConfigureAwait(false);
                return;
            }
        }
        if (!IsAllowed(session.Options, actual))
        {
            await RejectAsync(session, $"EXTERNAL: uid {actual} is not allowed", cancellationToken).ConfigureAwait(false);
            return;
        }
        await AcceptAsync(session, actual, cancellationToken).ConfigureAwait(false);
    }

    private static async Task CookieChallengeAsync(Session session, string user, CancellationToken cancellationToken)
    {
        uint? uid = UnixUsers.ResolveUserId(user);
        if (uid is null)
        {
            await RejectAsync(session, $"DBUS_COOKIE_SHA1: unknown user '{user}'", cancellationToken).ConfigureAwait(false);
            return;
        }
        if (!IsAllowed(session.Options, uid.Value))
        {
            await RejectAsync(session, $"DBUS_COOKIE_SHA1: uid {uid} is not allowed", cancellationToken).ConfigureAwait(false);
            return;
        }
        CookieKeyring.Cookie cookie;
        try
        {
            cookie = await CookieKeyring.GetOrCreateAsync(session.Options.KeyringDirectory ?? CookieKeyring.DefaultDirectory, CookieKeyring.DefaultContext, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await RejectAsync(session, "DBUS_COOKIE_SHA1: the keyring is unusable: " + ex.Message, cancellationToken).ConfigureAwait(false);
            return;
        }
        session.UserId = uid;
        session.Cookie = cookie;
        session.ServerChallenge = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        session.State = State.WaitingForData;
        string challenge = $"{CookieKeyring.DefaultContext} {cookie.Id.ToString(CultureInfo.InvariantCulture)} {session.ServerChallenge}";
        await session.Channel.WriteLineAsync("DATA " + SaslMechanisms.ToHex(challenge), cancellationToken).ConfigureAwait(false);
    }

    private static async Task CookieResponseAsync(Session session, string response, CancellationToken cancellationToken)
    {
        string[] parts = response.Split(' ');
        if (parts.Length != 2 || parts[0].Length == 0)
        {
            await RejectAsync(session, "DBUS_COOKIE_SHA1: the response is not 'client_challenge sha1'", cancellationToken).ConfigureAwait(false);
            return;
        }
        string expected = CookieKeyring.Hash(session.ServerChallenge!, parts[0], session.Cookie!.Value.Secret);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parts[1].ToLowerInvariant())))
        {
            await RejectAsync(session, "DBUS_COOKIE_SHA1: the cookie hash is wrong", cancellationToken).ConfigureAwait(false);
            return;
        }
        await AcceptAsync(session, session.UserId, cancellationToken).ConfigureAwait(false);
    }

    private static async Task AcceptAsync(Session session, uint? uid, CancellationToken cancellationToken)
    {
        session.UserId = uid;
        session.State = State.WaitingForBegin;
        await session.Channel.WriteLineAsync("OK " + session.Options.Guid, cancellationToken).ConfigureAwait(false);
    }

    private static async Task RejectAsync(Session session, string reason, CancellationToken cancellationToken)
    {
        Fail(session, reason);
        session.State = State.WaitingForAuth;
        session.Mechanism = null;
        session.UserId = null;
        session.Cookie = null;
        session.ServerChallenge = null;
        await session.Channel.WriteLineAsync(RejectedLine(session), cancellationToken).ConfigureAwait(false);
    }

    private static async Task ErrorAsync(Session session, string answer, string reason, CancellationToken cancellationToken)
    {
        Fail(session, "the client " + reason);
        await session.Channel.WriteLineAsync("ERROR " + answer, cancellationToken).ConfigureAwait(false);
    }

    private static void Fail(Session session, string reason)
    {
        session.Failures.Add(reason);
        if (session.Failures.Count >= MaxFailures)
        {
            throw new DBusAuthenticationException(
                $"The client failed to authenticate {session.Failures.Count} times (offered: {string.Join(", ", session.Offered)}): {string.Join("; ", session.Failures)}.");
        }
    }

    private static string RejectedLine(Session session) =>
        session.Offered.Length == 0 ? "REJECTED" : "REJECTED " + string.Join(' ', session.Offered);

    private static bool IsAllowed(SaslServerOptions options, uint uid) =>
        options.IsUserAllowed?.Invoke(uid) ?? uid == SocketInterop.GetEffectiveUserId();
}
