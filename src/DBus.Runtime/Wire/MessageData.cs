namespace DBus;

/// <summary>
/// What a <see cref="Message"/> holds: its pooled buffer, decoded header, descriptors and holder count. Pooled,
/// so sending or receiving a message allocates only the small <see cref="Message"/> handle; <see cref="Owner"/>
/// names the one handle allowed to use it, which makes a stale handle fail instead of reading a later message.
/// </summary>
internal sealed class MessageData
{
    private static readonly ObjectPool<MessageData> s_pool = new(1024);

    public Message? Owner;
    public byte[]? Buffer;
    public int Length;
    public MessageHeader Header;
    public UnixFd?[] UnixFds = [];
    // Each consumer a message is delivered to (several signal queues, say) holds one reference; the last
    // Dispose releases the buffer.
    public int References;

    public static MessageData Rent(Message owner, byte[] buffer, int length, in MessageHeader header, UnixFd?[] unixFds)
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

    /// <summary>Closes the descriptors nobody took, returns the buffer, and goes back to the pool.</summary>
    public void Release()
    {
        Volatile.Write(ref Owner, null);
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
            ArrayPool<byte>.Shared.Return(buffer);
        }
        s_pool.Return(this);
    }
}
