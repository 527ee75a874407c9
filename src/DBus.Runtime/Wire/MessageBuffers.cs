namespace DBus;

/// <summary>
/// Where message buffers go back: small ones to <see cref="ArrayPool{T}.Shared"/>, which keeps a bounded number per
/// size; large ones to the GC. The shared pool keeps up to dozens of arrays per size and thread for as long as the
/// process lives (it trims only under memory pressure), so the megabytes of a burst of big messages, such as the
/// backlog of a peer that did not read, would stay with the process after it.
/// </summary>
internal static class MessageBuffers
{
    /// <summary>Buffers at least this big are not pooled: renting one costs an allocation that is not zeroed, and the
    /// copy of a message that size costs more than that anyway.</summary>
    public const int LargeBufferSize = 1024 * 1024;

    public static void Return(byte[] buffer)
    {
        if (buffer.Length < LargeBufferSize)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
