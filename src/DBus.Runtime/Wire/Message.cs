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
/// After that every member but <see cref="Dispose"/> and <see cref="ToString"/> throws
/// <see cref="ObjectDisposedException"/>, and readers over the body must not be used.
/// </remarks>
public sealed partial class Message : IDisposable
{
    /// <summary>The largest message the specification allows (128 MiB).</summary>
    public const int MaxLength = 128 * 1024 * 1024;

    /// <summary>The length of the fixed part of the header, enough to compute the whole message's length.</summary>
    public const int FixedHeaderLength = 16;

    // The state lives in a pooled MessageData, so a message costs one small object; this handle is never reused,
    // and a handle whose data went back to the pool (or on to another message) is disposed for good.
    private MessageData? _data;

    internal Message(byte[] buffer, int length, in MessageHeader header, UnixFd?[] unixFds)
    {
        _data = MessageData.Rent(this, buffer, length, header, unixFds);
    }

    /// <summary>A handle for state that was received without one (see <see cref="TryReadData"/>).</summary>
    internal Message(MessageData data)
    {
        _data = data;
        Volatile.Write(ref data.Owner, this);
    }

    /// <summary>A view of this message, valid until it is disposed (what typed reply readers take).</summary>
    /// <exception cref="ObjectDisposedException">The message was disposed.</exception>
    public MessageView View => new(Data);

    /// <summary>The view of <paramref name="message"/>, so a reader written for <see cref="MessageView"/> also reads a
    /// <see cref="Message"/>.</summary>
    /// <exception cref="ObjectDisposedException">The message was disposed.</exception>
    public static implicit operator MessageView(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.View;
    }

    // The Owner check catches a handle used after it was disposed. It cannot catch a use that races its own Dispose
    // on another thread (the data may be released between the check and the read): that stays the caller's bug.
    private MessageData Data
    {
        get
        {
            var data = _data;
            if (data is null || !ReferenceEquals(data.Owner, this))
            {
                ThrowHelper.ThrowObjectDisposed(nameof(Message));
            }
            return data;
        }
    }

    /// <summary>Method call, method return, error or signal (or, from a newer peer, a type this library does not know).</summary>
    public MessageType Type => Header.Type;

    /// <summary>The header flags.</summary>
    public MessageFlags Flags => Header.Flags;

    /// <summary>The byte order the message is encoded in.</summary>
    public DBusByteOrder ByteOrder => Header.BigEndian ? DBusByteOrder.BigEndian : DBusByteOrder.LittleEndian;

    /// <summary>The serial; 0 for a message built by <see cref="MessageWriter"/> that was not sent yet.</summary>
    public uint Serial => Header.Serial;

    /// <summary>The serial of the call this message replies to (method returns and errors).</summary>
    public uint? ReplySerial => Header.ReplySerialOrNull;

    /// <summary>The object path (method calls and signals).</summary>
    public ObjectPath? Path => Header.PathOrNull;

    /// <summary>The interface name (signals; optional on method calls).</summary>
    public string? Interface => Header.Interface;

    /// <summary>The method or signal name.</summary>
    public string? Member => Header.Member;

    /// <summary>The error name (errors).</summary>
    public string? ErrorName => Header.ErrorName;

    /// <summary>The bus name the message is for.</summary>
    public string? Destination => Header.Destination;

    /// <summary>The unique name of the sender (set by the bus).</summary>
    public string? Sender => Header.Sender;

    /// <summary>The signature of the body (empty when there is no body).</summary>
    public Signature Signature => Header.BodySignature;

    /// <summary>The number of Unix file descriptors that travel with the message.</summary>
    public int UnixFdCount => (int)Header.UnixFdCount;

    /// <summary>The length of the body in bytes.</summary>
    public int BodyLength => Header.BodyLength;

    /// <summary>The length of the whole encoded message in bytes.</summary>
    public int Length => Data.Length;

    /// <summary>The size of the buffer the message holds (at least <see cref="Length"/>): what it costs while it waits.</summary>
    internal int BufferSize => Data.Buffer!.Length;

    /// <summary>The complete encoded message (header and body), to hand to a socket without copying.</summary>
    /// <exception cref="ObjectDisposedException">The message was disposed.</exception>
    public ReadOnlyMemory<byte> Bytes
    {
        get
        {
            var data = Data;
            return new(data.Buffer, 0, data.Length);
        }
    }

    internal ReadOnlySpan<byte> Span
    {
        get
        {
            var data = Data;
            return new(data.Buffer, 0, data.Length);
        }
    }

    /// <summary>The descriptors to send beside the bytes (null entries were taken by a reader).</summary>
    internal ReadOnlySpan<UnixFd?> UnixFds => Data.UnixFds;

    // Every header property reads through this, so a disposed message throws ObjectDisposedException.
    internal ref readonly MessageHeader Header => ref Data.Header;

    /// <summary>A reader positioned at the start of the body.</summary>
    /// <exception cref="ObjectDisposedException">The message was disposed.</exception>
    public MessageReader GetBodyReader() => Data.CreateBodyReader();

    /// <summary>Sets the serial in place, just before the message is sent; only the connection does this.</summary>
    internal void SetSerial(uint serial)
    {
        if (serial == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(serial), "a serial must not be zero");
        }
        var data = Data;
        var span = data.Buffer.AsSpan(8, 4);
        if (data.Header.BigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span, serial);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span, serial);
        }
        data.Header.Serial = serial;
    }

    /// <summary>Adds <paramref name="flags"/> to the header in place, before the message is sent (StartCall without
    /// handlers flags its call NO_REPLY_EXPECTED).</summary>
    internal void AddFlags(MessageFlags flags)
    {
        var data = Data;
        data.Header.Flags |= flags;
        data.Buffer![2] = (byte)data.Header.Flags;
    }

    /// <summary>Adds a holder: the message stays readable until each holder (and the original owner) disposed it.</summary>
    internal Message AddReference()
    {
        var data = Data;
        int references;
        do
        {
            references = Volatile.Read(ref data.References);
            if (references <= 0)
            {
                ThrowHelper.ThrowObjectDisposed(nameof(Message));
            }
        }
        while (Interlocked.CompareExchange(ref data.References, references + 1, references) != references);
        return this;
    }

    /// <summary>Returns the buffer to the pool and closes the descriptors nobody took (once the last holder disposed it).</summary>
    /// <remarks>
    /// Every holder shares this one handle, so each must dispose it exactly once: a holder that disposes twice
    /// releases another holder's reference. Only that misuse can race two releases; the exchange on the data below
    /// makes sure the buffer and the pooled data still go back to their pools once, not twice (a double return would
    /// hand the same buffer to two later messages).
    /// </remarks>
    public void Dispose()
    {
        var data = _data;
        if (data is null || !ReferenceEquals(data.Owner, this) || Interlocked.Decrement(ref data.References) > 0)
        {
            return;
        }
        if (Interlocked.CompareExchange(ref _data, null, data) == data)
        {
            data.Release();
        }
    }

    /// <summary>A one-line summary of the header, for logs.</summary>
    public override string ToString()
    {
        if (_data is not { } data || !ReferenceEquals(data.Owner, this))
        {
            return "(disposed message)";
        }
        var sb = new StringBuilder();
        sb.Append(Type).Append(" serial=").Append(Serial);
        if (Header.ReplySerial != 0) sb.Append(" reply_serial=").Append(Header.ReplySerial);
        if (Header.Sender is not null) sb.Append(" sender=").Append(Header.Sender);
        if (Header.Destination is not null) sb.Append(" destination=").Append(Header.Destination);
        if (Header.Path is not null) sb.Append(" path=").Append(Header.Path);
        if (Header.Interface is not null) sb.Append(" interface=").Append(Header.Interface);
        if (Header.Member is not null) sb.Append(" member=").Append(Header.Member);
        if (Header.ErrorName is not null) sb.Append(" error_name=").Append(Header.ErrorName);
        sb.Append(" signature='").Append(Header.Signature?.Text).Append('\'');
        if (Header.UnixFdCount != 0) sb.Append(" unix_fds=").Append(Header.UnixFdCount);
        return sb.ToString();
    }
}
