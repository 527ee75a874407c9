using DBus.Transport;

namespace DBus;

/// <summary>
/// Reads and dispatches a reactor-driven connection's messages, in order, one at a time: woken by the reactor when
/// its socket is readable, it takes every whole message there (<see cref="MessageStream.TryReceiveData"/>) and hands
/// each to the router, on the reactor thread that woke it, until the socket is empty.
/// </summary>
/// <remarks>
/// The socket is edge-triggered and several reactor threads may see its events, so a wake-up while the pump runs only
/// asks it for one more turn (it may have read up to the bytes that caused it). A dispatch that cannot finish at once
/// (a full signal queue in Wait mode) and a long burst continue on the thread pool, so a reactor thread is never held.
/// </remarks>
internal sealed class DispatchPump : IReadyHandler, IThreadPoolWorkItem
{
    // Messages dispatched on a reactor thread in one turn; the rest of a burst continues on the thread pool.
    private const int MessagesPerReactorTurn = 256;

    private const int Idle = 0;
    private const int Running = 1;
    private const int RunAgain = 2;
    private const int Ended = 3;

    private readonly MessageStream _stream;
    private readonly Func<MessageData, ValueTask> _dispatch;
    private readonly Action<Exception> _onEnded;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;

    public DispatchPump(MessageStream stream, Func<MessageData, ValueTask> dispatch, Action<Exception> onEnded)
    {
        _stream = stream;
        _dispatch = dispatch;
        _onEnded = onEnded;
    }

    /// <summary>Completes once the stream ended and <c>onEnded</c> ran.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Starts pumping. What the socket holds already raises an event; bytes read ahead during the handshake
    /// (a client may send its first messages right behind BEGIN) get a first turn on the thread pool.</summary>
    public void Start()
    {
        _stream.SetReadHandler(this);
        if (_stream.HasBufferedBytes)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static pump => pump.OnReady(), this, preferLocal: false);
        }
    }

    public void OnReady()
    {
        while (true)
        {
            switch (Volatile.Read(ref _state))
            {
                case Idle:
                    if (Interlocked.CompareExchange(ref _state, Running, Idle) == Idle)
                    {
                        Pump(MessagesPerReactorTurn);
                        return;
                    }
                    break;
                case Running:
                    if (Interlocked.CompareExchange(ref _state, RunAgain, Running) == Running)
                    {
                        return;
                    }
                    break;
                default:
                    return; // another turn is already asked for, or the stream ended
            }
        }
    }

    void IThreadPoolWorkItem.Execute() => Pump(int.MaxValue);

    /// <summary>One turn: runs while the pump is Running, until the socket is empty and nothing asked for more.</summary>
    private void Pump(int budget)
    {
        int budgetAtStart = budget;
        try
        {
            while (true)
            {
                bool drained = false;
                while (_stream.TryReceiveData(out var message, ref drained))
                {
                    var dispatched = _dispatch(message);
                    if (!dispatched.IsCompletedSuccessfully)
                    {
                        _ = ResumeAfterAsync(dispatched);
                        return;
                    }
                    if (--budget == 0)
                    {
                        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                        return;
                    }
                }
                if (Interlocked.CompareExchange(ref _state, Idle, Running) == Running)
                {
                    if (budgetAtStart - budget > 1) // several messages in this turn: a pipelining peer
                    {
                        SocketReactor.NoteBurst();
                    }
                    return;
                }
                // RunAgain: bytes came after the socket said it was empty; this thread takes them.
                Volatile.Write(ref _state, Running);
            }
        }
        catch (Exception e)
        {
            End(e);
        }
    }

    private async Task ResumeAfterAsync(ValueTask dispatched)
    {
        try
        {
            await dispatched.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            End(e);
            return;
        }
        Pump(int.MaxValue);
    }

    private void End(Exception reason)
    {
        Volatile.Write(ref _state, Ended);
        try
        {
            _onEnded(reason);
        }
        finally
        {
            _completion.TrySetResult();
        }
    }
}
