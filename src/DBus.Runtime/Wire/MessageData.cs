namespace DBus;

/// <summary>
/// What a <see cref="Message"/> holds: its pooled buffer, decoded header, descriptors and holder count. Pooled,
/// so sending or receiving a message allocates at most the small <see cref="Message"/> handle (a typed reply is read
/// through a <see cref="MessageView"/> and needs none). <see cref="Owner"/> names the one handle allowed to use it
/// and <see cref="Generation"/> changes on every release, so a stale handle, view or reader fails instead of
/// reading a later message.
/// </summary>
internal sealed class MessageData
{
    private static readonly ObjectPool<MessageData> s_pool = new(1024);

    public Message? Owner;
    public int Generation;
    public byte[]? Buffer;
    public int Length;
    public MessageHeader Header;
    public UnixFd?[] UnixFds = [];
    // Each consumer a message is delivered to (several signal queues, say) holds one reference; the last
    // Dispose releases the buffer.
    public int References;

    public static MessageData Rent(Message? owner, byte[] buffer, int length, in MessageHeader header, UnixFd?[] unixFds)
    {
        var data = s_pool.TryRent() ?? new MessageData();
        data.Buffer = buffer;
        data.Length = length;
        data.Header = header;
        data.UnixFds = unixFds;
        data.References = 1;
        Volatile.Write(ref data.Owner, owner);
        return data;
    }

    /// <summary>A reader positioned at the start of the body.</summary>
    public MessageReader CreateBodyReader() =>
        new(new ReadOnlySpan<byte>(Buffer, 0, Header.BodyOffset + Header.BodyLength), Header.BodyOffset, Header.BigEndian, this);

    /// <summary>Throws <see cref="ObjectDisposedException"/> unless this is still the message of <paramref name="generation"/>.</summary>
    public void EnsureGeneration(int generation)
    {
        if (Volatile.Read(ref Generation) != generation)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(Message));
        }
    }

    /// <summary>Hands the descriptor at <paramref name="index"/> to the caller, who then owns it.</summary>
    public UnixFd TakeUnixFd(int index, int offset)
    {
        var fds = UnixFds;
        if ((uint)index >= (uint)fds.Length)
        {
            ThrowHelper.ThrowProtocol(offset, $"descriptor index {index} but {fds.Length} descriptor(s) arrived with the message");
        }
        var fd = fds[index];
        if (fd is null)
        {
            ThrowHelper.ThrowInvalidOperation($"the descriptor at index {index} was already taken from this message");
        }
        fds[index] = null;
        return fd;
    }

    /// <summary>Closes the descriptors nobody took, returns the buffer, and goes back to the pool.</summary>
    public void Release()
    {
        Volatile.Write(ref Owner, null);
        Interlocked.Increment(ref Generation);
        var fds = UnixFds;
        for (int i = 0; i < fds.Length; i++)
        {
            fds[i]?.Dispose();
            fds[i] = null;
        }
        var buffer = Buffer;
        Buffer = null;
        UnixFds = [];
        Header = default;
        Length = 0;
        if (buffer is not null)
        {
            MessageBuffers.Return(buffer);
        }
        s_pool.Return(this);
    }
}
