using Wharf.Storage.Testing;

namespace Wharf.Storage.S3.Tests;

/// <summary>The conformance suite on the S3 backend against Ceph RGW: one shared bucket, a fresh location per test.</summary>
[TestClass]
public sealed class S3ConformanceTests : StorageConformanceTests
{
    private static string? s_bucket;

    [ClassInitialize]
    public static async Task CreateBucketAsync(TestContext context) => s_bucket = await S3Server.CreateBucketAsync(context.CancellationToken);

    [ClassCleanup]
    public static async Task DeleteBucketAsync()
    {
        if (s_bucket is not null)
        {
            await S3Server.DeleteBucketAsync(s_bucket);
        }
    }

    /// <summary>
    /// A parallel multipart upload holds (concurrency + 1) part buffers — 5 × 8 MiB with the defaults — however large
    /// the object; the S3 issue bounds the backend at 64 MiB of managed memory, so that is the budget here.
    /// </summary>
    protected override long LargeObjectAllocationBudget => 64L * 1024 * 1024;

    protected override ValueTask<IStorage> CreateStorageAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IStorage>(new S3Storage("s3-conformance", S3Server.Options(
            s_bucket ?? throw new InvalidOperationException("The bucket was not created."), location: $"t/{Guid.NewGuid():N}/")));
}
