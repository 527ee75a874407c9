using DBus.Transport;

namespace DBus;

/// <summary>
/// The server side of a transport: listens on an address and accepts connected transports (DBusServer runs SASL on
/// each).
/// </summary>
internal abstract class TransportListener : IDisposable
{
    /// <summary>An address clients can connect to: the real path, port or nonce file, and the guid.</summary>
    public abstract string ConnectableAddress { get; }

    /// <summary>Listens on <paramref name="address"/>: <c>unix:path</c>, <c>unix:abstract</c>, <c>unix:dir</c> and
    /// <c>unix:tmpdir</c> (a random name in the directory), <c>unix:runtime=yes</c>, <c>tcp</c> (<c>port=0</c> picks a free
    /// port) and <c>nonce-tcp</c> (writes a nonce file).</summary>
    /// <exception cref="FormatException">The address or the guid is malformed, or the transport cannot listen.</exception>
    public static TransportListener Create(string address, string guid)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(guid);
        if (!DBusAddress.IsValidGuid(guid))
        {
            throw new FormatException($"the guid '{guid}' is not 32 hex digits");
        }
        DBusAddress entry = DBusAddress.Parse(address);
        return entry.Transport switch
        {
            "unix" => SocketTransportListener.CreateUnix(entry, guid),
            "tcp" => SocketTransportListener.CreateTcp(entry, guid, nonce: false),
            "nonce-tcp" => SocketTransportListener.CreateTcp(entry, guid, nonce: true),
            _ => throw new FormatException($"cannot listen on the '{entry.Transport}' transport; use unix, tcp or nonce-tcp"),
        };
    }

    /// <summary>Waits for the next client. For nonce-tcp the client's nonce is read and checked first; clients that
    /// fail are dropped and the wait goes on.</summary>
    public abstract ValueTask<DBusTransport> AcceptAsync(CancellationToken cancellationToken);

    /// <summary>Stops listening and removes the socket file and nonce file this listener created.</summary>
    public abstract void Dispose();
}
