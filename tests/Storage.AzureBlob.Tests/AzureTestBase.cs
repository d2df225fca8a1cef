using System.Security.Cryptography;
using Wharf.Storage.AzureBlob.Tests.Support;
using Wharf.Storage.Testing;

namespace Wharf.Storage.AzureBlob.Tests;

/// <summary>
/// The base of the Azure-specific tests: each test gets its own fresh, private container on Azurite (deleted, with
/// everything in it, after the test) and the storages it makes are disposed after it.
/// </summary>
public abstract class AzureTestBase
{
    private readonly List<object> _disposables = [];

    public TestContext TestContext { get; set; } = null!;

    /// <summary>The test's own container (private).</summary>
    protected string Container { get; private set; } = null!;

    protected CancellationToken Ct => TestContext.CancellationToken;

    /// <summary>An HTTP client without credentials, as a browser or a CDN is.</summary>
    protected static HttpClient Anonymous { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    [TestInitialize]
    public async Task CreateContainerForTestAsync() => Container = await AzuriteServer.CreateContainerAsync(Ct);

    [TestCleanup]
    public async Task DeleteContainerForTestAsync()
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
        if (Container is not null)
        {
            await AzuriteServer.DeleteContainerAsync(Container);
        }
    }

    /// <summary>Options for a storage in the test's container (under a fresh location unless one is given).</summary>
    protected AzureBlobStorageOptions Options(string? location = null) => AzuriteServer.Options(Container, location ?? $"t/{Guid.NewGuid():N}/");

    /// <summary>A storage in the test's container (SharedKey), disposed after the test.</summary>
    protected AzureBlobStorage CreateStorage(Action<AzureBlobStorageOptions>? configure = null, string name = "azure-test")
    {
        AzureBlobStorageOptions options = Options();
        configure?.Invoke(options);
        return Track(new AzureBlobStorage(name, options));
    }

    /// <summary>A storage on the container's top level (no location), to see blobs as the service holds them.</summary>
    protected AzureBlobStorage CreateContainerTopStorage(string name = "azure-top") =>
        Track(new AzureBlobStorage(name, AzuriteServer.Options(Container)));

    /// <summary>
    /// A storage whose pipeline sends through a transport of its own that records each request (method, path, query),
    /// so tests can count round trips; its connections are its own too.
    /// </summary>
    private protected AzureBlobStorage CreateRecordingStorage(string name, AzureBlobStorageOptions options, out RecordingTransport recorder)
    {
        var requests = new RecordingTransport();
        recorder = requests;
        _disposables.Add(requests);
        Action<AzureBlobClientOptions>? configured = options.ConfigureClient;
        options.ConfigureClient = client =>
        {
            configured?.Invoke(client);
            client.Transport = requests.Transport;
        };
        return Track(new AzureBlobStorage(name, options));
    }

    /// <summary>Disposes <paramref name="disposable"/> after the test.</summary>
    protected T Track<T>(T disposable)
        where T : IAsyncDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    /// <summary>The path of a blob of the test's container on the wire (<c>/devstoreaccount1/{container}/{escaped name}</c>).</summary>
    protected string BlobPath(string blobName) =>
        $"{AzuriteServer.EndpointUri.AbsolutePath.TrimEnd('/')}/{Container}/{StorageUrls.AppendEscapedName(new System.Text.StringBuilder(), blobName)}";

    /// <summary>Every entry of a listing.</summary>
    protected async Task<List<StorageEntry>> ListAsync(IStorage storage, string? prefix = null, bool recursive = false, int pageSize = 1000)
    {
        var entries = new List<StorageEntry>();
        await foreach (StorageEntry entry in storage.ListAsync(prefix, new ListOptions { Recursive = recursive, PageSizeHint = pageSize }, Ct))
        {
            entries.Add(entry);
        }

        return entries;
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
