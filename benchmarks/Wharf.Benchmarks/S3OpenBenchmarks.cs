using Amazon.S3;
using Amazon.S3.Model;
using BenchmarkDotNet.Attributes;
using Wharf.Storage.S3;

namespace Wharf.Benchmarks;

/// <summary>
/// Reading a whole object from a real S3 server (see <see cref="S3BenchServer"/>) into a reused buffer: Wharf's
/// <see cref="Storage.StorageBase.OpenReadAsync"/> against the raw
/// <see cref="AmazonS3Client.GetObjectAsync(GetObjectRequest, CancellationToken)"/> and its response stream, on the
/// same pre-uploaded object, with the same client (see <see cref="S3SaveBenchmarks"/>).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 3, warmupCount: 3, iterationCount: 10)]
public class S3OpenBenchmarks
{
    private const string ObjectName = "documents/2026/11/object.bin";
    private readonly byte[] _buffer = new byte[128 * 1024];
    private string _bucket = string.Empty;
    private AmazonS3Client? _client;
    private S3Storage? _storage;

    /// <summary>The object size in bytes: 4 KiB and 1 MiB.</summary>
    [Params(4 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _bucket = S3BenchServer.NewBucketName();
        S3StorageOptions options = S3BenchServer.Options(_bucket);
        _client = S3Storage.CreateClient(options);
        S3BenchServer.CreateBucket(_client, _bucket);
        _storage = new S3Storage("bench", options, _client);
        using var content = new MemoryStream(BenchDirectory.CreateContent(Size), writable: false);
        _client.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = ObjectName, InputStream = content, AutoCloseStream = false })
            .GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "Raw SDK GetObject read")]
    public async Task<long> RawOpen()
    {
        long total = 0;
        using GetObjectResponse response = await _client!.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = ObjectName });
        Stream stream = response.ResponseStream;
        int read;
        while ((read = await stream.ReadAsync(_buffer)) > 0)
        {
            total += read;
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
        if (_client is not null)
        {
            S3BenchServer.DeleteBucketAsync(_client, _bucket).GetAwaiter().GetResult();
        }

        _storage?.Dispose();
        _client?.Dispose();
    }
}
