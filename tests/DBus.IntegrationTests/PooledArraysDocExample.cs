// The example of docs/generator.md ("Pooled arrays"), kept here so that it compiles and runs (PooledArraysBusTests).
// Keep the two in step.
using DBus;
using DBus.IntegrationTests.Generated;

namespace DBus.IntegrationTests.DocExamples;

internal sealed class BulkService : IBulkHandler
{
    public ValueTask<long> SumAsync(ReadOnlyMemory<int> values, MethodContext context)
    {
        long total = 0;
        foreach (int v in values.Span)
        {
            total += v;
        }
        return new(total);
    }

    // Answering with the borrowed argument is allowed: it goes back to the pool after the reply is written.
    public ValueTask<ReadOnlyMemory<int>> EchoIntsAsync(ReadOnlyMemory<int> values, MethodContext context) => new(values);

    public ValueTask<ReadOnlyMemory<byte>> EchoBytesAsync(ReadOnlyMemory<byte> data, MethodContext context) => new(data);

    public async ValueTask<ReadOnlyMemory<int>> ReverseLaterAsync(ReadOnlyMemory<int> values, MethodContext context)
    {
        await Task.Yield();                 // still valid here: the task has not completed
        int[] reversed = values.ToArray();  // a copy, because it outlives the call
        Array.Reverse(reversed);
        return reversed;
    }

    // <annotation name="org.dbusgen.PooledArrays" value="false"/> on this method: plain arrays.
    public ValueTask<int[]> PlainAsync(int[] values, MethodContext context) => new(values);
}

internal static class BulkClient
{
    public static async Task<long> RunAsync(BulkProxy proxy, int[] values)
    {
        long total = await proxy.SumAsync(values);                   // int[] converts to ReadOnlyMemory<int>
        using PooledArray<int> echoed = await proxy.EchoIntsAsync(values.AsMemory(0, 1000));
        return total + echoed.Span[^1];
    }
}
