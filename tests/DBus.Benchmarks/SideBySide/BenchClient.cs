namespace DBus.Benchmarks.SideBySide;

/// <summary>
/// The call loop the .NET clients share: <c>count</c> calls, sequential or keeping <c>inFlight</c> in flight. A call is
/// a <see cref="ValueTask{T}"/>, so the same loop runs calls that return one and, wrapped at no cost, calls that
/// return a <see cref="Task{T}"/>.
/// </summary>
internal static class BenchClient
{
    public static async Task RunAsync<T>(Func<ValueTask<T>> call, int count, int inFlight)
    {
        if (inFlight == 1)
        {
            for (int i = 0; i < count; i++)
            {
                await call();
            }
            return;
        }
        // Each lane issues its next call as soon as its previous one returns, as the sd-bus client does.
        int started = 0;
        async Task Lane()
        {
            while (Interlocked.Increment(ref started) <= count)
            {
                await call();
            }
        }
        var lanes = new Task[Math.Min(inFlight, count)];
        for (int i = 0; i < lanes.Length; i++)
        {
            lanes[i] = Lane();
        }
        await Task.WhenAll(lanes);
    }
}
