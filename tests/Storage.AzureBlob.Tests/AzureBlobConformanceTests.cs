using Wharf.Storage.Testing;

namespace Wharf.Storage.AzureBlob.Tests;

/// <summary>The conformance suite on the Azure Blob backend against Azurite: one shared container, a fresh location per test.</summary>
[TestClass]
public sealed class AzureBlobConformanceTests : StorageConformanceTests
{
    private static string? s_container;

    [ClassInitialize]
    public static async Task CreateContainerAsync(TestContext context) => s_container = await AzuriteServer.CreateContainerAsync(context.CancellationToken);

    [ClassCleanup]
    public static async Task DeleteContainerAsync()
    {
        if (s_container is not null)
        {
            await AzuriteServer.DeleteContainerAsync(s_container);
        }
    }

    /// <summary>
    /// A parallel block upload holds (concurrency + 1) block buffers — 5 × 8 MiB with the defaults — however large
    /// the object; the Azure issue bounds the backend at 64 MiB of managed memory, so that is the budget here.
    /// </summary>
    protected override long LargeObjectAllocationBudget => 64L * 1024 * 1024;

    protected override ValueTask<IStorage> CreateStorageAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IStorage>(new AzureBlobStorage("azure-conformance", AzuriteServer.Options(
            s_container ?? throw new InvalidOperationException("The container was not created."), location: $"t/{Guid.NewGuid():N}/")));
}
