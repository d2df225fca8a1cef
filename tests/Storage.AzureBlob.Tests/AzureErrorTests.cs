using System.Text;
using Azure;
using Wharf.Storage.Testing;

namespace Wharf.Storage.AzureBlob.Tests;

/// <summary>
/// Wrong keys and a missing container against Azurite: typed errors that name the storage, the object and the cause,
/// keep Azure's error code, and never an answer (exists, not found) in place of an error.
/// </summary>
[TestClass]
public sealed class AzureErrorTests : AzureTestBase
{
    private const string StorageName = "badkey";

    /// <summary>Azure answers a wrong SharedKey signature with <c>AuthenticationFailed</c>; Azurite with <c>AuthorizationFailure</c>.</summary>
    private static readonly string[] BadSignatureCodes = ["AuthenticationFailed", "AuthorizationFailure"];

    [TestMethod]
    public async Task A_wrong_account_key_is_access_denied_for_save_open_info_exists_delete_and_list()
    {
        AzureBlobStorage good = CreateStorage();
        await good.SaveTextAsync("there.txt", "here", cancellationToken: Ct);
        AzureBlobStorage bad = WithKey(good, Convert.ToBase64String(Encoding.ASCII.GetBytes("not the key of devstoreaccount1, but valid base64")));

        StorageAccessDeniedException save = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await bad.SaveTextAsync("new.txt", "x", cancellationToken: Ct));
        AssertDenied(save, "new.txt");

        StorageAccessDeniedException open = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await bad.OpenReadAsync("there.txt", cancellationToken: Ct));
        AssertDenied(open, "there.txt");
        StorageAccessDeniedException openMissing = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await bad.OpenReadAsync("not-there.txt", cancellationToken: Ct));
        AssertDenied(openMissing, "not-there.txt");

        // HEAD has no body: the code comes from the x-ms-error-code header. Never "exists", never "not found".
        StorageAccessDeniedException info = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await bad.GetInfoAsync("there.txt", Ct));
        AssertDenied(info, "there.txt");
        StorageAccessDeniedException exists = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await bad.ExistsAsync("there.txt", Ct));
        AssertDenied(exists, "there.txt");
        StorageAccessDeniedException existsMissing = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await bad.ExistsAsync("not-there.txt", Ct));
        AssertDenied(existsMissing, "not-there.txt");
        StorageAccessDeniedException delete = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await bad.DeleteAsync("there.txt", Ct));
        AssertDenied(delete, "there.txt");

        StorageAccessDeniedException list = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(async () =>
        {
            await foreach (StorageEntry entry in bad.ListAsync(cancellationToken: Ct))
            {
                Assert.Fail($"listed {entry.Name} with a wrong key");
            }
        });
        CollectionAssert.Contains(BadSignatureCodes, list.ErrorCode, list.Message);
        Assert.Contains($"Storage '{StorageName}'", list.Message);
        Assert.Contains(Container, list.Message);

        // Nothing was written or removed.
        Assert.IsFalse(await good.ExistsAsync("new.txt", Ct), "nothing was stored");
        Assert.AreEqual("here", await good.ReadAllTextAsync("there.txt", cancellationToken: Ct), "the object is untouched");
        CollectionAssert.AreEqual(new[] { "there.txt" }, (await ListAsync(good, recursive: true)).Select(e => e.Name).ToArray());
    }

    [TestMethod]
    public async Task A_wrong_account_key_is_access_denied_for_a_block_upload_and_stores_nothing()
    {
        AzureBlobStorage good = CreateStorage(o =>
        {
            o.SingleUploadThreshold = 64 * 1024;
            o.BlockSize = 64 * 1024;
        });
        AzureBlobStorage bad = WithKey(good, Convert.ToBase64String(new byte[64]));

        StorageAccessDeniedException seekable = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await bad.SaveBytesAsync("big.bin", new byte[300 * 1024], cancellationToken: Ct));
        AssertDenied(seekable, "big.bin");
        StorageAccessDeniedException streamed = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await bad.SaveAsync("big.bin", new PatternStream(300 * 1024, seed: 3), cancellationToken: Ct));
        AssertDenied(streamed, "big.bin");

        Assert.IsEmpty(await ListAsync(CreateContainerTopStorage(), recursive: true), "nothing was stored, not even a reservation");
    }

    /// <summary>
    /// Azurite checks SharedKey signatures itself: the right key works, and the same key with one bit of one byte
    /// changed is refused — so the error tests above really test a signature check, not a missing one.
    /// </summary>
    [TestMethod]
    public async Task The_service_checks_the_SharedKey_signature_a_key_off_by_one_byte_is_refused()
    {
        byte[] key = Convert.FromBase64String(AzuriteServer.AccountKey);
        AzureBlobStorage right = CreateStorage(name: StorageName);
        SaveResult saved = await right.SaveTextAsync("signed.txt", "signed", cancellationToken: Ct);
        Assert.AreEqual("signed.txt", saved.Name);
        Assert.IsTrue(await right.ExistsAsync("signed.txt", Ct));

        foreach (int index in new[] { 0, key.Length / 2, key.Length - 1 })
        {
            byte[] offByOne = (byte[])key.Clone();
            offByOne[index] ^= 0x01;
            AzureBlobStorage wrong = WithKey(right, Convert.ToBase64String(offByOne));

            StorageAccessDeniedException read = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
                async () => await wrong.ReadAllTextAsync("signed.txt", cancellationToken: Ct), $"byte {index} changed");
            AssertDenied(read, "signed.txt");
            StorageAccessDeniedException save = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
                async () => await wrong.SaveTextAsync("other.txt", "x", cancellationToken: Ct), $"byte {index} changed");
            AssertDenied(save, "other.txt");
        }

        Assert.IsFalse(await right.ExistsAsync("other.txt", Ct));
    }

    [TestMethod]
    public async Task A_missing_container_is_unavailable_with_ContainerNotFound_for_every_operation()
    {
        string container = "wharf-missing-" + Guid.NewGuid().ToString("N")[..16];
        AzureBlobStorage storage = Track(new AzureBlobStorage("nocontainer", AzuriteServer.Options(container, "loc/")));

        var outcomes = new Dictionary<string, object?>
        {
            ["SaveAsync"] = await OutcomeAsync(async () => await storage.SaveTextAsync("a.txt", "x", cancellationToken: Ct)),
            ["OpenReadAsync"] = await OutcomeAsync(async () => await storage.OpenReadAsync("a.txt", cancellationToken: Ct)),
            ["OpenReadAsync(range)"] = await OutcomeAsync(async () => await storage.OpenReadAsync("a.txt", new ByteRange(1, 2), Ct)),
            ["GetInfoAsync"] = await OutcomeAsync(async () => await storage.GetInfoAsync("a.txt", Ct)),
            ["ExistsAsync"] = await OutcomeAsync(async () => await storage.ExistsAsync("a.txt", Ct)),
            ["DeleteAsync"] = await OutcomeAsync(async () => await storage.DeleteAsync("a.txt", Ct)),
        };

        string report = string.Join("; ", outcomes.Select(o => $"{o.Key} -> {Describe(o.Value)}"));
        foreach ((string operation, object? outcome) in outcomes)
        {
            Assert.IsInstanceOfType<StorageUnavailableException>(outcome, $"{operation} on a missing container. All outcomes: {report}");
            AssertMissingContainer((StorageException)outcome, container, "a.txt");
        }

        StorageUnavailableException list = await Assert.ThrowsExactlyAsync<StorageUnavailableException>(async () =>
        {
            await foreach (StorageEntry entry in storage.ListAsync(cancellationToken: Ct))
            {
                Assert.Fail($"listed {entry.Name} in a missing container");
            }
        });
        Assert.AreEqual("ContainerNotFound", list.ErrorCode);
        Assert.Contains(container, list.Message);

        // A block upload fails at its reservation, before any block.
        AzureBlobStorage blocks = Track(new AzureBlobStorage("nocontainer", Small(AzuriteServer.Options(container))));
        StorageUnavailableException block = await Assert.ThrowsExactlyAsync<StorageUnavailableException>(
            async () => await blocks.SaveAsync("big.bin", new PatternStream(300 * 1024, seed: 6), cancellationToken: Ct));
        AssertMissingContainer(block, container, "big.bin");
    }

    [TestMethod]
    public async Task CreateContainer_makes_a_missing_container_on_the_first_save_small_or_block()
    {
        string container = "wharf-created-" + Guid.NewGuid().ToString("N")[..16];
        string blockContainer = "wharf-created-" + Guid.NewGuid().ToString("N")[..16];
        try
        {
            AzureBlobStorageOptions options = AzuriteServer.Options(container);
            options.CreateContainer = true;
            AzureBlobStorage storage = Track(new AzureBlobStorage("create", options));
            Assert.AreEqual("a.txt", (await storage.SaveTextAsync("a.txt", "made", cancellationToken: Ct)).Name);
            Assert.AreEqual("made", await storage.ReadAllTextAsync("a.txt", cancellationToken: Ct));
            Assert.AreEqual(AzureBlobPublicAccess.None, await storage.GetContainerAccessAsync(Ct));

            AzureBlobStorageOptions blockOptions = Small(AzuriteServer.Options(blockContainer));
            blockOptions.CreateContainer = true;
            AzureBlobStorage blocks = Track(new AzureBlobStorage("create", blockOptions));
            Assert.AreEqual("big.bin", (await blocks.SaveAsync("big.bin", new PatternStream(300 * 1024, seed: 7), cancellationToken: Ct)).Name);
            await AssertPatternAsync(blocks, "big.bin", 300 * 1024, seed: 7);
        }
        finally
        {
            await AzuriteServer.DeleteContainerAsync(container);
            await AzuriteServer.DeleteContainerAsync(blockContainer);
        }
    }

    private static AzureBlobStorageOptions Small(AzureBlobStorageOptions options)
    {
        options.SingleUploadThreshold = 64 * 1024;
        options.BlockSize = 64 * 1024;
        return options;
    }

    private static async Task<object?> OutcomeAsync<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (StorageException exception)
        {
            return exception;
        }
    }

    private static string Describe(object? outcome) => outcome switch
    {
        StorageException e => $"{e.GetType().Name} (ErrorCode {e.ErrorCode ?? "null"})",
        bool b => $"returned {b}",
        null => "returned null",
        _ => $"returned {outcome.GetType().Name}",
    };

    /// <summary>A storage on the same container and location as <paramref name="good"/>, signing with another key.</summary>
    private AzureBlobStorage WithKey(AzureBlobStorage good, string key)
    {
        AzureBlobStorageOptions options = AzuriteServer.Options(good.Container, good.GetBlobName(string.Empty));
        options.AccountKey = key;
        options.SingleUploadThreshold = good.Options.SingleUploadThreshold;
        options.BlockSize = good.Options.BlockSize;
        return Track(new AzureBlobStorage(StorageName, options));
    }

    private void AssertDenied(StorageException exception, string objectName)
    {
        Assert.AreEqual(StorageName, exception.StorageName);
        Assert.AreEqual(objectName, exception.ObjectName);
        Assert.Contains($"Storage '{StorageName}'", exception.Message);
        Assert.Contains($"object '{objectName}'", exception.Message);
        CollectionAssert.Contains(BadSignatureCodes, exception.ErrorCode, exception.Message);
        Assert.Contains($"(error code {exception.ErrorCode})", exception.Message, "the service's own code is kept");
        Assert.Contains(Container, exception.Message, "the message names the container");
        RequestFailedException inner = Assert.IsInstanceOfType<RequestFailedException>(exception.InnerException);
        Assert.AreEqual(403, inner.Status);
        Assert.DoesNotContain(AzuriteServer.AccountKey, exception.ToString(), "the key never appears in an error");
    }

    private static void AssertMissingContainer(StorageException exception, string container, string objectName)
    {
        Assert.AreEqual("nocontainer", exception.StorageName);
        Assert.AreEqual(objectName, exception.ObjectName);
        Assert.AreEqual("ContainerNotFound", exception.ErrorCode, exception.Message);
        Assert.Contains($"container '{container}'", exception.Message);
        Assert.Contains($"object '{objectName}'", exception.Message);
    }
}
