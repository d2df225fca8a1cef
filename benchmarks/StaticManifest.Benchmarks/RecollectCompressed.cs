using System.Text;
using Wharf.StaticManifest.Collecting;

namespace Wharf.StaticManifest.Benchmarks;

/// <summary>
/// Target 2 with the default options (precompression on): a full collect of the tree with compression, against
/// re-collects after one CSS file changed, with a cache file (the collect cache and the precompression cache beside
/// it). A full compressed collect takes minutes on two cores, so the full side runs once (with a warm page cache) and
/// the re-collects several times; both in the same process run.
/// </summary>
internal static class RecollectCompressed
{
    public static async Task<int> RunAsync(string tree, string work, int rounds)
    {
        (int files, long bytes) = Tree.Measure(tree);
        Console.WriteLine($"Tree {tree}: {files:N0} files, {bytes / 1e6:F1} MB; {Environment.ProcessorCount} cores");
        Directory.CreateDirectory(work);
        string source = Path.Combine(work, "src");
        Shell.Run("cp -r \"$1\" \"$2\"", tree, source);

        // The full collect: default options, no cache of any kind (what a first deploy costs).
        string fullDestination = Path.Combine(work, "full");
        (Measurement full, CollectResult fullResult) = await Measurement.RunAsync(() => Collects.RunAsync(Collects.FileSystem(fullDestination), Collects.Options(source, precompress: true)));
        Console.WriteLine($"Full collect with compression: {Stats.F(full.WallMs, 0)} ms ({Stats.F(full.CoresUsed, 2)} cores), {fullResult.Copied:N0} files written, {fullResult.Compressed:N0} variants");

        // The cached destination's first collect (fills the collect cache and the precompression cache).
        string destination = Path.Combine(work, "cached");
        string cache = destination + ".cache";
        (Measurement first, _) = await Measurement.RunAsync(() => Collects.RunAsync(Collects.FileSystem(destination), Collects.Options(source, true, cache)));
        Console.WriteLine($"First collect with a cache file: {Stats.F(first.WallMs, 0)} ms");

        var times = new List<Measurement>();
        string touched = Path.Combine(source, CollectFileSystem.TouchedCss);
        for (int round = 0; round < rounds; round++)
        {
            using (var stream = new FileStream(touched, FileMode.Append, FileAccess.Write))
            {
                stream.Write(Encoding.UTF8.GetBytes($"\n/* compressed bench round {round} */\n"));
            }

            (Measurement m, CollectResult result) = await Measurement.RunAsync(() => Collects.RunAsync(Collects.FileSystem(destination), Collects.Options(source, true, cache)));
            times.Add(m);
            Console.WriteLine($"re-collect {round + 1}/{rounds}: {Stats.F(m.WallMs, 0)} ms, files written {result.Copied}");
        }

        double median = Stats.Median([.. times.Select(t => t.WallMs)]);
        double share = median / full.WallMs;
        Console.WriteLine();
        Console.WriteLine($"Target 2 (default options, compression on) — re-collect after one CSS change with a cache file: {Stats.Describe([.. times.Select(t => t.WallMs)])}");
        Console.WriteLine($"  RESULT target2 [compression on, cache file] {Stats.F(share * 100, 2)} % of the full compressed collect ({Stats.F(full.WallMs, 0)} ms) (target ≤ 5 %): {(share <= 0.05 ? "PASS" : "FAIL")}");
        return 0;
    }
}
