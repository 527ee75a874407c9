using BenchmarkDotNet.Running;
using DBus.Benchmarks;

// Run with: dotnet run -c Release --project tests/DBus.Benchmarks -- --filter '*'
//      or:  dotnet run -c Release --project tests/DBus.Benchmarks -- --cpu   (CPU time per call)
//      or:  dotnet run -c Release --project tests/DBus.Benchmarks -- --alloc (what a call allocates, by type)
//      or:  dotnet run -c Release --project tests/DBus.Benchmarks -- --side-by-side [--seconds 5] [--rounds 3] [--pinned]
//           (DBusGen, Tmds.DBus.Protocol and sd-bus, each process on its own, same workloads, interleaved)
//      or:  dotnet run -c Release --project tests/DBus.Benchmarks -- --receive-side [--rounds 5] [--framing-only] [--e2e-only]
//           (the receive side: our own buffer against System.IO.Pipelines, framing in-process and ping-pong)
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
if (args.Length > 0 && args[0] is "--sbs-serve" or "--sbs-client")
{
    await DBus.Benchmarks.SideBySide.SideBySideRun.ChildAsync(args);
    return;
}
if (args.Length > 0 && args[0] == "--side-by-side")
{
    await DBus.Benchmarks.SideBySide.SideBySideRun.RunAsync(args);
    return;
}
if (args.Length > 0 && args[0] == "--receive-side")
{
    await ReceiveSide.RunAsync(args);
    return;
}
if (args is ["--cpu"])
{
    await CpuPerCall.RunAsync();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
