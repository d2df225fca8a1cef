using System.Globalization;
using BenchmarkDotNet.Running;
using Wharf.StaticManifest.Benchmarks;

// StaticManifest benchmarks (see README.md; eng/benchmark-static.sh runs them all):
//   collect-fs --tree DIR [--work DIR] [--rounds N] [--touch-rounds N]   targets 1 and 2 (file system)
//   s3 --tree DIR [--work DIR]                                          target 3 (needs WHARF_S3_* of a running RGW)
//   compress --tree DIR [--work DIR] [--rounds N]                       target 4
//   pieces --tree DIR [--work DIR]                                      diagnostics: a re-collect's fixed costs, one by one
//   recollect-compressed --tree DIR [--work DIR] [--rounds N]          target 2 with compression on (default options)
//   anything else                                                       BenchmarkDotNet (target 5): --filter '*Resolver*'
string? Option(string name, string? fallback = null)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}

int Int(string name, int fallback) => int.Parse(Option(name, fallback.ToString(CultureInfo.InvariantCulture))!, CultureInfo.InvariantCulture);

string mode = args.Length > 0 ? args[0] : string.Empty;
if (mode is "collect-fs" or "s3" or "compress" or "pieces" or "recollect-compressed")
{
    string tree = Tree.Require(Option("--tree"), "--tree");
    string work = Path.GetFullPath(Option("--work", Path.Combine("artifacts", "bench-static", "work-" + mode))!);
    if (Directory.Exists(work))
    {
        Console.Error.WriteLine($"{work} exists: remove it first (not done here, so no mass deletion happens right before a measurement).");
        return 2;
    }

    try
    {
        return mode switch
        {
            "collect-fs" => await CollectFileSystem.RunAsync(tree, work, Int("--rounds", 5), Int("--touch-rounds", 5)),
            "s3" => await CollectS3.RunAsync(tree, work),
            "pieces" => await Pieces.RunAsync(tree, work),
            "recollect-compressed" => await RecollectCompressed.RunAsync(tree, work, Int("--rounds", 5)),
            _ => await CollectCompression.RunAsync(tree, work, Int("--rounds", 1)),
        };
    }
    finally
    {
        if (Option("--keep") is null)
        {
            Console.WriteLine($"Removing {work}");
            Directory.Delete(work, recursive: true);
        }
    }
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(ResolverBenchmarks).Assembly).Run(args).ToList();
bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
return failed ? 1 : 0;
