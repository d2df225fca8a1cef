using System.Diagnostics;
using System.Security.Cryptography;
using Wharf.StaticManifest.Collecting;
using Wharf.Storage;

namespace Wharf.StaticManifest.Benchmarks;

/// <summary>
/// Diagnostics: the fixed costs a re-collect pays whatever changed, each timed alone (median of 5) on the tree and a
/// collected destination — finding the files, listing the destination, reading and parsing the previous manifest,
/// building and serializing the new one, and reading + hashing every source file.
/// </summary>
internal static class Pieces
{
    public static async Task<int> RunAsync(string tree, string work)
    {
        Directory.CreateDirectory(work);
        string destination = Path.Combine(work, "pieces-dst");
        CollectResult collected = await Collects.RunAsync(Collects.FileSystem(destination), Collects.Options(tree, precompress: false));
        IStorage storage = Collects.FileSystem(destination);
        byte[] manifestBytes = collected.Manifest.ToUtf8Bytes();
        FindResult found = StaticFileFinder.Find([tree], StaticFileFinder.DefaultIgnorePatterns);

        await TimeAsync("find (StaticFileFinder.Find)", () => Task.FromResult(StaticFileFinder.Find([tree], StaticFileFinder.DefaultIgnorePatterns).Files.Count));
        await TimeAsync("stat every found file (File.GetLastWriteTimeUtc + length)", () => Task.FromResult(found.Files.Sum(f => new FileInfo(f.PhysicalPath).Length)));
        await TimeAsync("list the destination (recursive)", async () =>
        {
            int n = 0;
            await foreach (StorageEntry _ in storage.ListAsync(options: new ListOptions { Recursive = true }))
            {
                n++;
            }

            return n;
        });
        await TimeAsync($"read + parse the previous manifest ({manifestBytes.Length / 1e6:F1} MB)", async () => StaticAssetManifest.Parse(await storage.ReadAllBytesAsync(StaticAssetManifest.DefaultName)).Assets.Count);
        await TimeAsync("build the manifest (new StaticAssetManifest)", () => Task.FromResult(new StaticAssetManifest(collected.Manifest.Assets.Values).Assets.Count));
        await TimeAsync("serialize the manifest", () => Task.FromResult(collected.Manifest.ToUtf8Bytes().Length));
        await TimeAsync("read + SHA-256 + SHA-384 of every source file (2 threads)", async () =>
        {
            long total = 0;
            await Parallel.ForEachAsync(found.Files, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, async (file, token) =>
            {
                byte[] bytes = await File.ReadAllBytesAsync(file.PhysicalPath, token);
                SHA256.HashData(bytes);
                SHA384.HashData(bytes);
                Interlocked.Add(ref total, bytes.Length);
            });
            return (int)(total / 1000);
        });
        return 0;
    }

    private static async Task TimeAsync(string what, Func<Task<long>> action) => await TimeAsync(what, async () => (int)await action());

    private static async Task TimeAsync(string what, Func<Task<int>> action)
    {
        var times = new List<double>();
        int result = 0;
        for (int i = 0; i < 5; i++)
        {
            long start = Stopwatch.GetTimestamp();
            result = await action();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        Console.WriteLine($"  {what}: {Stats.Describe(times)} → {result:N0}");
    }
}
