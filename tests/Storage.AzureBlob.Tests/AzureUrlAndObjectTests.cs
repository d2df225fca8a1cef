using System.Net;
using System.Text;
using Wharf.Storage.Testing;

namespace Wharf.Storage.AzureBlob.Tests;

/// <summary>
/// Public URL shapes (account endpoint, custom domain, PublicBaseUrl) with a location, and what a blob carries:
/// content type, cache control, metadata, per-object headers, byte ranges — checked on Azurite.
/// </summary>
[TestClass]
public sealed class AzureUrlAndObjectTests : AzureTestBase
{
    [TestMethod]
    public async Task The_public_url_is_the_endpoint_container_location_and_escaped_name_and_serves_the_blob_when_the_container_is_public()
    {
        const string Name = "a b/ü+x#1?.txt";
        AzureBlobStorage storage = CreateStorage(o => o.Location = "media/up loads");

        Uri url = storage.GetPublicUrl(Name);

        Assert.AreEqual($"{AzuriteServer.Endpoint.TrimEnd('/')}/{Container}/media/up%20loads/a%20b/%C3%BC%2Bx%231%3F.txt", url.AbsoluteUri);
        byte[] content = Encoding.UTF8.GetBytes("escaped");
        Assert.AreEqual(Name, (await storage.SaveBytesAsync(Name, content, cancellationToken: Ct)).Name);
        await storage.SetContainerAccessAsync(AzureBlobPublicAccess.Blob, Ct);

        using HttpResponseMessage response = await Anonymous.GetAsync(url, Ct);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"anonymous GET {url}");
        CollectionAssert.AreEqual(content, await response.Content.ReadAsByteArrayAsync(Ct));
    }

    [TestMethod]
    public void A_custom_domain_url_is_the_domain_container_location_and_name()
    {
        AzureBlobStorage storage = CreateStorage(o =>
        {
            o.Location = "/media/";
            o.CustomDomain = "cdn.example.com";
        });
        Assert.AreEqual($"https://cdn.example.com/{Container}/media/photos/cat%201.jpg", storage.GetPublicUrl("photos/cat 1.jpg").AbsoluteUri);

        AzureBlobStorage http = CreateStorage(o =>
        {
            o.Location = null;
            o.CustomDomain = "cdn.example.com/";
            o.UrlProtocol = "http";
        });
        Assert.AreEqual($"http://cdn.example.com/{Container}/photos/%C3%A9t%C3%A9.jpg", http.GetPublicUrl("photos/été.jpg").AbsoluteUri);
    }

    [TestMethod]
    public void PublicBaseUrl_takes_precedence_over_the_account_url_and_gets_the_escaped_name()
    {
        AzureBlobStorage storage = CreateStorage(o =>
        {
            o.Location = "media";
            o.PublicBaseUrl = "https://static.example.com/files/";
        });

        Assert.AreEqual("https://static.example.com/files/a%20b/c%2Bd.txt", storage.GetPublicUrl("a b/c+d.txt").AbsoluteUri);
        Assert.IsTrue(storage.TryGetPublicUrl("x.txt", out Uri? url));
        Assert.AreEqual("https://static.example.com/files/x.txt", url.AbsoluteUri);

    }

    [TestMethod]
    public async Task Content_type_cache_control_and_metadata_round_trip_on_single_and_block_uploads()
    {
        AzureBlobStorage storage = CreateStorage(o =>
        {
            o.SingleUploadThreshold = 64 * 1024;
            o.BlockSize = 64 * 1024;
        });
        var options = new SaveOptions
        {
            ContentType = "image/webp",
            CacheControl = "public, max-age=31536000, immutable",
            Metadata = new Dictionary<string, string> { ["Owner_Id"] = "42", ["note"] = "a b=c; d" },
        };

        await storage.SaveBytesAsync("small.webp", Encoding.UTF8.GetBytes("small"), options, Ct);
        await storage.SaveAsync("big.webp", new PatternStream(200_000, seed: 4), options, Ct);

        foreach (string name in new[] { "small.webp", "big.webp" })
        {
            StorageObjectInfo info = await storage.GetInfoAsync(name, Ct);
            Assert.AreEqual("image/webp", info.ContentType, name);
            Assert.AreEqual("public, max-age=31536000, immutable", info.CacheControl, name);
            Assert.AreEqual("42", info.Metadata["owner_id"], "keys come back in lower case");
            Assert.AreEqual("a b=c; d", info.Metadata["note"]);
            Assert.HasCount(2, info.Metadata, $"{name}: no reservation marker or other key");
            Assert.IsNotNull(info.ETag);
            Assert.StartsWith("\"", info.ETag, "quoted, as in HTTP");
            Assert.IsLessThan(TimeSpan.FromMinutes(5), (DateTimeOffset.UtcNow - info.LastModified).Duration(), $"{name}: {info.LastModified}");
        }

        // Without options: the type from the name, the storage's default Cache-Control, no metadata.
        AzureBlobStorage defaults = CreateStorage(o => o.CacheControl = "max-age=60");
        await defaults.SaveTextAsync("page.html", "<p>x</p>", cancellationToken: Ct);
        StorageObjectInfo plain = await defaults.GetInfoAsync("page.html", Ct);
        StringAssert.StartsWith(plain.ContentType, "text/html");
        Assert.AreEqual("max-age=60", plain.CacheControl);
        Assert.IsEmpty(plain.Metadata);
    }

    [TestMethod]
    public async Task ConfigureObject_sets_per_object_headers_seen_by_a_signed_GET()
    {
        AzureBlobStorage storage = CreateStorage(o => o.ConfigureObject = p =>
        {
            if (p.Name.EndsWith(".pdf", StringComparison.Ordinal))
            {
                p.ContentDisposition = "attachment";
                p.ContentLanguage = "fr";
                p.CacheControl = "private";
            }
        });
        await storage.SaveTextAsync("doc.pdf", "%PDF", cancellationToken: Ct);
        await storage.SaveTextAsync("doc.txt", "text", cancellationToken: Ct);

        using (HttpResponseMessage pdf = await Anonymous.GetAsync(await storage.GetSignedUrlAsync("doc.pdf", cancellationToken: Ct), Ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, pdf.StatusCode);
            Assert.AreEqual("attachment", pdf.Content.Headers.ContentDisposition?.DispositionType);
            CollectionAssert.AreEqual(new[] { "fr" }, pdf.Content.Headers.ContentLanguage.ToArray());
            Assert.AreEqual("private", pdf.Headers.CacheControl?.ToString());
            Assert.AreEqual("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        }

        using HttpResponseMessage txt = await Anonymous.GetAsync(await storage.GetSignedUrlAsync("doc.txt", cancellationToken: Ct), Ct);
        Assert.IsNull(txt.Content.Headers.ContentDisposition);
        Assert.IsEmpty(txt.Content.Headers.ContentLanguage);
    }

    [TestMethod]
    public async Task Byte_ranges_are_clipped_and_a_range_past_the_end_is_empty()
    {
        AzureBlobStorage storage = CreateStorage();
        byte[] content = Encoding.ASCII.GetBytes("0123456789");
        await storage.SaveBytesAsync("digits.txt", content, cancellationToken: Ct);
        await storage.SaveBytesAsync("empty.txt", ReadOnlyMemory<byte>.Empty, cancellationToken: Ct);

        Assert.AreEqual("234", await ReadRangeAsync(storage, "digits.txt", new ByteRange(2, 3)));
        Assert.AreEqual("789", await ReadRangeAsync(storage, "digits.txt", new ByteRange(7)));
        Assert.AreEqual("89", await ReadRangeAsync(storage, "digits.txt", new ByteRange(8, 100)), "clipped to the end");
        Assert.AreEqual("0", await ReadRangeAsync(storage, "digits.txt", new ByteRange(0, 1)));
        Assert.AreEqual("9", await ReadRangeAsync(storage, "digits.txt", new ByteRange(9, 1)));
        Assert.AreEqual(string.Empty, await ReadRangeAsync(storage, "digits.txt", new ByteRange(10)), "starting at the end (416 from the service)");
        Assert.AreEqual(string.Empty, await ReadRangeAsync(storage, "digits.txt", new ByteRange(50, 5)), "starting past the end");
        Assert.AreEqual(string.Empty, await ReadRangeAsync(storage, "digits.txt", new ByteRange(3, 0)), "an empty range");
        Assert.AreEqual(string.Empty, await ReadRangeAsync(storage, "empty.txt", new ByteRange(0, 5)), "any range of an empty blob");
        Assert.AreEqual(string.Empty, await ReadRangeAsync(storage, "empty.txt", new ByteRange(0)));

        await Assert.ThrowsExactlyAsync<ObjectNotFoundException>(async () => await storage.OpenReadAsync("missing.txt", new ByteRange(0, 1), Ct));
        await Assert.ThrowsExactlyAsync<ObjectNotFoundException>(async () => await storage.OpenReadAsync("missing.txt", new ByteRange(5), Ct));
        await Assert.ThrowsExactlyAsync<ObjectNotFoundException>(async () => await storage.OpenReadAsync("missing.txt", new ByteRange(0, 0), Ct));
    }

    [TestMethod]
    public async Task A_range_of_a_block_blob_crosses_block_boundaries_intact()
    {
        const int Block = 64 * 1024;
        AzureBlobStorage storage = CreateStorage(o =>
        {
            o.SingleUploadThreshold = Block;
            o.BlockSize = Block;
        });
        byte[] content = new byte[(3 * Block) + 11];
        await new PatternStream(content.Length, seed: 31).ReadExactlyAsync(content, Ct);
        await storage.SaveAsync("blocks.bin", new PatternStream(content.Length, seed: 31), cancellationToken: Ct);

        Stream range = await storage.OpenReadAsync("blocks.bin", new ByteRange(Block - 5, Block + 10), Ct);
        await using (range)
        {
            var read = new MemoryStream();
            await range.CopyToAsync(read, Ct);
            CollectionAssert.AreEqual(content.AsSpan(Block - 5, Block + 10).ToArray(), read.ToArray());
        }
    }

    private async Task<string> ReadRangeAsync(IStorage storage, string name, ByteRange range)
    {
        Stream stream = await storage.OpenReadAsync(name, range, Ct);
        await using (stream)
        {
            using var reader = new StreamReader(stream, Encoding.ASCII);
            return await reader.ReadToEndAsync(Ct);
        }
    }
}
