using DBus.Auth;
using DBus.Transport;

namespace DBus;

public sealed partial class MessageStream
{
    /// <summary>
    /// Connects to <paramref name="address"/> (entries tried in order) and authenticates; says nothing else (no
    /// Hello: on a bus, the first message sent must be the Hello call).
    /// </summary>
    /// <exception cref="DBusConnectionException">No entry could be connected or authenticated; the message says
    /// what was tried and why each failed. <see cref="DBusFdNegotiationException"/> when
    /// <see cref="DBusConnectionOptions.EnableFds"/> was asked for and refused.</exception>
    public static async Task<MessageStream> ConnectAsync(string address, DBusConnectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        options ??= DBusConnectionOptions.Default;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        ConnectedTransport connected;
        try
        {
            connected = await TransportConnector.ConnectAsync(address, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DBusConnectionException($"connecting to '{address}' did not complete within {options.ConnectTimeout.TotalSeconds:0.###} s");
        }
        var transport = connected.Transport;
        try
        {
            if (options.EnableFds && !transport.CanPassUnixFds)
            {
                throw new DBusFdNegotiationException(
                    $"file descriptor passing was asked for, but '{connected.Address}' is a {connected.Address.Transport} transport: only Unix sockets carry descriptors");
            }
            var auth = await SaslClient.AuthenticateAsync(transport, new SaslClientOptions
            {
                Mechanisms = options.AuthenticationMechanisms ?? SaslClientOptions.DefaultMechanisms,
                NegotiateUnixFds = options.EnableFds,
                ExpectedGuid = connected.Address.Guid,
                Timeout = options.ConnectTimeout,
                KeyringDirectory = options.KeyringDirectory,
            }, cancellationToken).ConfigureAwait(false);
            return new MessageStream(transport, auth.Guid, auth.UnixFdsEnabled, auth.ReadAhead, auth.ReadAheadFds, options.MaxMessageUnixFds,
                options.MaxUnixFdsPerConnection);
        }
        catch (Exception e)
        {
            if (e is DBusAuthenticationException)
            {
                Telemetry.AuthenticationFailed(Telemetry.RoleClient);
            }
            transport.Dispose();
            throw;
        }
    }
}
