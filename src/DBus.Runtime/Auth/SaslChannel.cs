using System.Text;

namespace DBus.Auth;

/// <summary>
/// The line-oriented side of a transport during SASL: reads CRLF-terminated ASCII lines under a length limit, writes
/// lines, and keeps whatever arrived after the last line read for the message layer.
/// </summary>
internal sealed class SaslChannel
{
    private readonly DBusTransport _transport;
    private readonly int _maxLineLength;
    private readonly Queue<UnixFd> _fds = new();
    private byte[] _buffer;
    private int _start;
    private int _end;

    public SaslChannel(DBusTransport transport, int maxLineLength, string peer)
    {
        if (maxLineLength < 64)
        {
            ThrowHelper.ThrowArgument(nameof(maxLineLength), "the SASL line limit must be at least 64 bytes");
        }
        _transport = transport;
        _maxLineLength = maxLineLength;
        _buffer = new byte[Math.Min(maxLineLength + 2, 1024)];
        Peer = peer;
    }

    /// <summary>"server" or "client", for messages.</summary>
    public string Peer { get; }

    /// <summary>What the handshake is waiting for, for timeout and disconnection messages.</summary>
    public string Waiting { get; set; } = "starting";

    public async ValueTask<byte> ReadByteAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
        return _buffer[_start++];
    }

    /// <summary>Reads one line without its terminator (CRLF; a bare LF is accepted too). Bytes are mapped one to one to
    /// chars, so a caller can tell garbage with <see cref="IsText"/>.</summary>
    public async ValueTask<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        int scanned = _start;
        while (true)
        {
            int newline = Array.IndexOf(_buffer, (byte)'\n', scanned, _end - scanned);
            if (newline >= 0)
            {
                int lineEnd = newline > _start && _buffer[newline - 1] == '\r' ? newline - 1 : newline;
                if (lineEnd - _start > _maxLineLength)
                {
                    throw LineTooLong();
                }
                string line = Encoding.Latin1.GetString(_buffer, _start, lineEnd - _start);
                _start = newline + 1;
                return line;
            }
            if (_end - _start > _maxLineLength + 1)
            {
                throw LineTooLong();
            }
            scanned = _end;
            int consumed = _start;
            await FillAsync(cancellationToken).ConfigureAwait(false);
            scanned -= consumed - _start;
        }
    }

    public static bool IsText(string line)
    {
        foreach (char c in line)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }
        return true;
    }

    public ValueTask WriteLineAsync(string line, CancellationToken cancellationToken) =>
        _transport.SendAsync(Encoding.ASCII.GetBytes(line + "\r\n"), ReadOnlyMemory<int>.Empty, cancellationToken);

    public ValueTask WriteAsync(byte[] bytes, CancellationToken cancellationToken) =>
        _transport.SendAsync(bytes, ReadOnlyMemory<int>.Empty, cancellationToken);

    /// <summary>The bytes and descriptors received past the last line read.</summary>
    public (ReadOnlyMemory<byte> Bytes, Queue<UnixFd> Fds) TakeReadAhead()
    {
        var bytes = _buffer.AsMemory(_start, _end - _start);
        _start = _end;
        return (bytes, _fds);
    }

    /// <summary>Closes descriptors that arrived during a handshake that failed.</summary>
    public void DisposeFds()
    {
        while (_fds.TryDequeue(out UnixFd? fd))
        {
            fd.Dispose();
        }
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _maxLineLength + 2));
            }
        }
        int fdsBefore = _fds.Count;
        int received = await _transport.ReceiveAsync(_buffer.AsMemory(_end), _fds, cancellationToken).ConfigureAwait(false);
        if (fdsBefore > 0 && _fds.Count > fdsBefore)
        {
            // Legitimately only the first message after BEGIN brings descriptors, and a receive stops at the segment
            // that carried them: the line with BEGIN is read by then. A second batch is a peer hoarding descriptors.
            DisposeFds();
            throw new DBusAuthenticationException($"The {Peer} sent Unix file descriptors with its authentication lines, while {Waiting}.");
        }
        if (received == 0)
        {
            throw new DBusAuthenticationException($"The {Peer} closed the connection during authentication, while {Waiting}.");
        }
        _end += received;
    }

    private DBusAuthenticationException LineTooLong() =>
        new($"The {Peer} sent a line longer than {_maxLineLength} bytes during authentication, while {Waiting}.");
}
