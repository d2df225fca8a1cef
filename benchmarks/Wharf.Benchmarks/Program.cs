using System.Globalization;
using BenchmarkDotNet.Running;
using Wharf.Benchmarks;

// Run from Release: dotnet run -c Release --project benchmarks/Wharf.Benchmarks -- --filter '*'
// (or eng/benchmark.sh). Scratch files go to one run folder under /tmp, deleted when the run is over.
// "-- --paired [rounds] [save|open|s3|s3-save|s3-open|azure|azure-save|azure-open]" runs the drift-free cross-check in
// PairedComparison instead of BenchmarkDotNet; "-- --requests [s3|azure]" counts the HTTP requests of S3 operations
// (S3RequestCounts; the default) or Azure Blob operations (AzureRequestCounts). The S3 benchmarks (S3SaveBenchmarks,
// S3OpenBenchmarks, s3 cases, --requests s3) need a real S3 server: see S3BenchServer; the Azure ones (Azure*
// classes, azure cases, --requests azure) need Azurite: see AzureBenchServer (eng/benchmark.sh azure starts one).
string runRoot = BenchDirectory.CreateRunRoot();
try
{
    if (args.Length > 0 && args[0] == "--paired")
    {
        await PairedComparison.RunAsync(
            args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 400,
            args.Length > 2 ? args[2] : null);
    }
    else if (args.Length > 0 && args[0] == "--requests")
    {
        Environment.ExitCode = (args.Length > 1 ? args[1] : "s3") switch
        {
            "s3" => await S3RequestCounts.RunAsync(),
            "azure" => await AzureRequestCounts.RunAsync(),
            string other => throw new ArgumentException($"Unknown --requests case '{other}': use s3 or azure."),
        };
    }
    else
    {
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args).ToList();

        // A benchmark whose set-up threw (an S3 benchmark without its server, say) has no result: fail the run.
        var failed = summaries.SelectMany(summary => summary.Reports).Where(report => !report.Success).ToList();
        if (failed.Count > 0 || summaries.Any(summary => summary.HasCriticalValidationErrors))
        {
            Console.Error.WriteLine($"Benchmarks failed: {string.Join(", ", failed.Select(report => report.BenchmarkCase.DisplayInfo).DefaultIfEmpty("validation errors"))}. See the log above.");
            Environment.ExitCode = 1;
        }
    }
}
finally
{
    BenchDirectory.Remove(runRoot);
}
