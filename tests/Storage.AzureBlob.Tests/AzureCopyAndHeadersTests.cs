using System.Net;
using System.Text;
using Wharf.Storage.Testing;

namespace Wharf.Storage.AzureBlob.Tests;

/// <summary><see cref="AzureBlobStorage.CopyAsync"/> (Copy Blob) and <see cref="AzureBlobStorage.SetHttpHeadersAsync"/> (Set Blob Properties) against Azurite.</summary>
[TestClass]
public sealed class AzureCopyAndHeadersTests : AzureTestBase
{
    [TestMethod]
    public async Task A_copy_has_the_source_content_content_type_cache_control_and_metadata()
    {
        AzureBlobStorage storage = CreateStorage();
        byte[] content = Encoding.UTF8.GetBytes("copy me \u00e9");
        await storage.SaveBytesAsync("src/a.txt", content, new SaveOptions
        {
            ContentType = "application/x-custom",
            CacheControl = "max-age=60",
            Metadata = new Dictionary<string, string> { ["origin"] = "source" },
        }, Ct);

        SaveResult copied = await storage.CopyAsync("src/a.txt", "dst/b.bin", cancellationToken: Ct);

        Assert.AreEqual("dst/b.bin", copied.Name);
        Assert.AreEqual(content.Length, copied.Length);
        Assert.IsNotNull(copied.ETag);
        CollectionAssert.AreEqual(content, await storage.ReadAllBytesAsync("dst/b.bin", Ct));
        StorageObjectInfo info = await storage.GetInfoAsync("dst/b.bin", Ct);
        Assert.AreEqual("application/x-custom", info.ContentType, "the stored type is copied, not inferred from the new name");
        Assert.AreEqual("max-age=60", info.CacheControl);
        Assert.AreEqual("source", info.Metadata["origin"]);
        Assert.AreEqual(copied.ETag, info.ETag);
        CollectionAssert.AreEqual(content, await storage.ReadAllBytesAsync("src/a.txt", Ct), "the source is untouched");
    }

    [TestMethod]
    public async Task A_copy_of_a_block_blob_with_escaped_names_under_a_location_is_whole()
    {
        AzureBlobStorage storage = CreateStorage(o =>
        {
            o.Location = "loc ü/";
            o.SingleUploadThreshold = 64 * 1024;
            o.BlockSize = 64 * 1024;
        });
        const long Length = (3 * 64 * 1024) + 17;
        await storage.SaveAsync("src dir/ä+b#1.bin", new PatternStream(Length, seed: 8), cancellationToken: Ct);

        SaveResult copied = await storage.CopyAsync("src dir/ä+b#1.bin", "dst/c%20d é.bin", cancellationToken: Ct);

        Assert.AreEqual("dst/c%20d é.bin", copied.Name);
        Assert.AreEqual(Length, copied.Length);
        await AssertPatternAsync(storage, "dst/c%20d é.bin", Length, seed: 8);
        Assert.IsTrue(await CreateContainerTopStorage().ExistsAsync("loc ü/dst/c%20d é.bin", Ct), "the destination is under the location");
    }

    [TestMethod]
    public async Task A_copy_onto_a_taken_name_is_a_conflict_unless_overwrite_replaces_it()
    {
        AzureBlobStorage storage = CreateStorage();
        await storage.SaveTextAsync("a.txt", "new content", cancellationToken: Ct);
        await storage.SaveTextAsync("b.txt", "old", new SaveOptions { ContentType = "text/x-old" }, cancellationToken: Ct);

        StorageConflictException conflict = await Assert.ThrowsExactlyAsync<StorageConflictException>(
            async () => await storage.CopyAsync("a.txt", "b.txt", cancellationToken: Ct));

        Assert.AreEqual("b.txt", conflict.ObjectName);
        Assert.AreEqual("azure-test", conflict.StorageName);
        TestContext.WriteLine(conflict.Message);
        Assert.AreEqual("old", await storage.ReadAllTextAsync("b.txt", cancellationToken: Ct), "the destination is untouched");

        SaveResult replaced = await storage.CopyAsync("a.txt", "b.txt", overwrite: true, cancellationToken: Ct);

        Assert.AreEqual("b.txt", replaced.Name);
        Assert.AreEqual("new content", await storage.ReadAllTextAsync("b.txt", cancellationToken: Ct));
        Assert.AreEqual((await storage.GetInfoAsync("a.txt", Ct)).ContentType, (await storage.GetInfoAsync("b.txt", Ct)).ContentType, "the source's type replaced text/x-old");
    }

    [TestMethod]
    public async Task A_copy_of_a_missing_source_is_not_found_and_creates_nothing()
    {
        AzureBlobStorage storage = CreateStorage();

        ObjectNotFoundException missing = await Assert.ThrowsExactlyAsync<ObjectNotFoundException>(
            async () => await storage.CopyAsync("nothing.txt", "copy.txt", cancellationToken: Ct));

        Assert.AreEqual("nothing.txt", missing.ObjectName, "the error names the missing source");
        Assert.IsFalse(await storage.ExistsAsync("copy.txt", Ct));
        await Assert.ThrowsExactlyAsync<ObjectNotFoundException>(
            async () => await storage.CopyAsync("nothing.txt", "copy.txt", overwrite: true, cancellationToken: Ct));
        await Assert.ThrowsExactlyAsync<InvalidObjectNameException>(
            async () => await storage.CopyAsync("../escape.txt", "copy.txt", cancellationToken: Ct));
        Assert.IsEmpty(await ListAsync(CreateContainerTopStorage(), recursive: true));
    }

    [TestMethod]
    public async Task SetHttpHeaders_changes_what_GetInfo_and_a_signed_GET_see_and_clears_what_it_leaves_out()
    {
        AzureBlobStorage storage = CreateStorage();
        byte[] content = Encoding.UTF8.GetBytes("{\"a\":1}");
        await storage.SaveBytesAsync("data.bin", content, new SaveOptions
        {
            ContentType = "application/octet-stream",
            CacheControl = "no-cache",
            Metadata = new Dictionary<string, string> { ["kept"] = "yes" },
        }, Ct);

        await storage.SetHttpHeadersAsync("data.bin", new AzureBlobHttpHeaders
        {
            ContentType = "application/json",
            CacheControl = "public, max-age=31536000, immutable",
            ContentDisposition = "inline; filename=\"data.json\"",
            ContentLanguage = "en",
        }, Ct);

        StorageObjectInfo info = await storage.GetInfoAsync("data.bin", Ct);
        Assert.AreEqual("application/json", info.ContentType);
        Assert.AreEqual("public, max-age=31536000, immutable", info.CacheControl);
        Assert.AreEqual("yes", info.Metadata["kept"], "Set Blob Properties leaves metadata alone");
        Assert.AreEqual(content.Length, info.Length);

        Uri url = await storage.GetSignedUrlAsync("data.bin", cancellationToken: Ct);
        using (HttpResponseMessage response = await Anonymous.GetAsync(url, Ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
            Assert.AreEqual("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.AreEqual("public, max-age=31536000, immutable", response.Headers.CacheControl?.ToString());
            Assert.AreEqual("data.json", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
            CollectionAssert.AreEqual(new[] { "en" }, response.Content.Headers.ContentLanguage.ToArray());
            CollectionAssert.AreEqual(content, await response.Content.ReadAsByteArrayAsync(Ct));
        }

        // Like the service, a header left null is cleared.
        await storage.SetHttpHeadersAsync("data.bin", new AzureBlobHttpHeaders { ContentType = "text/plain" }, Ct);
        StorageObjectInfo cleared = await storage.GetInfoAsync("data.bin", Ct);
        Assert.AreEqual("text/plain", cleared.ContentType);
        Assert.IsNull(cleared.CacheControl);
        using HttpResponseMessage after = await Anonymous.GetAsync(await storage.GetSignedUrlAsync("data.bin", cancellationToken: Ct), Ct);
        Assert.IsNull(after.Content.Headers.ContentDisposition);
        Assert.IsEmpty(after.Content.Headers.ContentLanguage);
        CollectionAssert.AreEqual(content, await after.Content.ReadAsByteArrayAsync(Ct), "the content is untouched");
    }

    [TestMethod]
    public async Task SetHttpHeaders_on_a_missing_blob_is_not_found_and_creates_nothing()
    {
        AzureBlobStorage storage = CreateStorage();

        ObjectNotFoundException missing = await Assert.ThrowsExactlyAsync<ObjectNotFoundException>(
            async () => await storage.SetHttpHeadersAsync("nothing.txt", new AzureBlobHttpHeaders { ContentType = "text/plain" }, Ct));

        Assert.AreEqual("nothing.txt", missing.ObjectName);
        Assert.AreEqual("BlobNotFound", missing.ErrorCode);
        Assert.IsFalse(await storage.ExistsAsync("nothing.txt", Ct));
    }
}
