namespace DBus.Fuzz.Tests;

/// <summary>
/// A transport whose peer is a script: receives return the script's bytes in chunks of varying size (so lines and
/// messages straddle reads), then the end of the stream; whatever is sent is dropped.
/// </summary>
internal sealed class ScriptedTransport(byte[] script) : DBusTransport
{
    private static readonly int[] s_chunks = [int.MaxValue, 1, 7, 64, 2];
    private int _position;
    private int _reads;
    private bool _shutdown;

    public override bool CanPassUnixFds => true;

    // The process's own credentials, so EXTERNAL for our uid can succeed.
    public override PeerCredentials? PeerCredentials { get; } = new(Environment.ProcessId, DBus.Transport.SocketInterop.GetEffectiveUserId(), 0);

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, Queue<UnixFd> fds, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_shutdown || _position >= script.Length)
        {
            return new(0);
        }
        int count = Math.Min(Math.Min(buffer.Length, script.Length - _position), s_chunks[_reads++ % s_chunks.Length]);
        script.AsSpan(_position, count).CopyTo(buffer.Span);
        _position += count;
        return new(count);
    }

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, ReadOnlyMemory<int> fds, CancellationToken cancellationToken) =>
        _shutdown ? ValueTask.FromException(new IOException("the scripted transport was shut down")) : default;

    public override void Shutdown() => _shutdown = true;

    public override void Dispose() => Shutdown();
}
