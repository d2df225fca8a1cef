using System.Security.Cryptography;
using Wharf.Storage.Testing;

namespace Wharf.Storage.S3.Tests;

/// <summary>
/// The base of the S3-specific tests: each test gets its own fresh bucket on the real server (deleted, with
/// everything in it, after the test) and the storages it makes are disposed after it.
/// </summary>
public abstract class S3TestBase
{
    private readonly List<object> _disposables = [];

    public TestContext TestContext { get; set; } = null!;

    /// <summary>The test's own bucket.</summary>
    protected string Bucket { get; private set; } = null!;

    protected CancellationToken Ct => TestContext.CancellationToken;

    /// <summary>An HTTP client without credentials, as a browser or a CDN is.</summary>
    protected static HttpClient Anonymous { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    [TestInitialize]
    public async Task CreateBucketForTestAsync() => Bucket = await S3Server.CreateBucketAsync(Ct);

    [TestCleanup]
    public async Task DeleteBucketForTestAsync()
    {
        foreach (object disposable in Enumerable.Reverse(_disposables))
        {
            switch (disposable)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable syncDisposable:
                    syncDisposable.Dispose();
                    break;
            }
        }

        _disposables.Clear();
        if (Bucket is not null)
        {
            await S3Server.DeleteBucketAsync(Bucket);
        }
    }

    /// <summary>Options for a storage in the test's bucket (under a fresh location unless one is given).</summary>
    protected S3StorageOptions Options(string? location = null) => S3Server.Options(Bucket, location ?? $"t/{Guid.NewGuid():N}/");

    /// <summary>A storage in the test's bucket, disposed after the test.</summary>
    protected S3Storage CreateStorage(Action<S3StorageOptions>? configure = null, string name = "s3-test")
    {
        S3StorageOptions options = Options();
        configure?.Invoke(options);
        return Track(new S3Storage(name, options));
    }

    /// <summary>Disposes <paramref name="disposable"/> after the test.</summary>
    protected T Track<T>(T disposable)
        where T : IAsyncDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    /// <summary>
    /// A storage whose client has connections of its own (see <see cref="Support.RecordingHttpClientFactory"/>): for
    /// storages whose requests RGW refuses before reading the body, so no broken connection reaches other clients.
    /// </summary>
    protected S3Storage CreateIsolatedStorage(string name, S3StorageOptions options, Action<Amazon.S3.AmazonS3Config>? configure = null) =>
        CreateIsolatedStorage(name, options, out _, configure);

    /// <summary>As <see cref="CreateIsolatedStorage(string, S3StorageOptions, Action{Amazon.S3.AmazonS3Config}?)"/>, with the factory that records the client's requests.</summary>
    private protected S3Storage CreateIsolatedStorage(string name, S3StorageOptions options, out Support.RecordingHttpClientFactory requests, Action<Amazon.S3.AmazonS3Config>? configure = null)
    {
        var factory = new Support.RecordingHttpClientFactory();
        requests = factory;
        _disposables.Add(factory);
        Amazon.S3.AmazonS3Client client = S3Server.CreateClient(options, config =>
        {
            config.HttpClientFactory = factory;
            configure?.Invoke(config);
        });
        _disposables.Add(client);
        return Track(new S3Storage(name, options, client));
    }

    /// <summary>Asserts that an object holds exactly the bytes of <c>new PatternStream(length, seed)</c>, read as a stream.</summary>
    protected async Task AssertPatternAsync(IStorage storage, string name, long length, int seed)
    {
        long read = 0;
        byte[] hash;
        Stream stream = await storage.OpenReadAsync(name, cancellationToken: Ct);
        await using (stream)
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            byte[] buffer = new byte[128 * 1024];
            int count;
            while ((count = await stream.ReadAsync(buffer, Ct)) > 0)
            {
                sha.AppendData(buffer, 0, count);
                read += count;
            }

            hash = sha.GetHashAndReset();
        }

        Assert.AreEqual(length, read, $"'{name}' holds {read} bytes, not {length}.");
        CollectionAssert.AreEqual(PatternStream.ComputeHash(length, seed), hash, $"The content of '{name}' differs from what was saved.");
    }
}
