namespace DBus.Runtime.Tests.Connection;

/// <summary>
/// The exception an asynchronous call ends with, awaited rather than waited for: NUnit's Assert.ThrowsAsync blocks its
/// thread, which on a reactor thread holds the reactor until its watchdog starts another (50 ms each time).
/// </summary>
internal static class Failure
{
    /// <summary>Runs <paramref name="call"/> and returns what it threw, or null when it completed.</summary>
    public static async Task<Exception?> Of(Func<Task> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
