using System.Diagnostics;
using Wharf.StaticManifest.Collecting;

namespace Wharf.StaticManifest.Benchmarks;

/// <summary>
/// Target 4: a collect with precompression (Brotli 11 + gzip 9, the defaults) to the file system, with this process's
/// CPU time against wall time — for the whole collect and for the compression stage alone (timed from the progress
/// reports: the first "compressing" report to the first "publishing" one).
/// </summary>
internal static class CollectCompression
{
    public static async Task<int> RunAsync(string tree, string work, int rounds)
    {
        (int files, long bytes) = Tree.Measure(tree);
        Console.WriteLine($"Tree {tree}: {files:N0} files, {bytes / 1e6:F1} MB; {Environment.ProcessorCount} cores (Environment.ProcessorCount)");
        Directory.CreateDirectory(work);
        var whole = new List<Measurement>();
        var stage = new List<Measurement>();
        for (int round = 0; round < rounds; round++)
        {
            var progress = new StageClock();
            string destination = Path.Combine(work, $"compress-{round:D2}");
            (Measurement m, CollectResult result) = await Measurement.RunAsync(() => Collects.RunAsync(Collects.FileSystem(destination), Collects.Options(tree, precompress: true), progress));
            whole.Add(m);
            Measurement compressing = progress.Stage("compressing", "publishing");
            stage.Add(compressing);
            Console.WriteLine($"round {round + 1}/{rounds}: collect {Stats.F(m.WallMs, 0)} ms wall, {Stats.F(m.CpuMs, 0)} ms CPU = {Stats.F(m.CoresUsed, 2)} cores; " +
                $"compression stage {Stats.F(compressing.WallMs, 0)} ms wall, {Stats.F(compressing.CpuMs, 0)} ms CPU = {Stats.F(compressing.CoresUsed, 2)} cores; variants {result.Compressed:N0}, copied {result.Copied:N0}");
        }

        double cores = Stats.Median([.. stage.Select(s => s.CoresUsed)]);
        Console.WriteLine();
        Console.WriteLine("Target 4 — compression uses all cores (CPU time / wall time)");
        Console.WriteLine($"  whole collect:     wall {Stats.Describe([.. whole.Select(m => m.WallMs)])}, cores used {Stats.F(Stats.Median([.. whole.Select(m => m.CoresUsed)]), 2)}");
        Console.WriteLine($"  compression stage: wall {Stats.Describe([.. stage.Select(m => m.WallMs)])}, cores used {Stats.F(cores, 2)} of {Environment.ProcessorCount}");
        Console.WriteLine($"  RESULT target4 compression stage uses {Stats.F(cores, 2)} of {Environment.ProcessorCount} cores (target ≥ {Stats.F(Environment.ProcessorCount * 0.9, 1)}, 90 %): {(cores >= Environment.ProcessorCount * 0.9 ? "PASS" : "FAIL")}");
        return 0;
    }
}
