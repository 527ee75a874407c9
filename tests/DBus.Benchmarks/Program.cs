using BenchmarkDotNet.Running;
using DBus.Benchmarks;

// Run with: dotnet run -c Release --project tests/DBus.Benchmarks -- --filter '*'
//      or:  dotnet run -c Release --project tests/DBus.Benchmarks -- --cpu   (CPU time per call)
//      or:  dotnet run -c Release --project tests/DBus.Benchmarks -- --alloc (what a call allocates, by type)
//      or:  taskset -c 0 dotnet tests/DBus.Benchmarks/bin/Release/net10.0/DBus.Benchmarks.dll --pinned
//           (sequential round trips between two processes on one core, against a raw ping-pong)
if (args is ["--pinned"])
{
    await PinnedRoundTrip.RunAsync();
    return;
}
if (args is ["--serve", var mode, var path])
{
    await PinnedRoundTrip.ServeAsync(mode, path);
    return;
}
if (args is ["--alloc"])
{
    await AllocationProfile.RunAsync();
    return;
}
if (args is ["--cpu"])
{
    await CpuPerCall.RunAsync();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
