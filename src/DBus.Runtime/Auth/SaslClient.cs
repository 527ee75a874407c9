using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using DBus.Auth;
using DBus.Transport;

namespace DBus;

/// <summary>
/// The client side of the D-Bus SASL handshake: the NUL byte, AUTH with each acceptable mechanism the server offers
/// (EXTERNAL, DBUS_COOKIE_SHA1, ANONYMOUS), optional NEGOTIATE_UNIX_FD, then BEGIN.
/// </summary>
internal static class SaslClient
{
    // A server that keeps answering with nonsense gets this many ERRORs before we give up.
    private const int MaxUnexpectedReplies = 3;
    private const string AnonymousTrace = "DBusGen";

    /// <summary>Authenticates over <paramref name="transport"/>, which must be fresh (nothing sent yet).</summary>
    /// <exception cref="DBusFdNegotiationException">Descriptors were asked for and the transport or server cannot.</exception>
    /// <exception cref="DBusAuthenticationException">No mechanism succeeded, the server broke the protocol, closed,
    /// stalled past <see cref="SaslClientOptions.Timeout"/> or sent a line too long.</exception>
    public static async Task<AuthResult> AuthenticateAsync(DBusTransport transport, SaslClientOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        SaslMechanisms.Validate(options.Mechanisms, nameof(options));
        if (options.NegotiateUnixFds && !transport.CanPassUnixFds)
        {
            throw new DBusFdNegotiationException(
                $"Unix file descriptors were asked for, but {transport.Description} cannot carry them: only Unix sockets can.");
        }

        var channel = new SaslChannel(transport, options.MaxLineLength, "server");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            return await RunAsync(transport, channel, options, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            channel.DisposeFds();
            throw new DBusAuthenticationException(
                $"Authentication with {transport.Description} did not finish within {options.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s: the server stalled while we were {channel.Waiting}.");
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            channel.DisposeFds();
            throw new DBusAuthenticationException($"The connection to {transport.Description} failed during authentication, while {channel.Waiting}: {ex.Message}", ex);
        }
        catch
        {
            channel.DisposeFds();
            throw;
        }
    }

    private static async Task<AuthResult> RunAsync(DBusTransport transport, SaslChannel channel, SaslClientOptions options, CancellationToken cancellationToken)
    {
        uint uid = options.UserId ?? SocketInterop.GetEffectiveUserId();
        string uidText = uid.ToString(CultureInfo.InvariantCulture);
        var attempts = new List<string>();
        var tried = new HashSet<string>(StringComparer.Ordinal);
        string[]? offered = null;
        bool first = true;
        string? guid = null;
        string? mechanism = null;

        while (guid is null)
        {
            mechanism = options.Mechanisms.FirstOrDefault(m => !tried.Contains(m) && (offered is null || offered.Contains(m)));
            if (mechanism is null)
            {
                throw NothingWorked(transport, options, offered, attempts);
            }
            tried.Add(mechanism);
            string initial = mechanism == SaslMechanisms.Anonymous ? SaslMechanisms.ToHex(AnonymousTrace) : SaslMechanisms.ToHex(uidText);
            string auth = $"AUTH {mechanism} {initial}";
            channel.Waiting = $"waiting for the reply to AUTH {mechanism}";
            if (first)
            {
                // The NUL byte (credentials on some systems) must come first; it travels with the first command.
                byte[] line = new byte[auth.Length + 3];
                System.Text.Encoding.ASCII.GetBytes(auth, 0, auth.Length, line, 1);
                line[^2] = (byte)'\r';
                line[^1] = (byte)'\n';
                await channel.WriteAsync(line, cancellationToken).ConfigureAwait(false);
                first = false;
            }
            else
            {
                await channel.WriteLineAsync(auth, cancellationToken).ConfigureAwait(false);
            }

            var outcome = await RunMechanismAsync(channel, mechanism, uidText, options, cancellationToken).ConfigureAwait(false);
            if (outcome.Guid is not null)
            {
                guid = outcome.Guid;
            }
            else
            {
                offered = outcome.Offered;
                attempts.Add($"{mechanism} ({outcome.Reason})");
            }
        }

        if (options.ExpectedGuid is not null && !string.Equals(guid, options.ExpectedGuid, StringComparison.OrdinalIgnoreCase))
        {
            throw new DBusAuthenticationException(
                $"The server at {transport.Description} answered with guid {guid}, but the address names {options.ExpectedGuid}: it is not the server the address meant.");
        }

        bool fdsEnabled = false;
        if (options.NegotiateUnixFds)
        {
            channel.Waiting = "waiting for the reply to NEGOTIATE_UNIX_FD";
            await channel.WriteLineAsync("NEGOTIATE_UNIX_FD", cancellationToken).ConfigureAwait(false);
            string reply = await channel.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            var (command, argument) = SaslMechanisms.Split(reply);
            if (command == "AGREE_UNIX_FD")
            {
                transport.EnableUnixFds();
                fdsEnabled = true;
            }
            else if (command == "ERROR")
            {
                throw new DBusFdNegotiationException(
                    $"The server at {transport.Description} refused to pass Unix file descriptors{(argument.Length > 0 ? ": " + argument : ".")}");
            }
            else
            {
                throw new DBusAuthenticationException($"The server answered NEGOTIATE_UNIX_FD with {SaslMechanisms.Show(reply)}, not AGREE_UNIX_FD or ERROR.");
            }
        }

        channel.Waiting = "sending BEGIN";
        await channel.WriteLineAsync("BEGIN", cancellationToken).ConfigureAwait(false);
        var (readAhead, fds) = channel.TakeReadAhead();
        return new AuthResult(guid, mechanism!, fdsEnabled, transport.PeerCredentials?.UserId, readAhead, fds);
    }

    private readonly record struct Outcome(string? Guid, string[] Offered, string Reason);

    // Runs one mechanism from the server's first reply to OK (Guid set) or REJECTED (Offered and Reason set).
    private static async Task<Outcome> RunMechanismAsync(SaslChannel channel, string mechanism, string uidText, SaslClientOptions options, CancellationToken cancellationToken)
    {
        string? failure = null;
        int unexpected = 0;
        while (true)
        {
            string line = await channel.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (!SaslChannel.IsText(line))
            {
                throw new DBusAuthenticationException(
                    $"The server sent something that is not a SASL line while we were {channel.Waiting}: {SaslMechanisms.Show(line)}.");
            }
            var (command, argument) = SaslMechanisms.Split(line);
            switch (command)
            {
                case "OK" when failure is null:
                    if (!DBusAddress.IsValidGuid(argument))
                    {
                        throw new DBusAuthenticationException($"The server accepted {mechanism} but its guid '{argument}' is not 32 hex digits.");
                    }
                    return new Outcome(argument, [], "");
                case "REJECTED":
                    string[] offered = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return new Outcome(null, offered, failure ?? "rejected");
                case "DATA" when failure is null:
                    string? response;
                    (response, failure) = mechanism == SaslMechanisms.CookieSha1
                        ? await AnswerCookieChallengeAsync(argument, options, cancellationToken).ConfigureAwait(false)
                        : (mechanism == SaslMechanisms.External ? SaslMechanisms.ToHex(uidText) : "", null);
                    if (failure is null)
                    {
                        channel.Waiting = $"waiting for the reply to our {mechanism} DATA";
                        await channel.WriteLineAsync(response!.Length == 0 ? "DATA" : "DATA " + response, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        // Named in the error if the server hangs up instead of rejecting (GDBus does): the reason we
                        // gave up (a keyring directory without the cookie, say) is what the user needs to know.
                        channel.Waiting = $"waiting for REJECTED after cancelling {mechanism} because {failure}";
                        await channel.WriteLineAsync("CANCEL", cancellationToken).ConfigureAwait(false);
                    }
                    break;
                case "ERROR":
                    // The server did not understand us: cancel this mechanism, the REJECTED that follows lists the others.
                    failure ??= argument.Length > 0 ? "the server answered ERROR: " + argument : "the server answered ERROR";
                    channel.Waiting = $"waiting for REJECTED after cancelling {mechanism}";
                    await channel.WriteLineAsync("CANCEL", cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    if (++unexpected > MaxUnexpectedReplies)
                    {
                        throw new DBusAuthenticationException(
                            $"The server kept sending replies that make no sense while we were {channel.Waiting}; the last was {SaslMechanisms.Show(line)}.");
                    }
                    await channel.WriteLineAsync("ERROR unexpected reply", cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    private static async Task<(string? Response, string? Failure)> AnswerCookieChallengeAsync(string hex, SaslClientOptions options, CancellationToken cancellationToken)
    {
        string? challenge = SaslMechanisms.FromHex(hex);
        string[] parts = challenge?.Split(' ') ?? [];
        if (parts.Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int id) || parts[2].Length == 0)
        {
            return (null, "the server's challenge is not 'context id challenge'");
        }
        string directory = options.KeyringDirectory ?? CookieKeyring.DefaultDirectory;
        var (secret, problem) = await CookieKeyring.FindAsync(directory, parts[0], id, cancellationToken).ConfigureAwait(false);
        if (secret is null)
        {
            return (null, problem);
        }
        string clientChallenge = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        string hash = CookieKeyring.Hash(parts[2], clientChallenge, secret);
        return (SaslMechanisms.ToHex($"{clientChallenge} {hash}"), null);
    }

    private static DBusAuthenticationException NothingWorked(DBusTransport transport, SaslClientOptions options, string[]? offered, List<string> attempts)
    {
        string offers = offered is null ? "nothing (it never said)" : offered.Length == 0 ? "no mechanism" : string.Join(", ", offered);
        string tried = attempts.Count == 0 ? "nothing" : string.Join("; ", attempts);
        return new DBusAuthenticationException(
            $"Authentication with {transport.Description} failed: the server offers {offers}; we allow {string.Join(", ", options.Mechanisms)}; tried: {tried}.");
    }
}
