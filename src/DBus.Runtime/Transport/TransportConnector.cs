using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DBus.Transport;

namespace DBus;

/// <summary>Connects to the first entry of an address list that accepts.</summary>
internal static class TransportConnector
{
    /// <summary>The length of a nonce-tcp nonce.</summary>
    public const int NonceLength = 16;

    // The send buffer a Unix socket connection asks for, as sd-bus does (SNDBUF_SIZE in its bus-internal.h).
    private const int UnixSendBufferSize = 8 * 1024 * 1024;

    /// <summary>Tries each entry of <paramref name="addresses"/> in order and returns the first that connects.</summary>
    /// <exception cref="DBusConnectionException">The list is malformed, or no entry connected; the message lists every
    /// entry tried and why each failed.</exception>
    public static async Task<ConnectedTransport> ConnectAsync(string addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        IReadOnlyList<DBusAddress> entries;
        try
        {
            entries = DBusAddress.ParseList(addresses);
        }
        catch (FormatException ex)
        {
            throw new DBusConnectionException($"Cannot connect to '{addresses}': {ex.Message}", ex);
        }

        var failures = new List<string>(entries.Count);
        Exception? last = null;
        foreach (DBusAddress entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                DBusTransport transport = await ConnectAsync(entry, cancellationToken).ConfigureAwait(false);
                return new ConnectedTransport(transport, entry);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is SocketException or IOException or FormatException or NotSupportedException
                or UnauthorizedAccessException or System.ComponentModel.Win32Exception or ArgumentException)
            {
                failures.Add($"{entry}: {ex.Message}");
                last = ex;
            }
        }

        var message = new StringBuilder(entries.Count == 1
            ? "Could not connect to the D-Bus address "
            : $"Could not connect to any of the {entries.Count} D-Bus addresses: ");
        message.AppendJoin("; ", failures);
        throw new DBusConnectionException(message.ToString(), entries.Count == 1 ? last : null);
    }

    /// <summary>Connects to one entry.</summary>
    internal static async Task<DBusTransport> ConnectAsync(DBusAddress address, CancellationToken cancellationToken)
    {
        switch (address.Transport)
        {
            case "unix":
                return await ConnectUnixAsync(address, cancellationToken).ConfigureAwait(false);
            case "tcp":
                return await ConnectTcpAsync(address, nonce: null, cancellationToken).ConfigureAwait(false);
            case "nonce-tcp":
                string nonceFile = address.GetProperty("noncefile") ?? throw new FormatException("nonce-tcp needs a 'noncefile' key");
                byte[] nonce = await ReadNonceAsync(nonceFile, cancellationToken).ConfigureAwait(false);
                return await ConnectTcpAsync(address, nonce, cancellationToken).ConfigureAwait(false);
            case "unixexec":
                return StartProcess(address);
            case "autolaunch" or "launchd" or "systemd":
                throw new NotSupportedException($"the '{address.Transport}' transport is not supported; use a unix, tcp, nonce-tcp or unixexec address");
            default:
                throw new NotSupportedException($"unknown transport '{address.Transport}'");
        }
    }

    private static Task<DBusTransport> ConnectUnixAsync(DBusAddress address, CancellationToken cancellationToken)
    {
        string? path = address.GetProperty("path");
        string? @abstract = address.GetProperty("abstract");
        if (path is not null && @abstract is not null)
        {
            throw new FormatException("a unix address takes 'path' or 'abstract', not both");
        }
        if (path is null && @abstract is null)
        {
            if (address.GetProperty("dir") is not null || address.GetProperty("tmpdir") is not null || address.GetProperty("runtime") is not null)
            {
                throw new FormatException("'dir', 'tmpdir' and 'runtime' are for listening; a unix address to connect to needs 'path' or 'abstract'");
            }
            throw new FormatException("a unix address needs 'path' or 'abstract'");
        }
        var endPoint = new UnixDomainSocketEndPoint(path ?? "\0" + @abstract);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            // Synchronous: connecting a Unix socket does not wait for the peer, and an async connect would hand the
            // socket to the runtime's socket engine for good (SocketTransport does its own I/O on Unix sockets).
            cancellationToken.ThrowIfCancellationRequested();
            socket.Connect(endPoint);
            EnlargeSendBuffer(socket);
            return Task.FromResult<DBusTransport>(new SocketTransport(socket) { Description = address.ToString() });
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Asks for a send buffer of <see cref="UnixSendBufferSize"/> (the kernel caps it at net.core.wmem_max, doubled).
    /// With the default (208 KiB) a message of a few hundred KiB, such as an array of 100,000 int32, takes several
    /// sendmsg calls with a wait for the peer to drain the socket in between: those waits and their wake-ups cost the
    /// client more CPU than the copy itself. sd-bus asks for the same 8 MiB (bus_socket_setup).
    /// The memory is the kernel's and is used only while bytes wait in the socket. Best effort: a refusal keeps the
    /// default. A DBusServer's accepted sockets keep theirs, so a client that never reads cannot pin more there.
    /// </summary>
    private static void EnlargeSendBuffer(Socket socket)
    {
        try
        {
            if (socket.SendBufferSize < UnixSendBufferSize)
            {
                socket.SendBufferSize = UnixSendBufferSize;
            }
        }
        catch (SocketException)
        {
            // The default buffer still works, with more waits for large messages.
        }
    }

    private static async Task<DBusTransport> ConnectTcpAsync(DBusAddress address, byte[]? nonce, CancellationToken cancellationToken)
    {
        string host = address.GetProperty("host") ?? "localhost";
        string portText = address.GetProperty("port") ?? throw new FormatException($"a {address.Transport} address needs a 'port' key");
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is <= 0 or > 65535)
        {
            throw new FormatException($"the port '{portText}' is not a number from 1 to 65535");
        }
        AddressFamily family = ParseFamily(address.GetProperty("family"));
        IPAddress[] candidates = IPAddress.TryParse(host, out IPAddress? literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, family, cancellationToken).ConfigureAwait(false);
        candidates = Array.FindAll(candidates, a => family == AddressFamily.Unspecified || a.AddressFamily == family);
        if (candidates.Length == 0)
        {
            throw new IOException($"the host '{host}' has no {(family == AddressFamily.Unspecified ? "" : family == AddressFamily.InterNetwork ? "IPv4 " : "IPv6 ")}address");
        }

        Exception? last = null;
        foreach (IPAddress candidate in candidates)
        {
            var socket = new Socket(candidate.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(candidate, port), cancellationToken).ConfigureAwait(false);
                var transport = new SocketTransport(socket) { Description = address.ToString() };
                if (nonce is not null)
                {
                    // The nonce is the first thing the server reads, before SASL's NUL byte.
                    await transport.SendAsync(nonce, ReadOnlyMemory<int>.Empty, cancellationToken).ConfigureAwait(false);
                }
                return transport;
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    internal static AddressFamily ParseFamily(string? family) => family switch
    {
        null => AddressFamily.Unspecified,
        "ipv4" => AddressFamily.InterNetwork,
        "ipv6" => AddressFamily.InterNetworkV6,
        _ => throw new FormatException($"the family '{family}' is not 'ipv4' or 'ipv6'"),
    };

    private static async Task<byte[]> ReadNonceAsync(string path, CancellationToken cancellationToken)
    {
        byte[] nonce = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        if (nonce.Length != NonceLength)
        {
            throw new IOException($"the nonce file '{path}' holds {nonce.Length} bytes, not {NonceLength}");
        }
        return nonce;
    }

    private static ProcessTransport StartProcess(DBusAddress address)
    {
        string path = address.GetProperty("path") ?? throw new FormatException("a unixexec address needs a 'path' key");
        // argv1, argv2, … must be consecutive; argv0 cannot be set apart from the path through Process.
        var arguments = new List<string>();
        for (int i = 1; address.GetProperty("argv" + i.ToString(CultureInfo.InvariantCulture)) is { } argument; i++)
        {
            arguments.Add(argument);
        }
        return ProcessTransport.Start(path, arguments, address.ToString());
    }
}
