using Amazon.S3;
using Amazon.S3.Model;
using BenchmarkDotNet.Attributes;
using Wharf.Storage;
using Wharf.Storage.S3;

namespace Wharf.Benchmarks;

/// <summary>
/// A save of a free name on a real S3 server (see <see cref="S3BenchServer"/>): Wharf's
/// <see cref="S3Storage"/>.<c>SaveAsync</c> (Overwrite off, defaults otherwise) against the raw SDK call Wharf makes
/// for it, <see cref="AmazonS3Client.PutObjectAsync(PutObjectRequest, CancellationToken)"/> with
/// <c>If-None-Match: *</c>.
/// </summary>
/// <remarks>
/// Both sides use the same <see cref="AmazonS3Client"/> (built by <see cref="S3Storage.CreateClient"/>: path style,
/// checksums only when required), so they share its settings and connection pool, and send the same request: the
/// same headers (content type <c>application/octet-stream</c>, <c>x-amz-acl: private</c>, <c>If-None-Match: *</c>)
/// and body, under a key of the same length (<c>raw/0000002a.bin</c>, <c>wharf/0000002a.bin</c>). The content is a
/// pre-made byte array in a <see cref="MemoryStream"/>, rewound each call. Each call uses a fresh key; what an
/// iteration saved is deleted after it (untimed, one batch request), so the server's memory stays small.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 3, warmupCount: 3, iterationCount: 10, invocationCount: 64)]
public class S3SaveBenchmarks
{
    private readonly List<string> _saved = [];
    private string _bucket = string.Empty;
    private AmazonS3Client? _client;
    private S3Storage? _storage;
    private MemoryStream _content = new();
    private long _counter;

    /// <summary>The object size in bytes: 4 KiB and 1 MiB.</summary>
    [Params(4 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _bucket = S3BenchServer.NewBucketName();
        S3StorageOptions options = S3BenchServer.Options(_bucket, location: "wharf");
        _client = S3Storage.CreateClient(options);
        S3BenchServer.CreateBucket(_client, _bucket);
        _storage = new S3Storage("bench", options, _client);
        _content = new MemoryStream(BenchDirectory.CreateContent(Size), writable: false);
    }

    [Benchmark(Baseline = true, Description = "Raw SDK PutObject If-None-Match")]
    public async Task<PutObjectResponse> RawPut()
    {
        _content.Position = 0;
        long n = ++_counter;
        string key = $"raw/{n:x8}.bin";
        _saved.Add(key);
        return await _client!.PutObjectAsync(new PutObjectRequest
        {
            BucketName = _bucket,
            Key = key,
            InputStream = _content,
            AutoCloseStream = false,
            ContentType = "application/octet-stream",
            CannedACL = S3CannedACL.Private,
            IfNoneMatch = "*",
        });
    }

    [Benchmark(Description = "Wharf SaveAsync")]
    public async Task<SaveResult> WharfSave()
    {
        _content.Position = 0;
        long n = ++_counter;
        string name = $"{n:x8}.bin";
        _saved.Add("wharf/" + name);
        return await _storage!.SaveAsync(name, _content);
    }

    /// <summary>Deletes what was saved so far (one batch request); after each iteration, and in <see cref="PairedComparison"/>.</summary>
    [IterationCleanup]
    public void DeleteSaved()
    {
        S3BenchServer.DeleteObjectsAsync(_client!, _bucket, _saved).GetAwaiter().GetResult();
        _saved.Clear();
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        if (_client is not null)
        {
            S3BenchServer.DeleteBucketAsync(_client, _bucket).GetAwaiter().GetResult();
        }

        _storage?.Dispose();
        _client?.Dispose();
        _content.Dispose();
    }
}
