namespace DBus.Benchmarks.SideBySide;

/// <summary>
/// What every implementation of the side-by-side benchmark serves and calls: object <see cref="Path"/> with
/// interface <see cref="Interface"/>, <c>Echo(s) → s</c> and <c>Sum(ai) → x</c> over <see cref="SumLength"/> int32.
/// The sd-bus side (sdbus-bench.c) has the same constants.
/// </summary>
internal static class BenchWorkload
{
    public const string Service = "org.dbusgen.Bench";
    public const string Path = "/org/dbusgen/Bench";
    public const string Interface = "org.dbusgen.Bench";
    public const string EchoText = "Hello from the benchmark";
    public const int SumLength = 100_000;

    public static readonly int[] SumValues = Enumerable.Range(0, SumLength).ToArray();

    /// <summary>Calls per batch between clock checks: small enough for the time limit, large enough to be cheap.</summary>
    public static int BatchSize(string workload) => workload == "echo" ? 2000 : 50;
}
