using Wharf.Storage.AzureBlob.Tests.Support;
using Wharf.Storage.Testing;

namespace Wharf.Storage.AzureBlob.Tests;

/// <summary>
/// The base of the Azure-specific tests: each test gets its own fresh, private container on Azurite (deleted, with
/// everything in it, after the test) and the storages it makes are disposed after it (<see cref="StorageTestBase"/>).
/// </summary>
public abstract class AzureTestBase : StorageTestBase
{
    /// <summary>The test's own container (private).</summary>
    protected string Container { get; private set; } = null!;

    /// <inheritdoc/>
    protected override async Task CreateSpaceAsync(CancellationToken cancellationToken) => Container = await AzuriteServer.CreateContainerAsync(cancellationToken);

    /// <inheritdoc/>
    protected override Task DeleteSpaceAsync() => AzuriteServer.DeleteContainerAsync(Container);

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
        TrackDisposable(requests);
        Action<AzureBlobClientOptions>? configured = options.ConfigureClient;
        options.ConfigureClient = client =>
        {
            configured?.Invoke(client);
            client.Transport = requests.Transport;
        };
        return Track(new AzureBlobStorage(name, options));
    }

    /// <summary>The path of a blob of the test's container on the wire (<c>/devstoreaccount1/{container}/{escaped name}</c>).</summary>
    protected string BlobPath(string blobName) =>
        $"{AzuriteServer.EndpointUri.AbsolutePath.TrimEnd('/')}/{Container}/{StorageUrls.AppendEscapedName(new System.Text.StringBuilder(), blobName)}";
}
