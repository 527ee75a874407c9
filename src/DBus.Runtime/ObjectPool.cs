using System.Collections.Concurrent;

namespace DBus;

/// <summary>
/// Spare objects of one type for the per-message hot paths: one per thread (the thread that releases an object
/// is usually the one that needs the next), then a bounded shared queue. Only objects that never escape to user
/// code go here, or that check a token changed with each reuse on every use from outside (a ValueTask's source, see
/// <see cref="ValueTaskPendingReply{TState, T}"/>): a pooled object is reused while anything still refers to it.
/// </summary>
internal sealed class ObjectPool<T>(int capacity) where T : class
{
    [ThreadStatic]
    private static T? t_spare;

    private readonly ConcurrentQueue<T> _shared = new();
    private int _sharedCount;

    /// <summary>A spare object, or null when there is none (the caller creates one).</summary>
    public T? TryRent()
    {
        var item = t_spare;
        if (item is not null)
        {
            t_spare = null;
            return item;
        }
        if (_shared.TryDequeue(out item))
        {
            Interlocked.Decrement(ref _sharedCount);
        }
        return item;
    }

    /// <summary>Keeps <paramref name="item"/> (already reset) for a later <see cref="TryRent"/>, unless the pool is full.</summary>
    public void Return(T item)
    {
        if (t_spare is null)
        {
            t_spare = item;
            return;
        }
        if (Interlocked.Increment(ref _sharedCount) <= capacity)
        {
            _shared.Enqueue(item);
        }
        else
        {
            Interlocked.Decrement(ref _sharedCount);
        }
    }
}
