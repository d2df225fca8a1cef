using BenchmarkDotNet.Attributes;
using Wharf.Storage;
using Wharf.Storage.FileSystem;

namespace Wharf.Benchmarks;

/// <summary>
/// Reading a whole object into a reused buffer: Wharf's <see cref="StorageBase.OpenReadAsync"/> against a plain
/// unbuffered asynchronous <see cref="FileStream"/> on the same file. The file is in the page cache, so this
/// measures the per-open overhead and the copy, not the disk.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 3, warmupCount: 3, iterationCount: 10)]
public class OpenBenchmarks
{
    private const string ObjectName = "documents/2026/11/object.bin";
    private readonly byte[] _buffer = new byte[128 * 1024];
    private string? _directory;
    private string _path = string.Empty;
    private FileSystemStorage? _storage;

    /// <summary>The object size in bytes: 4 KiB and 1 MiB.</summary>
    [Params(4 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = BenchDirectory.Create("open");
        _storage = new FileSystemStorage("bench", new FileSystemStorageOptions { Root = _directory });
        _path = _storage.GetLocalPath(ObjectName)!;
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        File.WriteAllBytes(_path, BenchDirectory.CreateContent(Size));
    }

    [Benchmark(Baseline = true, Description = "Raw FileStream read")]
    public async Task<long> RawOpen()
    {
        long total = 0;
        var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file)
        {
            int read;
            while ((read = await file.ReadAsync(_buffer)) > 0)
            {
                total += read;
            }
        }

        return total;
    }

    [Benchmark(Description = "Wharf OpenReadAsync")]
    public async Task<long> WharfOpen()
    {
        long total = 0;
        Stream stream = await _storage!.OpenReadAsync(ObjectName);
        await using (stream)
        {
            int read;
            while ((read = await stream.ReadAsync(_buffer)) > 0)
            {
                total += read;
            }
        }

        return total;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _storage?.Dispose();
        BenchDirectory.Release(_directory);
    }
}
