using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace DBus.Transport;

/// <summary>Listens on a Unix socket (path or abstract) or on TCP, optionally with a nonce file.</summary>
internal sealed class SocketTransportListener : TransportListener
{
    private static readonly TimeSpan s_nonceTimeout = TimeSpan.FromSeconds(5);

    private readonly Socket _socket;
    private readonly string? _socketPath;
    private readonly byte[]? _nonce;
    private readonly string? _nonceFile;
    private readonly string? _nonceDirectory;
    private int _disposed;

    private SocketTransportListener(Socket socket, string connectableAddress, string? socketPath, byte[]? nonce, string? nonceFile, string? nonceDirectory)
    {
        _socket = socket;
        ConnectableAddress = connectableAddress;
        _socketPath = socketPath;
        _nonce = nonce;
        _nonceFile = nonceFile;
        _nonceDirectory = nonceDirectory;
    }

    public override string ConnectableAddress { get; }

    public static SocketTransportListener CreateUnix(DBusAddress address, string guid)
    {
        string? path = address.GetProperty("path");
        string? @abstract = address.GetProperty("abstract");
        string? dir = address.GetProperty("dir") ?? address.GetProperty("tmpdir");
        string? runtime = address.GetProperty("runtime");
        int given = (path is null ? 0 : 1) + (@abstract is null ? 0 : 1) + (dir is null ? 0 : 1) + (runtime is null ? 0 : 1);
        if (given != 1)
        {
            throw new FormatException("a unix address to listen on takes exactly one of 'path', 'abstract', 'dir', 'tmpdir' or 'runtime'");
        }
        if (runtime is not null)
        {
            if (runtime != "yes")
            {
                throw new FormatException($"'runtime' must be 'yes', not '{runtime}'");
            }
            string runtimeDirectory = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } r
                ? r
                : throw new FormatException("unix:runtime=yes needs XDG_RUNTIME_DIR");
            path = Path.Combine(runtimeDirectory, "bus");
        }
        if (dir is not null)
        {
            path = Path.Combine(dir, "dbus-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            if (@abstract is not null)
            {
                socket.Bind(new UnixDomainSocketEndPoint("\0" + @abstract));
                socket.Listen();
                return new SocketTransportListener(socket, Format("unix", [new("abstract", @abstract)], guid), null, null, null, null);
            }
            BindUnixPath(socket, path!);
            socket.Listen();
            return new SocketTransportListener(socket, Format("unix", [new("path", path!)], guid), path, null, null, null);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static SocketTransportListener CreateTcp(DBusAddress address, string guid, bool nonce)
    {
        string host = address.GetProperty("host") ?? "localhost";
        string bind = address.GetProperty("bind") ?? host;
        string portText = address.GetProperty("port") ?? "0";
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            throw new FormatException($"the port '{portText}' is not a number from 0 to 65535");
        }
        AddressFamily family = TransportConnector.ParseFamily(address.GetProperty("family"));
        IPAddress bindAddress = ResolveBindAddress(bind, family);

        var socket = new Socket(bindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        string? nonceFile = null;
        string? nonceDirectory = null;
        try
        {
            socket.Bind(new IPEndPoint(bindAddress, port));
            socket.Listen();
            int realPort = ((IPEndPoint)socket.LocalEndPoint!).Port;
            var properties = new List<KeyValuePair<string, string>>
            {
                new("host", host),
                new("port", realPort.ToString(CultureInfo.InvariantCulture)),
                new("family", bindAddress.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4"),
            };
            byte[]? nonceBytes = null;
            if (nonce)
            {
                nonceBytes = RandomNumberGenerator.GetBytes(TransportConnector.NonceLength);
                nonceFile = address.GetProperty("noncefile");
                if (nonceFile is null)
                {
                    nonceDirectory = Directory.CreateTempSubdirectory("dbus-nonce-").FullName;
                    nonceFile = Path.Combine(nonceDirectory, "nonce");
                }
                WritePrivateFile(nonceFile, nonceBytes);
                properties.Add(new("noncefile", nonceFile));
            }
            return new SocketTransportListener(socket, Format(nonce ? "nonce-tcp" : "tcp", properties, guid), null, nonceBytes, nonceFile, nonceDirectory);
        }
        catch
        {
            socket.Dispose();
            if (nonceDirectory is not null)
            {
                TryDelete(() => Directory.Delete(nonceDirectory, recursive: true));
            }
            throw;
        }
    }

    public override async ValueTask<DBusTransport> AcceptAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Socket client = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
            var transport = new SocketTransport(client) { Description = "a client of " + ConnectableAddress };
            if (_nonce is null || await CheckNonceAsync(transport, cancellationToken).ConfigureAwait(false))
            {
                return transport;
            }
            transport.Dispose();
        }
    }

    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _socket.Dispose();
        if (_socketPath is not null)
        {
            TryDelete(() => File.Delete(_socketPath));
        }
        if (_nonceDirectory is not null)
        {
            TryDelete(() => Directory.Delete(_nonceDirectory, recursive: true));
        }
        else if (_nonceFile is not null)
        {
            TryDelete(() => File.Delete(_nonceFile));
        }
    }

    private async ValueTask<bool> CheckNonceAsync(SocketTransport transport, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_nonceTimeout);
        byte[] received = new byte[TransportConnector.NonceLength];
        int filled = 0;
        try
        {
            while (filled < received.Length)
            {
                int n = await transport.Socket.ReceiveAsync(received.AsMemory(filled), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    return false;
                }
                filled += n;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(received, _nonce);
    }

    private static void BindUnixPath(Socket socket, string path)
    {
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse && IsStaleSocket(path))
        {
            // A server that died left its socket file: nobody answers there, so it is safe to replace.
            File.Delete(path);
            socket.Bind(new UnixDomainSocketEndPoint(path));
        }
    }

    private static bool IsStaleSocket(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return false;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode == SocketError.ConnectionRefused;
        }
    }

    private static IPAddress ResolveBindAddress(string bind, AddressFamily family)
    {
        if (bind == "*")
        {
            return family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        }
        IPAddress[] candidates = IPAddress.TryParse(bind, out IPAddress? literal) ? [literal] : Dns.GetHostAddresses(bind);
        foreach (IPAddress candidate in candidates)
        {
            if (family == AddressFamily.Unspecified
                ? candidate.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
                : candidate.AddressFamily == family)
            {
                return candidate;
            }
        }
        throw new FormatException($"'{bind}' has no address to listen on{(family == AddressFamily.Unspecified ? "" : " in the family asked for")}");
    }

    private static void WritePrivateFile(string path, byte[] contents)
    {
        // Created 0600 from the start so no other user can read the nonce between create and chmod.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var stream = new FileStream(path, options);
        stream.Write(contents);
    }

    private static string Format(string transport, IEnumerable<KeyValuePair<string, string>> properties, string guid) =>
        new DBusAddress(transport, properties.Append(new("guid", guid))).ToString();

    private static void TryDelete(Action delete)
    {
        try
        {
            delete();
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
