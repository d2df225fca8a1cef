using System.Diagnostics;
using System.Globalization;
using Wharf.StaticManifest.Collecting;
using Wharf.Storage;
using Wharf.Storage.FileSystem;

namespace Wharf.StaticManifest.Benchmarks;

/// <summary>Medians and the other order statistics the harnesses report.</summary>
internal static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        double[] sorted = [.. values.Order()];
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public static string Describe(IReadOnlyList<double> values, string unit = "ms") => values.Count == 0
        ? "-"
        : string.Create(CultureInfo.InvariantCulture, $"median {Median(values):F1} {unit} (min {values.Min():F1}, max {values.Max():F1}, n={values.Count})");

    public static string F(double value, int decimals = 1) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}

/// <summary>Wall time and this process's CPU time (user + system, every thread) over one measured call.</summary>
internal readonly record struct Measurement(double WallMs, double CpuMs)
{
    public double CoresUsed => WallMs > 0 ? CpuMs / WallMs : 0;

    public static async Task<(Measurement Measurement, T Result)> RunAsync<T>(Func<Task<T>> action)
    {
        using var process = Process.GetCurrentProcess();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        long start = Stopwatch.GetTimestamp();
        T result = await action();
        double wall = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        return (new Measurement(wall, cpu), result);
    }
}

/// <summary>Runs a shell command (the baselines) and times it, with the children's CPU time from <c>time</c>'s format.</summary>
internal static class Shell
{
    /// <summary>Runs <c>bash -c script _ args…</c>; returns the wall time in ms measured here and bash's user+sys of its children.</summary>
    public static Measurement Run(string script, params string[] args)
    {
        // TIMEFORMAT prints the user and system CPU time of the timed pipeline (children included) on stderr.
        var info = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("TIMEFORMAT='%3U %3S'; time ( " + script + " )");
        info.ArgumentList.Add("_");
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        long start = Stopwatch.GetTimestamp();
        using Process process = Process.Start(info) ?? throw new InvalidOperationException("bash did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        double wall = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        _ = stdout.Result;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"baseline failed ({process.ExitCode}): {script}\n{stderr}");
        }

        string[] times = stderr.Trim().Split('\n')[^1].Split(' ');
        double cpu = (double.Parse(times[0], CultureInfo.InvariantCulture) + double.Parse(times[1], CultureInfo.InvariantCulture)) * 1000;
        return new Measurement(wall, cpu);
    }
}

/// <summary>The collect configurations the harnesses use.</summary>
internal static class Collects
{
    /// <summary>A static root as wharf-collectstatic makes one: no fsync per file, no extended attributes.</summary>
    public static FileSystemStorage FileSystem(string root) => new("bench", new FileSystemStorageOptions
    {
        Root = root,
        FlushToDisk = false,
        UseExtendedAttributes = false,
    });

    /// <summary>Default options except: one source, lenient (the npm tree has references to files it does not ship), and <paramref name="precompress"/>.</summary>
    public static StaticCollectOptions Options(string source, bool precompress, string? cacheFile = null)
    {
        var options = new StaticCollectOptions
        {
            MissingReferences = MissingReferenceMode.Lenient,
            Precompress = precompress,
        };
        options.Sources.Add(source);
        CacheOption.Apply(options, cacheFile);
        return options;
    }

    public static async Task<CollectResult> RunAsync(IStorage destination, StaticCollectOptions options, IProgress<CollectProgress>? progress = null) =>
        await new StaticCollector(destination, options).CollectAsync(progress);
}

/// <summary>The files of a tree as the collector sees them (default ignore patterns).</summary>
internal static class Tree
{
    public static (int Files, long Bytes) Measure(string root)
    {
        FindResult found = StaticFileFinder.Find([root], StaticFileFinder.DefaultIgnorePatterns);
        return (found.Files.Count, found.Files.Sum(f => f.Length));
    }

    public static string Require(string? path, string what)
    {
        if (string.IsNullOrEmpty(path) || !Directory.Exists(path))
        {
            throw new ArgumentException($"{what} '{path}' does not exist: run eng/benchmark-static.sh tree (it installs the npm tree into artifacts/bench-static/tree).");
        }

        return Path.GetFullPath(path);
    }
}

/// <summary>Wall and CPU time at the first progress report of each stage (reports arrive synchronously on the collector's threads).</summary>
internal sealed class StageClock : IProgress<CollectProgress>
{
    private readonly Dictionary<string, (long Timestamp, TimeSpan Cpu)> _first = [];
    private readonly Dictionary<string, long> _last = [];
    private readonly Lock _lock = new();
    private readonly long _created = Stopwatch.GetTimestamp();

    /// <summary>When each stage first reported, in ms after this clock was made: <c>processing +12, publishing +840, …</c>.</summary>
    public string Timeline
    {
        get
        {
            lock (_lock)
            {
                return string.Join(", ", _first.OrderBy(p => p.Value.Timestamp).Select(p =>
                    $"{p.Key} +{Stats.F(Stopwatch.GetElapsedTime(_created, p.Value.Timestamp).TotalMilliseconds, 0)}..{Stats.F(Stopwatch.GetElapsedTime(_created, _last[p.Key]).TotalMilliseconds, 0)}"));
            }
        }
    }

    public void Report(CollectProgress value)
    {
        lock (_lock)
        {
            _last[value.Stage] = Stopwatch.GetTimestamp();
            if (!_first.ContainsKey(value.Stage))
            {
                using var process = Process.GetCurrentProcess();
                _first[value.Stage] = (Stopwatch.GetTimestamp(), process.TotalProcessorTime);
            }
        }
    }

    public Measurement Stage(string from, string to)
    {
        (long startTime, TimeSpan startCpu) = _first[from];
        (long endTime, TimeSpan endCpu) = _first[to];
        return new Measurement(Stopwatch.GetElapsedTime(startTime, endTime).TotalMilliseconds, (endCpu - startCpu).TotalMilliseconds);
    }
}
