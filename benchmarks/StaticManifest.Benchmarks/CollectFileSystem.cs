using System.Text;
using Wharf.StaticManifest.Collecting;

namespace Wharf.StaticManifest.Benchmarks;

/// <summary>
/// Targets 1 and 2: a full collect to the file system against <c>cp -r</c> + <c>sha256sum</c> of the same tree, and
/// re-collects after one file changed, against the full collect. Both sides of each comparison run in the same
/// process run, interleaved round by round (the order alternates), and medians are reported.
/// </summary>
/// <remarks>
/// Nothing is deleted while the run measures (every round writes to a fresh folder): on ext4 without a journal, file
/// creation is slow for minutes after mass deletions (docs/benchmarks.md, "Environment effects"), which would tax
/// whichever side ran after a deletion. The work folder is removed when the run ends. Page cache is left warm on both
/// sides (a warm-up round of each reads the whole tree first).
/// </remarks>
internal static class CollectFileSystem
{
    /// <summary>The baseline of target 1, as the issue states it: a copy of the tree and a SHA-256 of every file.</summary>
    public const string Baseline = "cp -r \"$1\" \"$2\" && find \"$1\" -type f -print0 | xargs -0 sha256sum > /dev/null";

    /// <summary>A CSS file no other file references (it references its own source map).</summary>
    public const string TouchedCss = "bootstrap/dist/css/bootstrap-grid.css";

    /// <summary>An image no file references.</summary>
    public const string TouchedImage = "bootstrap-icons/icons/alarm.svg";

    /// <summary>An image a CSS file references (leaflet.css), so that CSS gets a new name and content too.</summary>
    public const string TouchedReferencedImage = "leaflet/dist/images/layers.png";

    public static async Task<int> RunAsync(string tree, string work, int rounds, int touchRounds)
    {
        (int files, long bytes) = Tree.Measure(tree);
        Console.WriteLine($"Tree {tree}: {files:N0} files, {bytes / 1e6:F1} MB; work folder {work}; {Environment.ProcessorCount} cores; cache option {(CacheOption.IsAvailable ? "available" : "not available")}");
        Directory.CreateDirectory(work);
        int id = 0;
        string Fresh(string what) => Path.Combine(work, $"{id++:D3}-{what}");

        // Warm-up: page cache (the baseline reads every file) and the JIT (one collect of each kind).
        Shell.Run(Baseline, tree, Fresh("warmup-cp"));
        var clock = new StageClock();
        (Measurement warmTime, CollectResult warm) = await Measurement.RunAsync(() => Collects.RunAsync(Collects.FileSystem(Fresh("warmup-collect")), Collects.Options(tree, precompress: false), clock));
        Console.WriteLine($"Warm-up collect (first in this process, JIT included): {Stats.F(warmTime.WallMs, 0)} ms; stages first reported at {clock.Timeline}, end +{Stats.F(warmTime.WallMs, 0)}");
        Console.WriteLine($"Warm-up collect: found {warm.Found:N0}, copied {warm.Copied:N0}, post-processed {warm.PostProcessed:N0}, missing references {warm.Missing.Count:N0} (lenient; first: {warm.Missing.FirstOrDefault()})");

        // Target 1: full collect vs cp -r + sha256sum, interleaved.
        var cp = new List<Measurement>();
        var full = new List<Measurement>();
        var fullNoOriginals = new List<Measurement>();
        var fullCached = new List<Measurement>();
        var timelines = new List<string>();
        for (int round = 0; round < rounds; round++)
        {
            var sides = new List<Func<Task>>
            {
                () => { cp.Add(Shell.Run(Baseline, tree, Fresh("cp"))); return Task.CompletedTask; },
                async () =>
                {
                    var stages = new StageClock();
                    full.Add((await Measurement.RunAsync(() => Collects.RunAsync(Collects.FileSystem(Fresh("collect")), Collects.Options(tree, false), stages))).Measurement);
                    timelines.Add(stages.Timeline);
                },
                async () =>
                {
                    StaticCollectOptions options = Collects.Options(tree, false);
                    options.KeepOriginals = false;
                    fullNoOriginals.Add((await Measurement.RunAsync(() => Collects.RunAsync(Collects.FileSystem(Fresh("collect-fp")), options))).Measurement);
                },
            };
            if (CacheOption.IsAvailable)
            {
                // A first collect that also writes the cache file (cold cache): what turning the option on costs.
                sides.Add(async () =>
                {
                    string destination = Fresh("collect-cache");
                    fullCached.Add((await Measurement.RunAsync(() => Collects.RunAsync(Collects.FileSystem(destination), Collects.Options(tree, false, destination + ".cache")))).Measurement);
                });
            }

            if (round % 2 == 1)
            {
                sides.Reverse();
            }

            foreach (Func<Task> side in sides)
            {
                await side();
            }

            Console.WriteLine($"round {round + 1}/{rounds}: cp+sha256sum {Stats.F(cp[^1].WallMs, 0)} ms, collect {Stats.F(full[^1].WallMs, 0)} ms ({Stats.F(full[^1].CoresUsed, 2)} cores), no originals {Stats.F(fullNoOriginals[^1].WallMs, 0)} ms" +
                (fullCached.Count > 0 ? $", collect writing a cache {Stats.F(fullCached[^1].WallMs, 0)} ms" : string.Empty) +
                $"; collect stages (first..last report, ms): {timelines[^1]}");
        }

        double cpMedian = Stats.Median([.. cp.Select(m => m.WallMs)]);
        double fullMedian = Stats.Median([.. full.Select(m => m.WallMs)]);
        Console.WriteLine();
        Console.WriteLine("Target 1 — full collect (Precompress=false, lenient, KeepOriginals default=true) vs cp -r + sha256sum");
        Console.WriteLine($"  cp -r + sha256sum            {Stats.Describe([.. cp.Select(m => m.WallMs)])}; CPU {Stats.F(Stats.Median([.. cp.Select(m => m.CpuMs)]), 0)} ms");
        Console.WriteLine($"  collect                      {Stats.Describe([.. full.Select(m => m.WallMs)])}; CPU {Stats.F(Stats.Median([.. full.Select(m => m.CpuMs)]), 0)} ms");
        Console.WriteLine($"  collect, KeepOriginals=false {Stats.Describe([.. fullNoOriginals.Select(m => m.WallMs)])}");
        if (fullCached.Count > 0)
        {
            Console.WriteLine($"  collect writing a cache file {Stats.Describe([.. fullCached.Select(m => m.WallMs)])}");
        }

        double ratio = fullMedian / cpMedian;
        Console.WriteLine($"  RESULT target1 collect/baseline = {Stats.F(ratio, 2)} (target ≤ 2.00): {(ratio <= 2 ? "PASS" : "FAIL")}");
        Console.WriteLine();

        if (touchRounds > 0)
        {
            await TouchAsync(tree, work, Fresh, touchRounds, fullMedian, files);
        }

        return 0;
    }

    private static async Task TouchAsync(string tree, string work, Func<string, string> fresh, int rounds, double fullMedian, int files)
    {
        // A private copy of the tree, so the shared one is never modified.
        string source = fresh("touch-src");
        Shell.Run("cp -r \"$1\" \"$2\"", tree, source);
        // How a re-collect runs: a new collector each time (a deploy step, the CLI), without or with the cache file; or
        // one collector kept between collects (a watch, a long-lived service), walking the sources or told which file
        // changed (as its file-system watcher tells it).
        var variants = new List<(string Name, string Destination, string? Cache, StaticCollector? Kept, bool Told)>
        {
            ("no cache", fresh("touch-dst"), null, null, false),
        };
        if (CacheOption.IsAvailable)
        {
            string destination = fresh("touch-dst-cache");
            variants.Add(("cache file", destination, destination + ".cache", null, false));
        }

        string keptDestination = fresh("touch-dst-kept");
        var kept = new StaticCollector(Collects.FileSystem(keptDestination), Collects.Options(source, false));
        variants.Add(("same collector", keptDestination, null, kept, false));
        string toldDestination = fresh("touch-dst-told");
        var told = new StaticCollector(Collects.FileSystem(toldDestination), Collects.Options(source, false));
        variants.Add(("same collector, told the file", toldDestination, null, told, true));

        foreach ((string name, string destination, string? cache, StaticCollector? collector, _) in variants)
        {
            (Measurement first, CollectResult result) = await Measurement.RunAsync(() => collector is not null ? collector.CollectAsync() : Collects.RunAsync(Collects.FileSystem(destination), Collects.Options(source, false, cache)));
            Console.WriteLine($"Initial collect for re-collects ({name}): {Stats.F(first.WallMs, 0)} ms, copied {result.Copied:N0}");
        }

        long held = HeapHeldByAKeptCollector(source, fresh("touch-dst-heap"));
        Console.WriteLine($"Heap held by a kept collector after its collect: {Stats.F(held / 1048576.0, 1)} MiB for {files:N0} files ({Stats.F(held / 1024.0 / files, 1)} KiB per file)");

        var scenarios = new (string Name, string? File, Action<int> Change)[]
        {
            ("css: one CSS file nothing references (" + TouchedCss + ")", TouchedCss, r => Append(Path.Combine(source, TouchedCss), Encoding.UTF8.GetBytes($"\n/* bench round {r} */\n"))),
            ("image: one image nothing references (" + TouchedImage + ")", TouchedImage, r => Append(Path.Combine(source, TouchedImage), Encoding.UTF8.GetBytes($"\n<!-- bench round {r} -->\n"))),
            ("referenced image: one image a CSS file references (" + TouchedReferencedImage + ")", TouchedReferencedImage, r => Append(Path.Combine(source, TouchedReferencedImage), [(byte)r, 0, 0, 0])),
            ("nothing: nothing changed", null, _ => { }),
        };

        var times = new Dictionary<(string Scenario, string Variant), List<Measurement>>();
        var copied = new Dictionary<(string Scenario, string Variant), int>();
        var manifests = new Dictionary<string, string>();
        for (int round = 0; round < rounds; round++)
        {
            foreach ((string scenario, string? file, Action<int> change) in scenarios)
            {
                change(round);
                var order = round % 2 == 0 ? variants : Enumerable.Reverse(variants).ToList();
                foreach ((string variant, string destination, string? cache, StaticCollector? collector, bool isTold) in order)
                {
                    string[] changedFiles = file is null ? [] : [Path.Combine(source, file)];
                    (Measurement m, CollectResult result) = await Measurement.RunAsync(() =>
                        collector is null ? Collects.RunAsync(Collects.FileSystem(destination), Collects.Options(source, false, cache))
                        : isTold ? collector.CollectChangesAsync(changedFiles)
                        : collector.CollectAsync());
                    (times.TryGetValue((scenario, variant), out var list) ? list : times[(scenario, variant)] = []).Add(m);
                    copied[(scenario, variant)] = result.Copied;
                    manifests[variant] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(destination, StaticAssetManifest.DefaultName))));
                }

                if (manifests.Values.Distinct().Count() > 1)
                {
                    throw new InvalidOperationException($"round {round + 1}, {scenario}: the variants wrote different manifests");
                }
            }

            Console.WriteLine($"touch round {round + 1}/{rounds}: " + string.Join("; ", times.Select(t => $"{t.Key.Scenario.Split(':')[0]}/{t.Key.Variant} {Stats.F(t.Value[^1].WallMs, 0)} ms")));
        }

        Console.WriteLine();
        Console.WriteLine($"Target 2 — re-collect after one change, vs the full collect median {Stats.F(fullMedian, 0)} ms (target ≤ 5 % = {Stats.F(fullMedian * 0.05, 0)} ms)");
        foreach (((string scenario, string variant), List<Measurement> list) in times)
        {
            double median = Stats.Median([.. list.Select(m => m.WallMs)]);
            double share = median / fullMedian;
            Console.WriteLine($"  {scenario}, {variant}: {Stats.Describe([.. list.Select(m => m.WallMs)])}, CPU {Stats.F(Stats.Median([.. list.Select(m => m.CpuMs)]), 0)} ms, files written {copied[(scenario, variant)]}");
            Console.WriteLine($"  RESULT target2 [{variant}] {scenario}: {Stats.F(share * 100, 1)} % of full (target ≤ 5 %): {(share <= 0.05 ? "PASS" : "FAIL")}");
        }
    }

    /// <summary>
    /// What keeping a collector costs: the managed heap it holds once its collect is done. Synchronous on purpose: an
    /// async method would keep its locals (the result, earlier collectors) alive across the two measures.
    /// </summary>
    private static long HeapHeldByAKeptCollector(string source, string destination)
    {
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var collector = new StaticCollector(Collects.FileSystem(destination), Collects.Options(source, false));
        collector.CollectAsync().GetAwaiter().GetResult();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(collector);
        return after - before;
    }

    private static void Append(string path, byte[] bytes)
    {
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write);
        stream.Write(bytes);
    }
}
