using BenchmarkDotNet.Attributes;
using Wharf.Storage;
using Wharf.Storage.AzureBlob;

namespace Wharf.Benchmarks;

/// <summary>
/// A save of a free name on Azurite (see <see cref="AzureBenchServer"/>): Wharf's
/// <see cref="AzureBlobStorage"/>.<c>SaveAsync</c> (Overwrite off, defaults otherwise) against the raw REST call Wharf
/// makes for it, a Put Blob with <c>If-None-Match: *</c> sent with <see cref="HttpClient"/>
/// (<see cref="AzureRawBlobClient.PutBlobAsync"/>).
/// </summary>
/// <remarks>
/// Both sides send through the same <see cref="HttpClient"/> (Wharf's Azure.Core pipeline has it as its transport),
/// so they share its handler settings and connection pool, and send the same request: <c>x-ms-blob-type:
/// BlockBlob</c>, <c>If-None-Match: *</c>, <c>x-ms-blob-content-type: application/octet-stream</c>, SharedKey, the
/// same body, under a name of the same length (<c>plain/0000002a.bin</c>, <c>wharf/0000002a.bin</c>). The content is
/// a pre-made byte array in a <see cref="MemoryStream"/>, rewound each call. Each call uses a fresh name; what an
/// iteration saved is deleted after it (untimed), so Azurite's memory stays small.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 3, warmupCount: 3, iterationCount: 10, invocationCount: 64)]
public class AzureSaveBenchmarks : AzureBenchmarkBase
{
    private const string WharfFolder = "wharf";
    private readonly List<string> _saved = [];
    private MemoryStream _content = new();
    private long _counter;

    [GlobalSetup]
    public void Setup()
    {
        SetUp(location: WharfFolder);
        _content = new MemoryStream(BenchDirectory.CreateContent(Size), writable: false);
    }

    [Benchmark(Baseline = true, Description = "Raw HttpClient Put Blob If-None-Match")]
    public async Task<System.Net.HttpStatusCode> RawPut() => await Raw.PutBlobAsync(NextBlobName("plain"), _content);

    [Benchmark(Description = "Wharf SaveAsync")]
    public async Task<SaveResult> WharfSave() => await Storage.SaveAsync(NextBlobName(WharfFolder)[(WharfFolder.Length + 1)..], _content);

    /// <summary>Deletes what was saved so far; after each iteration, and in <see cref="PairedComparison"/>.</summary>
    [IterationCleanup]
    public void DeleteSaved()
    {
        Raw.DeleteBlobsAsync(_saved).GetAwaiter().GetResult();
        _saved.Clear();
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        CleanUp();
        _content.Dispose();
    }

    /// <summary>Rewinds the content and returns a fresh blob name in <paramref name="folder"/>, remembered for deletion.</summary>
    private string NextBlobName(string folder)
    {
        _content.Position = 0;
        string blobName = $"{folder}/{++_counter:x8}.bin";
        _saved.Add(blobName);
        return blobName;
    }
}
