using BenchmarkDotNet.Attributes;
using Wharf.Storage;
using Wharf.Storage.FileSystem;

namespace Wharf.Benchmarks;

/// <summary>
/// A durable save: Wharf's <see cref="FileSystemStorage.SaveAsync"/> (FlushToDisk on, Overwrite off, defaults
/// otherwise) against plain System.IO doing the same work: a temp file in the target folder created with
/// <see cref="FileMode.CreateNew"/>, the content written, fsync, then a rename that does not overwrite.
/// </summary>
/// <remarks>
/// Each invocation saves under a fresh name into a folder of its own process (about a thousand files per folder
/// at the end). Nothing is deleted while benchmarks run (see <see cref="BenchDirectory"/>): the host deletes the
/// run folder at the end. The content is a pre-made byte array in a <see cref="MemoryStream"/>, rewound each call.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 3, warmupCount: 3, iterationCount: 10, invocationCount: 64)]
public class SaveBenchmarks
{
    private string? _directory;
    private string _rawFolder = string.Empty;
    private string _wharfFolder = string.Empty;
    private FileSystemStorage? _storage;
    private MemoryStream _content = new();
    private long _counter;

    /// <summary>The object size in bytes: 4 KiB and 1 MiB.</summary>
    [Params(4 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = BenchDirectory.Create($"save-{Size}");
        _rawFolder = Path.Join(_directory, "raw");
        _wharfFolder = Path.Join(_directory, "wharf");
        Directory.CreateDirectory(_rawFolder);
        _storage = new FileSystemStorage("bench", new FileSystemStorageOptions { Root = _wharfFolder });
        _content = new MemoryStream(BenchDirectory.CreateContent(Size), writable: false);
    }

    [Benchmark(Baseline = true, Description = "Raw System.IO save")]
    public async Task<long> RawSave()
    {
        _content.Position = 0;
        long n = ++_counter;
        string temp = Path.Join(_rawFolder, $".tmp-{n:x8}");
        string target = Path.Join(_rawFolder, $"{n:x8}.bin");
        var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
        await using (file)
        {
            await _content.CopyToAsync(file);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, target, overwrite: false);
        return n;
    }

    [Benchmark(Description = "Wharf SaveAsync")]
    public async Task<SaveResult> WharfSave()
    {
        _content.Position = 0;
        long n = ++_counter;
        return await _storage!.SaveAsync($"{n:x8}.bin", _content);
    }

    /// <summary>Deletes what both sides saved so far; for <see cref="PairedComparison"/>, between timed calls.</summary>
    internal void DeleteSavedFiles()
    {
        foreach (string folder in new[] { _rawFolder, _wharfFolder })
        {
            foreach (string file in Directory.EnumerateFiles(folder))
            {
                File.Delete(file);
            }
        }
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _storage?.Dispose();
        _content.Dispose();
        BenchDirectory.Release(_directory);
    }
}
