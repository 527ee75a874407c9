using BenchmarkDotNet.Running;
using DBus.Benchmarks;

// Run with: dotnet run -c Release --project tests/DBus.Benchmarks -- --filter '*'
//      or:  dotnet run -c Release --project tests/DBus.Benchmarks -- --cpu   (CPU time per call)
if (args is ["--cpu"])
{
    await CpuPerCall.RunAsync();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
