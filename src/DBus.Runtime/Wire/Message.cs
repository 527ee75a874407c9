using System.Buffers.Binary;
using System.Text;

namespace DBus;

/// <summary>
/// One D-Bus message, immutable, over a pooled buffer holding its complete encoding. Build one with
/// <see cref="MessageWriter"/>; receive one with <see cref="TryRead"/> or <see cref="Parse"/>; read its body with
/// <see cref="GetBodyReader"/>.
/// </summary>
/// <remarks>
/// Dispose the message when done: that returns the buffer to the pool and closes the descriptors it carries
/// that nobody took (<see cref="MessageReader.ReadUnixFd"/> hands a descriptor over to the caller).
/// Readers over the body must not be used after that.
/// </remarks>
public sealed partial class Message : IDisposable
{
    /// <summary>The largest message the specification allows (128 MiB).</summary>
    public const int MaxLength = 128 * 1024 * 1024;

    /// <summary>The length of the fixed part of the header, enough to compute the whole message's length.</summary>
    public const int FixedHeaderLength = 16;

    private byte[]? _buffer;
    private readonly int _length;
    private MessageHeader _header;
    private readonly UnixFd?[] _unixFds;
    // Each consumer a message is delivered to (several signal queues, say) holds one reference; the last
    // Dispose releases the buffer.
    private int _references = 1;

    internal Message(byte[] buffer, int length, in MessageHeader header, UnixFd?[] unixFds)
    {
        _buffer = buffer;
        _length = length;
        _header = header;
        _unixFds = unixFds;
    }

    /// <summary>Method call, method return, error or signal (or, from a newer peer, a type this library does not know).</summary>
    public MessageType Type => _header.Type;

    /// <summary>The header flags.</summary>
    public MessageFlags Flags => _header.Flags;

    /// <summary>The byte order the message is encoded in.</summary>
    public DBusByteOrder ByteOrder => _header.BigEndian ? DBusByteOrder.BigEndian : DBusByteOrder.LittleEndian;

    /// <summary>The serial; 0 for a message built by <see cref="MessageWriter"/> that was not sent yet.</summary>
    public uint Serial => _header.Serial;

    /// <summary>The serial of the call this message replies to (method returns and errors).</summary>
    public uint? ReplySerial => _header.ReplySerial == 0 ? null : (uint?)_header.ReplySerial;

    /// <summary>The object path (method calls and signals).</summary>
    public ObjectPath? Path => _header.Path is null ? null : (ObjectPath?)ObjectPath.FromValidated(_header.Path);

    /// <summary>The interface name (signals; optional on method calls).</summary>
    public string? Interface => _header.Interface;

    /// <summary>The method or signal name.</summary>
    public string? Member => _header.Member;

    /// <summary>The error name (errors).</summary>
    public string? ErrorName => _header.ErrorName;

    /// <summary>The bus name the message is for.</summary>
    public string? Destination => _header.Destination;

    /// <summary>The unique name of the sender (set by the bus).</summary>
    public string? Sender => _header.Sender;

    /// <summary>The signature of the body (empty when there is no body).</summary>
    public Signature Signature => new(_header.Signature ?? SignatureInfo.Empty);

    /// <summary>The number of Unix file descriptors that travel with the message.</summary>
    public int UnixFdCount => (int)_header.UnixFdCount;

    /// <summary>The length of the body in bytes.</summary>
    public int BodyLength => _header.BodyLength;

    /// <summary>The length of the whole encoded message in bytes.</summary>
    public int Length => _length;

    /// <summary>The complete encoded message (header and body), to hand to a socket without copying.</summary>
    /// <exception cref="ObjectDisposedException">The message was disposed.</exception>
    public ReadOnlyMemory<byte> Bytes => new(Buffer, 0, _length);

    internal ReadOnlySpan<byte> Span => new(Buffer, 0, _length);

    /// <summary>The descriptors to send beside the bytes (null entries were taken by a reader).</summary>
    internal ReadOnlySpan<UnixFd?> UnixFds => _unixFds;

    internal ref readonly MessageHeader Header => ref _header;

    private byte[] Buffer
    {
        get
        {
            var buffer = _buffer;
            if (buffer is null)
            {
                ThrowHelper.ThrowObjectDisposed(nameof(Message));
            }
            return buffer;
        }
    }

    /// <summary>A reader positioned at the start of the body.</summary>
    /// <exception cref="ObjectDisposedException">The message was disposed.</exception>
    public MessageReader GetBodyReader() =>
        new(new ReadOnlySpan<byte>(Buffer, 0, _header.BodyOffset + _header.BodyLength), _header.BodyOffset, _header.BigEndian, this);

    /// <summary>Sets the serial in place, just before the message is sent; only the connection does this.</summary>
    internal void SetSerial(uint serial)
    {
        if (serial == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(serial), "a serial must not be zero");
        }
        var span = Buffer.AsSpan(8, 4);
        if (_header.BigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span, serial);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span, serial);
        }
        _header.Serial = serial;
    }

    /// <summary>Hands the descriptor at <paramref name="index"/> to the caller, who then owns it.</summary>
    internal UnixFd TakeUnixFd(int index, int offset)
    {
        if ((uint)index >= (uint)_unixFds.Length)
        {
            ThrowHelper.ThrowProtocol(offset, $"descriptor index {index} but {_unixFds.Length} descriptor(s) arrived with the message");
        }
        var fd = _unixFds[index];
        if (fd is null)
        {
            ThrowHelper.ThrowInvalidOperation($"the descriptor at index {index} was already taken from this message");
        }
        _unixFds[index] = null;
        return fd;
    }

    /// <summary>Adds a holder: the message stays readable until each holder (and the original owner) disposed it.</summary>
    internal Message AddReference()
    {
        int references;
        do
        {
            references = Volatile.Read(ref _references);
            if (references <= 0)
            {
                ThrowHelper.ThrowObjectDisposed(nameof(Message));
            }
        }
        while (Interlocked.CompareExchange(ref _references, references + 1, references) != references);
        return this;
    }

    /// <summary>Returns the buffer to the pool and closes the descriptors nobody took (once the last holder disposed it).</summary>
    public void Dispose()
    {
        if (Interlocked.Decrement(ref _references) > 0)
        {
            return;
        }
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is null)
        {
            return;
        }
        for (int i = 0; i < _unixFds.Length; i++)
        {
            _unixFds[i]?.Dispose();
            _unixFds[i] = null;
        }
        ArrayPool<byte>.Shared.Return(buffer);
    }

    /// <summary>A one-line summary of the header, for logs.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(Type).Append(" serial=").Append(Serial);
        if (_header.ReplySerial != 0) sb.Append(" reply_serial=").Append(_header.ReplySerial);
        if (_header.Sender is not null) sb.Append(" sender=").Append(_header.Sender);
        if (_header.Destination is not null) sb.Append(" destination=").Append(_header.Destination);
        if (_header.Path is not null) sb.Append(" path=").Append(_header.Path);
        if (_header.Interface is not null) sb.Append(" interface=").Append(_header.Interface);
        if (_header.Member is not null) sb.Append(" member=").Append(_header.Member);
        if (_header.ErrorName is not null) sb.Append(" error_name=").Append(_header.ErrorName);
        sb.Append(" signature='").Append(_header.Signature?.Text).Append('\'');
        if (_header.UnixFdCount != 0) sb.Append(" unix_fds=").Append(_header.UnixFdCount);
        return sb.ToString();
    }
}
