using BenchmarkDotNet.Attributes;

namespace Wharf.Benchmarks;

/// <summary>
/// Reading a whole blob from Azurite (see <see cref="AzureBenchServer"/>) into a reused buffer: Wharf's
/// <see cref="Storage.StorageBase.OpenReadAsync"/> against a raw Get Blob sent with <see cref="HttpClient"/>
/// (<see cref="HttpCompletionOption.ResponseHeadersRead"/>) and its response stream, on the same pre-uploaded blob,
/// with the same <see cref="HttpClient"/> (see <see cref="AzureSaveBenchmarks"/>).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 3, warmupCount: 3, iterationCount: 10)]
public class AzureOpenBenchmarks : AzureBenchmarkBase
{
    private const string ObjectName = "documents/2026/11/object.bin";
    private readonly byte[] _buffer = new byte[128 * 1024];

    [GlobalSetup]
    public void Setup()
    {
        SetUp(location: null);
        using var content = new MemoryStream(BenchDirectory.CreateContent(Size), writable: false);
        Raw.PutBlobAsync(ObjectName, content).GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "Raw HttpClient Get Blob read")]
    public async Task<long> RawOpen()
    {
        using HttpResponseMessage response = await Raw.GetBlobAsync(ObjectName);
        await using Stream stream = await response.Content.ReadAsStreamAsync();
        return await ReadToEndAsync(stream);
    }

    [Benchmark(Description = "Wharf OpenReadAsync")]
    public async Task<long> WharfOpen()
    {
        await using Stream stream = await Storage.OpenReadAsync(ObjectName);
        return await ReadToEndAsync(stream);
    }

    [GlobalCleanup]
    public void Cleanup() => CleanUp();

    private async Task<long> ReadToEndAsync(Stream stream)
    {
        long total = 0;
        for (int read; (read = await stream.ReadAsync(_buffer)) > 0;)
        {
            total += read;
        }

        return total;
    }
}
