using System.Diagnostics;
using System.Globalization;

namespace Wharf.Benchmarks;

/// <summary>
/// A cross-check of the BenchmarkDotNet ratios that cancels drift: one process runs the very same benchmark methods
/// of Wharf and of the raw baseline alternately, call by call, and compares the medians. BenchmarkDotNet measures
/// each method in its own processes one after the other, so a file system whose speed changes over minutes (inode
/// allocation after deletions, first-touch memory of a virtual machine) moves its ratios; this does not.
/// </summary>
/// <remarks>
/// Run: <c>dotnet run -c Release --project benchmarks/Wharf.Benchmarks -- --paired [rounds] [save|open|s3|s3-save|s3-open|azure|azure-save|azure-open]</c>.
/// Without a case, the file-system cases (save, open) run; <c>s3</c> runs the S3 cases (<see cref="S3SaveBenchmarks"/>,
/// <see cref="S3OpenBenchmarks"/>; they need the real S3 server, see <see cref="S3BenchServer"/>), whose saved objects
/// are deleted every 16 pairs (one untimed batch request); <c>azure</c> runs the Azure cases
/// (<see cref="AzureSaveBenchmarks"/>, <see cref="AzureOpenBenchmarks"/>; they need Azurite, see
/// <see cref="AzureBenchServer"/>), whose saved blobs are deleted every 16 pairs (untimed). Saves run <c>rounds</c>
/// pairs per size, file opens fifty times as many, S3 and Azure opens <see cref="RemoteOpenRoundsFactor"/> times as
/// many. Unlike the BenchmarkDotNet run, saved files are deleted every 16 pairs (untimed): page-cache memory is then
/// recycled, as on a long-running server, instead of first-touched (which costs this virtual machine about 2 ms per
/// MiB); the alternation shares the cost of allocating inodes after deletions fairly between both sides.
/// </remarks>
internal static class PairedComparison
{
    /// <summary>S3 and Azure opens run this many times as many pairs as saves: a GET costs a fraction of a conditional PUT.</summary>
    private const int RemoteOpenRoundsFactor = 5;

    private static readonly int[] Sizes = [4 * 1024, 1024 * 1024];

    public static async Task RunAsync(int rounds, string? only)
    {
        if (only is not (null or "save" or "open" or "s3" or "s3-save" or "s3-open" or "azure" or "azure-save" or "azure-open"))
        {
            throw new ArgumentException($"Unknown case '{only}': use save, open, s3, s3-save, s3-open, azure, azure-save or azure-open (or none for save and open).", nameof(only));
        }

        Console.WriteLine($"Paired comparison, {rounds} rounds per case (warm-up {rounds / 10}); medians and means in microseconds.");
        Console.WriteLine();
        Console.WriteLine("| Operation | Size | Raw median | Wharf median | Ratio (medians) | Raw mean | Wharf mean | Ratio (means) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        await RunCaseAsync(only is null or "save", size => new SaveBenchmarks { Size = size }, b => b.Setup(), b => b.GlobalCleanup(),
            (b, size) => CompareAsync("Save", size, rounds, b.RawSave, b.WharfSave, b.DeleteSavedFiles));
        await RunCaseAsync(only is null or "open", size => new OpenBenchmarks { Size = size }, b => b.Setup(), b => b.Cleanup(),
            (b, size) => CompareAsync("Open", size, rounds * 50, b.RawOpen, b.WharfOpen, between: null));
        await RunCaseAsync(only is "s3" or "s3-save", size => new S3SaveBenchmarks { Size = size }, b => b.Setup(), b => b.GlobalCleanup(),
            (b, size) => CompareAsync("S3 save", size, rounds, b.RawPut, b.WharfSave, b.DeleteSaved));
        await RunCaseAsync(only is "s3" or "s3-open", size => new S3OpenBenchmarks { Size = size }, b => b.Setup(), b => b.Cleanup(),
            (b, size) => CompareAsync("S3 open", size, rounds * RemoteOpenRoundsFactor, b.RawOpen, b.WharfOpen, between: null));
        await RunCaseAsync(only is "azure" or "azure-save", size => new AzureSaveBenchmarks { Size = size }, b => b.Setup(), b => b.GlobalCleanup(),
            (b, size) => CompareAsync("Azure save", size, rounds, b.RawPut, b.WharfSave, b.DeleteSaved));
        await RunCaseAsync(only is "azure" or "azure-open", size => new AzureOpenBenchmarks { Size = size }, b => b.Setup(), b => b.Cleanup(),
            (b, size) => CompareAsync("Azure open", size, rounds * RemoteOpenRoundsFactor, b.RawOpen, b.WharfOpen, between: null));
    }

    /// <summary>When <paramref name="selected"/>, for each size: creates and sets up the benchmark, compares, cleans up.</summary>
    private static async Task RunCaseAsync<T>(bool selected, Func<int, T> create, Action<T> setUp, Action<T> cleanUp, Func<T, int, Task> compare)
    {
        if (!selected)
        {
            return;
        }

        foreach (int size in Sizes)
        {
            T benchmark = create(size);
            setUp(benchmark);
            try
            {
                await compare(benchmark, size);
            }
            finally
            {
                cleanUp(benchmark);
            }
        }
    }

    private static async Task CompareAsync<TRaw, TWharf>(string operation, int size, int rounds, Func<Task<TRaw>> raw, Func<Task<TWharf>> wharf, Action? between)
    {
        for (int i = 0; i < rounds / 10; i++)
        {
            await raw();
            await wharf();
        }

        between?.Invoke();

        double[] rawTimes = new double[rounds];
        double[] wharfTimes = new double[rounds];
        for (int i = 0; i < rounds; i++)
        {
            // Alternate which side goes first, so neither always follows the other.
            if (i % 2 == 0)
            {
                rawTimes[i] = await TimeAsync(raw);
                wharfTimes[i] = await TimeAsync(wharf);
            }
            else
            {
                wharfTimes[i] = await TimeAsync(wharf);
                rawTimes[i] = await TimeAsync(raw);
            }

            if (between is not null && i % 16 == 15)
            {
                between();
            }
        }

        double rawMedian = Median(rawTimes), wharfMedian = Median(wharfTimes);
        double rawMean = rawTimes.Average(), wharfMean = wharfTimes.Average();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {operation} | {size} | {rawMedian:F1} | {wharfMedian:F1} | {wharfMedian / rawMedian:F2} | {rawMean:F1} | {wharfMean:F1} | {wharfMean / rawMean:F2} |"));
    }

    private static async Task<double> TimeAsync<T>(Func<Task<T>> action)
    {
        long start = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    private static double Median(double[] values)
    {
        double[] sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}
