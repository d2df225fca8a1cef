using Wharf.Storage.Testing;

namespace Wharf.Storage.S3.Tests;

/// <summary>
/// The base of the S3-specific tests: each test gets its own fresh bucket on the real server (deleted, with
/// everything in it, after the test) and the storages it makes are disposed after it (<see cref="StorageTestBase"/>).
/// </summary>
public abstract class S3TestBase : StorageTestBase
{
    /// <summary>The test's own bucket.</summary>
    protected string Bucket { get; private set; } = null!;

    /// <inheritdoc/>
    protected override async Task CreateSpaceAsync(CancellationToken cancellationToken) => Bucket = await S3Server.CreateBucketAsync(cancellationToken);

    /// <inheritdoc/>
    protected override Task DeleteSpaceAsync() => S3Server.DeleteBucketAsync(Bucket);

    /// <summary>Options for a storage in the test's bucket (under a fresh location unless one is given).</summary>
    protected S3StorageOptions Options(string? location = null) => S3Server.Options(Bucket, location ?? $"t/{Guid.NewGuid():N}/");

    /// <summary>A storage in the test's bucket, disposed after the test.</summary>
    protected S3Storage CreateStorage(Action<S3StorageOptions>? configure = null, string name = "s3-test")
    {
        S3StorageOptions options = Options();
        configure?.Invoke(options);
        return Track(new S3Storage(name, options));
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
        TrackDisposable(factory);
        Amazon.S3.AmazonS3Client client = S3Server.CreateClient(options, config =>
        {
            config.HttpClientFactory = factory;
            configure?.Invoke(config);
        });
        TrackDisposable(client);
        return Track(new S3Storage(name, options, client));
    }
}
