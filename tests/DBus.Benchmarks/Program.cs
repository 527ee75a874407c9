using BenchmarkDotNet.Running;
using DBus.Benchmarks;

// Run with: dotnet run -c Release --project tests/DBus.Benchmarks -- --filter '*'
//      or:  dotnet run -c Release --project tests/DBus.Benchmarks -- --cpu   (CPU time per call)
//      or:  dotnet run -c Release --project tests/DBus.Benchmarks -- --alloc (what a call allocates, by type)
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
