using System.Runtime.CompilerServices;

namespace DBus;

public sealed partial class MessageStream
{
    private const int InitialReceiveBufferSize = 64 * 1024;

    // Received bytes live in _receiveBuffer[_receiveStart.._receiveEnd); whole messages are copied out of it
    // into their own pooled buffers, so it is compacted (or grown to a big message's length) in place.
    private byte[]? _receiveBuffer;
    private int _receiveStart;
    private int _receiveEnd;
    // Stream offset of _receiveStart: the bytes of every message taken so far.
    private long _takenBytes;
    private int _receiving;
    // The last message taken was large: the next one likely is too, so its fixed header is read alone first (see
    // PrepareReceiveSpace).
    private bool _lastTakenWasLarge;

    /// <summary>
    /// Returns the next incoming message, whatever it is (the caller disposes it): first those a
    /// <see cref="ReceiveUntil"/> set aside, in order. Only one receive may run at a time.
    /// </summary>
    /// <exception cref="DBusDisconnectedException">The peer closed the connection, or it was closed; after a
    /// malformed message the inner exception is the <see cref="DBusProtocolException"/> that says what was wrong.</exception>
    /// <exception cref="OperationCanceledException">The token fired; the stream stays usable.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Message> ReceiveAsync(CancellationToken cancellationToken = default) =>
        TryTakeSetAside(out var setAside) ? setAside : new(await ReceiveDataAsync(cancellationToken).ConfigureAwait(false));

    /// <summary><see cref="ReceiveAsync"/> without the <see cref="Message"/> handle (the connection's dispatch loop
    /// makes one only for what reaches user code as a <see cref="Message"/>).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<MessageData> ReceiveDataAsync(CancellationToken cancellationToken = default)
    {
        EnterReceive();
        try
        {
            while (true)
            {
                if (TryTakeOrMakeRoom(out var message, out var free))
                {
                    return message;
                }
                int received;
                try
                {
                    received = await _transport.ReceiveAsync(free, _receivedFds.Queue, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !_closing.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception e) when (e is not DBusDisconnectedException)
                {
                    throw ReadFailed(e);
                }
                OnReceived(received);
            }
        }
        finally
        {
            Volatile.Write(ref _receiving, 0);
        }
    }

    /// <summary>True when the transport is driven by the reactor (<see cref="TryReceiveData"/>, <see cref="SetReadHandler"/>).</summary>
    internal bool CanNotifyReady => _transport.CanNotifyReady;

    /// <summary>Runs <paramref name="handler"/> on a reactor thread whenever a message may be there to take with
    /// <see cref="TryReceiveData"/> (only when <see cref="CanNotifyReady"/>).</summary>
    internal void SetReadHandler(Transport.IReadyHandler handler) => _transport.SetReadHandler(handler);

    /// <summary>
    /// The non-waiting twin of <see cref="ReceiveDataAsync"/>, for a connection driven by the reactor: the next whole
    /// message, or false when the socket has no more bytes for now. Once nothing is buffered, the receive buffer goes
    /// back to the pool, so an idle connection holds none.
    /// </summary>
    /// <param name="message">The message taken.</param>
    /// <param name="drained">Set once a read shows the socket empty; while set, no read is made (start each turn
    /// after a readiness event with false). A read that returns less than it asked for, with no descriptors, emptied
    /// the socket: anything later raises a new edge-triggered event. A read that brought descriptors may have stopped
    /// at them, so only an EAGAIN says the socket is empty then. This saves the system call per message that would
    /// only say EAGAIN.</param>
    /// <exception cref="DBusDisconnectedException">The stream is closed, or the peer closed it or broke the protocol.</exception>
    internal bool TryReceiveData([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MessageData? message, ref bool drained)
    {
        EnterReceive();
        try
        {
            while (true)
            {
                if (TryTakeOrMakeRoom(out message, out var free))
                {
                    return true;
                }
                if (drained)
                {
                    ReturnEmptyReceiveBuffer();
                    return false;
                }
                int fdsBefore = _receivedFds.Queue.Count;
                int received;
                try
                {
                    received = _transport.TryReceive(free.Span, _receivedFds.Queue);
                }
                catch (Exception e) when (e is not DBusDisconnectedException)
                {
                    throw ReadFailed(e);
                }
                if (received < 0)
                {
                    drained = true;
                    ReturnEmptyReceiveBuffer();
                    return false;
                }
                drained = received < free.Length && _receivedFds.Queue.Count == fdsBefore;
                OnReceived(received);
            }
        }
        finally
        {
            Volatile.Write(ref _receiving, 0);
        }
    }

    private void EnterReceive()
    {
        if (Interlocked.Exchange(ref _receiving, 1) != 0)
        {
            ThrowHelper.ThrowInvalidOperation("another receive is already running on this message stream");
        }
    }

    /// <summary>One step of a receive: a whole buffered message if there is one, else the room to read more into.</summary>
    /// <exception cref="DBusDisconnectedException">The stream is closed.</exception>
    private bool TryTakeOrMakeRoom([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MessageData? message, out Memory<byte> free)
    {
        if (_closeReason is not null)
        {
            throw ClosedException();
        }
        if (TryTakeMessage(out message))
        {
            free = default;
            return true;
        }
        free = PrepareReceiveSpace();
        return false;
    }

    private DBusDisconnectedException ReadFailed(Exception e)
    {
        Close(new DBusDisconnectedException(_closing.IsCancellationRequested ? "the connection was closed" : "reading from the connection failed: " + e.Message, e));
        return ClosedException();
    }

    /// <summary>Accounts for <paramref name="received"/> new bytes; none means the peer closed the connection.</summary>
    private void OnReceived(int received)
    {
        if (received == 0)
        {
            Close(new DBusDisconnectedException(_receiveEnd > _receiveStart
                ? $"the peer closed the connection in the middle of a message ({_receiveEnd - _receiveStart} bytes of it received)"
                : "the peer closed the connection"));
            throw ClosedException();
        }
        _receiveEnd += received;
        if (_receivedFds.OnRead(_takenBytes + _receiveEnd - _receiveStart) is { } error)
        {
            throw DescriptorViolation(error);
        }
    }

    /// <summary>Drops a peer that sent descriptors it must not (their descriptors are already closed).</summary>
    private DBusDisconnectedException DescriptorViolation(string reason)
    {
        string what = _receivedFds.PassedConnectionLimit ? "the peer sent more descriptors than this connection holds: " : "the peer broke the protocol: ";
        Close(new DBusDisconnectedException(what + reason, new DBusProtocolException(reason, -1)));
        return ClosedException();
    }

    /// <summary>
    /// True when a whole message is already buffered, so the dispatcher will have more to do at once (replies it
    /// sends meanwhile are better batched). Only the receiving side may ask, between receives.
    /// </summary>
    internal bool HasBufferedMessage
    {
        get
        {
            var buffer = _receiveBuffer;
            int pending = _receiveEnd - _receiveStart;
            if (buffer is null || pending < Message.FixedHeaderLength)
            {
                return false;
            }
            try
            {
                return Message.TryGetLength(buffer.AsSpan(_receiveStart, pending), out int length) && length <= pending;
            }
            catch (DBusProtocolException)
            {
                return true; // malformed: the next receive says so and closes the stream
            }
        }
    }

    /// <summary>True when received bytes wait in the buffer (read ahead during the handshake, say). Only the
    /// receiving side may ask, between receives.</summary>
    internal bool HasBufferedBytes => _receiveBuffer is not null && _receiveEnd > _receiveStart;

    /// <summary>Frames one whole message off the front of the receive buffer, if one is there.</summary>
    private bool TryTakeMessage([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MessageData? message)
    {
        message = null;
        var buffer = _receiveBuffer;
        if (buffer is null || _receiveEnd - _receiveStart < Message.FixedHeaderLength)
        {
            return false;
        }
        int consumed;
        try
        {
            if (!TryAdoptLargeMessage(buffer, out message, out consumed))
            {
                var bytes = new ReadOnlySequence<byte>(buffer, _receiveStart, _receiveEnd - _receiveStart);
                long before = bytes.Length;
                if (!Message.TryReadData(ref bytes, out message, _receivedFds.Queue, MaxMessageSize))
                {
                    return false;
                }
                consumed = (int)(before - bytes.Length);
                _receiveStart += consumed;
            }
        }
        catch (DBusProtocolException e)
        {
            Close(new DBusDisconnectedException("the peer sent a malformed message: " + e.Message, e));
            throw ClosedException();
        }
        _takenBytes += consumed;
        _lastTakenWasLarge = consumed >= InitialReceiveBufferSize;
        if (_receivedFds.OnTaken((int)message.Header.UnixFdCount, _takenBytes) is { } error)
        {
            message.Release();
            message = null;
            throw DescriptorViolation(error);
        }
        if (_receiveStart == _receiveEnd)
        {
            _receiveStart = _receiveEnd = 0;
        }
        return true;
    }

    /// <summary>
    /// Takes a whole large message (at least <see cref="InitialReceiveBufferSize"/>) that starts the receive buffer
    /// by handing the buffer itself to it, instead of copying it out: such a message was read into a buffer grown
    /// for it (<see cref="PrepareReceiveSpace"/> puts it at the start and reads no further than its end), so what
    /// follows it in the buffer, if anything, was read before its length was known: moved to a fresh buffer. Saves a
    /// copy of every large message (a 400 KB call: tens of microseconds).
    /// </summary>
    /// <exception cref="DBusProtocolException">The message is malformed.</exception>
    private bool TryAdoptLargeMessage(byte[] buffer, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MessageData? message, out int consumed)
    {
        message = null;
        consumed = 0;
        int pending = _receiveEnd - _receiveStart;
        if (_receiveStart != 0 || !Message.TryGetLength(buffer.AsSpan(0, pending), out int length)
            || length < InitialReceiveBufferSize || length > pending || length > MaxMessageSize)
        {
            return false; // a small or incomplete message, or one TryReadData refuses with the reason
        }
        byte[]? rest = null;
        if (pending > length)
        {
            rest = ArrayPool<byte>.Shared.Rent(Math.Max(InitialReceiveBufferSize, pending - length));
            buffer.AsSpan(length, pending - length).CopyTo(rest);
        }
        try
        {
            message = Message.AdoptData(buffer, length, _receivedFds.Queue);
        }
        catch
        {
            if (rest is not null)
            {
                ArrayPool<byte>.Shared.Return(rest);
            }
            throw;
        }
        // The message owns the old buffer now; the receive side goes on in the new one (or rents one when it reads).
        _receiveBuffer = rest;
        _receiveStart = 0;
        _receiveEnd = pending - length;
        consumed = length;
        return true;
    }

    /// <summary>
    /// The free tail of the receive buffer to read into, after compacting it or growing it to fit the message in it.
    /// Small messages are read many per read. A large message (at least <see cref="InitialReceiveBufferSize"/>) is
    /// read like sd-bus reads every message, with nothing of the next one: once its length is known, the read stops
    /// at its end, so the buffer can be handed to it whole (<see cref="TryAdoptLargeMessage"/>) with nothing to move
    /// out; and after a large message only the next fixed header is read, so the next large one starts in a buffer
    /// of its own size instead of being copied there from a small one. Without this a stream of 400 KB calls spent
    /// 6 % of the server's time in memmove.
    /// </summary>
    private Memory<byte> PrepareReceiveSpace()
    {
        if (_receiveBuffer is null)
        {
            // Returned while idle (or never rented): the stream is open, TryTakeOrMakeRoom checked.
            _receiveBuffer = ArrayPool<byte>.Shared.Rent(InitialReceiveBufferSize);
            _receiveStart = _receiveEnd = 0;
        }
        var buffer = _receiveBuffer;
        int pending = _receiveEnd - _receiveStart;
        int needed = InitialReceiveBufferSize;
        int length = 0;
        if (pending >= Message.FixedHeaderLength)
        {
            // Already validated by TryTakeMessage: the length is at most 128 MiB.
            Message.TryGetLength(buffer.AsSpan(_receiveStart, pending), out length);
            needed = Math.Max(needed, length);
        }
        if (buffer.Length - _receiveEnd < 512 || buffer.Length - _receiveStart < needed)
        {
            if (buffer.Length >= needed && _receiveStart > 0)
            {
                buffer.AsSpan(_receiveStart, pending).CopyTo(buffer);
            }
            else if (buffer.Length < needed || buffer.Length - pending < 512)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, pending + InitialReceiveBufferSize));
                buffer.AsSpan(_receiveStart, pending).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
                _receiveBuffer = buffer = bigger;
            }
            _receiveStart = 0;
            _receiveEnd = pending;
        }
        if (length >= InitialReceiveBufferSize)
        {
            return buffer.AsMemory(_receiveEnd, length - pending);
        }
        if (pending < Message.FixedHeaderLength && _lastTakenWasLarge)
        {
            return buffer.AsMemory(_receiveEnd, Message.FixedHeaderLength - pending);
        }
        return buffer.AsMemory(_receiveEnd);
    }

    /// <summary>Gives the receive buffer back to the pool when it holds nothing (an idle connection keeps none).</summary>
    private void ReturnEmptyReceiveBuffer()
    {
        if (_receiveStart == _receiveEnd && _receiveBuffer is { } buffer && _closeReason is null)
        {
            _receiveBuffer = null;
            _receiveStart = _receiveEnd = 0;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void ReleaseReceiveState()
    {
        var buffer = Interlocked.Exchange(ref _receiveBuffer, null);
        if (buffer is not null && Volatile.Read(ref _receiving) == 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        _receivedFds.DisposeAll();
    }
}
