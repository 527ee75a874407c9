namespace DBus;

/// <summary>
/// A received message lent to a reader for as long as the reader runs (typed replies: <see cref="ReplyReader{T}"/>).
/// A ref struct, so it cannot be kept: nothing can read the message after it went back to the pool, and the
/// connection needs no <see cref="Message"/> object for it. A <see cref="Message"/> converts to a view implicitly.
/// </summary>
/// <remarks>Every member throws <see cref="ObjectDisposedException"/> once the message was released.</remarks>
public readonly ref struct MessageView
{
    private readonly MessageData? _data;
    private readonly int _generation;

    internal MessageView(MessageData data)
    {
        _data = data;
        _generation = data.Generation;
    }

    private MessageData Data
    {
        get
        {
            var data = _data;
            if (data is null)
            {
                ThrowHelper.ThrowObjectDisposed(nameof(Message));
            }
            data.EnsureGeneration(_generation);
            return data;
        }
    }

    private ref readonly MessageHeader Header => ref Data.Header;

    /// <inheritdoc cref="Message.Type"/>
    public MessageType Type => Header.Type;

    /// <inheritdoc cref="Message.Flags"/>
    public MessageFlags Flags => Header.Flags;

    /// <inheritdoc cref="Message.Serial"/>
    public uint Serial => Header.Serial;

    /// <inheritdoc cref="Message.ReplySerial"/>
    public uint? ReplySerial => Header.ReplySerialOrNull;

    /// <inheritdoc cref="Message.Path"/>
    public ObjectPath? Path => Header.PathOrNull;

    /// <inheritdoc cref="Message.Interface"/>
    public string? Interface => Header.Interface;

    /// <inheritdoc cref="Message.Member"/>
    public string? Member => Header.Member;

    /// <inheritdoc cref="Message.ErrorName"/>
    public string? ErrorName => Header.ErrorName;

    /// <inheritdoc cref="Message.Destination"/>
    public string? Destination => Header.Destination;

    /// <inheritdoc cref="Message.Sender"/>
    public string? Sender => Header.Sender;

    /// <inheritdoc cref="Message.Signature"/>
    public Signature Signature => Header.BodySignature;

    /// <inheritdoc cref="Message.UnixFdCount"/>
    public int UnixFdCount => (int)Header.UnixFdCount;

    /// <inheritdoc cref="Message.BodyLength"/>
    public int BodyLength => Header.BodyLength;

    /// <inheritdoc cref="Message.GetBodyReader"/>
    public MessageReader GetBodyReader() => Data.CreateBodyReader();
}
