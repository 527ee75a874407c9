using System.Text;

namespace DBus.Runtime.Tests.Auth;

/// <summary>The other end of a real socket, driven line by line by a test: plays a SASL server or client script.</summary>
internal sealed class ScriptedPeer(DBusTransport transport)
{
    private readonly List<byte> _received = [];

    public DBusTransport Transport { get; } = transport;

    public async Task<byte> ReadByteAsync()
    {
        while (_received.Count == 0)
        {
            await FillAsync();
        }
        byte b = _received[0];
        _received.RemoveAt(0);
        return b;
    }

    public async Task<string> ReadLineAsync()
    {
        while (true)
        {
            for (int i = 0; i + 1 < _received.Count; i++)
            {
                if (_received[i] == '\r' && _received[i + 1] == '\n')
                {
                    string line = Encoding.ASCII.GetString(_received.GetRange(0, i).ToArray());
                    _received.RemoveRange(0, i + 2);
                    return line;
                }
            }
            await FillAsync();
        }
    }

    /// <summary>Reads the client's NUL byte and first line.</summary>
    public async Task<string> ReadGreetingAsync()
    {
        Assert.That(await ReadByteAsync(), Is.Zero, "the client starts with a NUL byte");
        return await ReadLineAsync();
    }

    public Task SendAsync(string text) => SendAsync(Encoding.ASCII.GetBytes(text));

    public Task SendAsync(byte[] bytes) => Transport.SendAsync(bytes, ReadOnlyMemory<int>.Empty, CancellationToken.None).AsTask();

    /// <summary>Whether the other side closed (reads 0) within the timeout.</summary>
    public async Task<bool> ClosedAsync()
    {
        try
        {
            while (true)
            {
                var buffer = new byte[256];
                int n = await Transport.ReceiveAsync(buffer, new Queue<UnixFd>(), CancellationToken.None).AsTask().WaitAsync(AuthTestHelpers.Timeout);
                if (n == 0)
                {
                    return true;
                }
            }
        }
        catch (System.Net.Sockets.SocketException)
        {
            return true;
        }
    }

    private async Task FillAsync()
    {
        var buffer = new byte[4096];
        int n = await Transport.ReceiveAsync(buffer, new Queue<UnixFd>(), CancellationToken.None).AsTask().WaitAsync(AuthTestHelpers.Timeout);
        if (n == 0)
        {
            throw new EndOfStreamException("the peer closed");
        }
        _received.AddRange(buffer.AsSpan(0, n).ToArray());
    }
}
