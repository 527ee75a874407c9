using System.Net.Sockets;
using System.Text;

namespace DBus.ScaleTests;

/// <summary>
/// A client as cheap as it gets: a Unix socket that sends the SASL EXTERNAL handshake, BEGIN and Hello in one write and
/// reads the OK line and Hello's reply, then stays idle (or silent, or never reads: whatever the test needs).
/// </summary>
internal sealed class RawClient : IDisposable
{
    private static readonly byte[] s_login = MakeLogin();

    private RawClient(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    public static async Task<Socket> ConnectAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Connects, authenticates and says Hello; returns once Hello's reply is in.</summary>
    public static async Task<RawClient> LoginAsync(string path, CancellationToken cancellationToken)
    {
        var socket = await ConnectAsync(path, cancellationToken);
        try
        {
            await socket.SendAsync(s_login, SocketFlags.None, cancellationToken);
            var buffer = new byte[1024];
            int used = 0;
            int messageStart = -1;
            while (true)
            {
                int read = await socket.ReceiveAsync(buffer.AsMemory(used), SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    throw new IOException("the server closed the connection during login: " + Encoding.ASCII.GetString(buffer, 0, used));
                }
                used += read;
                if (messageStart < 0)
                {
                    int newline = Array.IndexOf(buffer, (byte)'\n', 0, used);
                    if (newline < 0)
                    {
                        continue;
                    }
                    if (buffer[0] != (byte)'O' || buffer[1] != (byte)'K')
                    {
                        throw new IOException("authentication refused: " + Encoding.ASCII.GetString(buffer, 0, newline));
                    }
                    messageStart = newline + 1;
                }
                if (Message.TryGetLength(buffer.AsSpan(messageStart, used - messageStart), out int length) && used - messageStart >= length)
                {
                    return new RawClient(socket);
                }
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The login bytes without Hello's reply read: for a client that floods calls and reads nothing.</summary>
    public static byte[] Login => s_login;

    private static byte[] MakeLogin()
    {
        var bytes = new MemoryStream();
        string uid = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
        bytes.Write("\0AUTH EXTERNAL "u8);
        bytes.Write(Encoding.ASCII.GetBytes(Convert.ToHexString(Encoding.ASCII.GetBytes(uid))));
        bytes.Write("\r\nBEGIN\r\n"u8);
        using var hello = MessageWriter.CreateMethodCall("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello").ToMessage();
        hello.SetSerial(1);
        bytes.Write(hello.Bytes.Span);
        return bytes.ToArray();
    }

    public void Dispose() => Socket.Dispose();
}
