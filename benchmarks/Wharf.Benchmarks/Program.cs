using System.Globalization;
using BenchmarkDotNet.Running;
using Wharf.Benchmarks;

// Run from Release: dotnet run -c Release --project benchmarks/Wharf.Benchmarks -- --filter '*'
// (or eng/benchmark.sh). Scratch files go to one run folder under /tmp, deleted when the run is over.
// "-- --paired [rounds] [save|open]" runs the drift-free cross-check in PairedComparison instead of BenchmarkDotNet.
string runRoot = BenchDirectory.CreateRunRoot();
try
{
    if (args.Length > 0 && args[0] == "--paired")
    {
        await PairedComparison.RunAsync(
            args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 400,
            args.Length > 2 ? args[2] : null);
    }
    else
    {
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
finally
{
    BenchDirectory.Remove(runRoot);
}
