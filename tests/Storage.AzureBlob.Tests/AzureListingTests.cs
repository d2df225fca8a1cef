using System.Text;

namespace Wharf.Storage.AzureBlob.Tests;

/// <summary>List Blobs against Azurite: prefixes, the '/' delimiter, paging, ordinal order, the location, and names that need escaping.</summary>
[TestClass]
public sealed class AzureListingTests : AzureTestBase
{
    /// <summary>Blobs and folders interleaved, with names around '/' in ordinal order ('-' &lt; '/' &lt; '0').</summary>
    private static readonly string[] Names =
    [
        "a-b.txt",
        "a/1.txt",
        "a/2.txt",
        "a/deep/x.txt",
        "a0.txt",
        "b.txt",
        "c/only.txt",
        "d.txt",
        "e/f/g.txt",
        "z.txt",
    ];

    [TestMethod]
    public async Task One_level_listings_with_pages_of_two_are_in_ordinal_order_with_each_directory_once()
    {
        AzureBlobStorage storage = await SaveAllAsync();

        foreach (int pageSize in new[] { 1, 2, 3, 1000 })
        {
            List<StorageEntry> top = await ListAsync(storage, pageSize: pageSize);
            CollectionAssert.AreEqual(
                new[] { "a-b.txt", "a/", "a0.txt", "b.txt", "c/", "d.txt", "e/", "z.txt" },
                top.Select(e => e.Name).ToArray(), $"page size {pageSize}: {Describe(top)}");
            CollectionAssert.AreEqual(
                new[] { false, true, false, false, true, false, true, false },
                top.Select(e => e.IsDirectory).ToArray(), $"page size {pageSize}");
            Assert.IsTrue(top.Where(e => e.IsDirectory).All(e => e.Length is null && e.LastModified is null), "directories have no length or time");
            Assert.IsTrue(top.Where(e => !e.IsDirectory).All(e => e.Length == Encoding.UTF8.GetByteCount("content of " + e.Name) && e.LastModified is not null && e.ETag is not null), Describe(top));
        }
    }

    [TestMethod]
    public async Task Folder_prefix_and_partial_prefix_listings_page_correctly()
    {
        AzureBlobStorage storage = await SaveAllAsync();

        CollectionAssert.AreEqual(new[] { "a/1.txt", "a/2.txt", "a/deep/" }, (await ListAsync(storage, "a/", pageSize: 2)).Select(e => e.Name).ToArray());
        CollectionAssert.AreEqual(new[] { "a-b.txt", "a/", "a0.txt" }, (await ListAsync(storage, "a", pageSize: 2)).Select(e => e.Name).ToArray());
        CollectionAssert.AreEqual(new[] { "e/f/" }, (await ListAsync(storage, "e/", pageSize: 2)).Select(e => e.Name).ToArray());
        CollectionAssert.AreEqual(new[] { "e/f/g.txt" }, (await ListAsync(storage, "e/f/", pageSize: 2)).Select(e => e.Name).ToArray());
        Assert.IsEmpty(await ListAsync(storage, "nothing/", pageSize: 2));
        Assert.IsEmpty(await ListAsync(storage, "a/1.txt/", pageSize: 2));
    }

    [TestMethod]
    public async Task Recursive_listings_in_pages_of_two_hold_every_blob_once_in_ordinal_order()
    {
        AzureBlobStorage storage = await SaveAllAsync();

        List<StorageEntry> all = await ListAsync(storage, recursive: true, pageSize: 2);

        CollectionAssert.AreEqual(Names.Order(StringComparer.Ordinal).ToArray(), all.Select(e => e.Name).ToArray(), Describe(all));
        Assert.IsTrue(all.All(e => !e.IsDirectory));
        CollectionAssert.AreEqual(new[] { "a/1.txt", "a/2.txt", "a/deep/x.txt" }, (await ListAsync(storage, "a/", recursive: true, pageSize: 2)).Select(e => e.Name).ToArray());
    }

    [TestMethod]
    public async Task The_location_prefix_is_stripped_and_blobs_outside_it_are_not_listed()
    {
        string location = $"loc-{Guid.NewGuid():N}"[..12];
        AzureBlobStorage storage = CreateStorage(o => o.Location = location + "/");
        AzureBlobStorage top = CreateContainerTopStorage();
        await storage.SaveTextAsync("b.txt", "b", cancellationToken: Ct);
        await storage.SaveTextAsync("dir/c.txt", "c", cancellationToken: Ct);
        await storage.SaveTextAsync("dir/sub/d.txt", "d", cancellationToken: Ct);
        await top.SaveTextAsync("outside.txt", "o", cancellationToken: Ct);
        await top.SaveTextAsync(location + "x/not-mine.txt", "n", cancellationToken: Ct);
        await top.SaveTextAsync(location + ".txt", "n", cancellationToken: Ct);

        // The container holds the location in the blob names.
        CollectionAssert.AreEquivalent(
            new[] { $"{location}/b.txt", $"{location}/dir/c.txt", $"{location}/dir/sub/d.txt", "outside.txt", $"{location}x/not-mine.txt", $"{location}.txt" },
            (await ListAsync(top, recursive: true)).Select(e => e.Name).ToArray());

        // The storage lists its own blobs only, by name, without the location.
        List<StorageEntry> mine = await ListAsync(storage, pageSize: 1);
        CollectionAssert.AreEqual(new[] { "b.txt", "dir/" }, mine.Select(e => e.Name).ToArray());
        Assert.AreEqual(1, mine[0].Length);
        CollectionAssert.AreEqual(new[] { "b.txt", "dir/c.txt", "dir/sub/d.txt" }, (await ListAsync(storage, recursive: true, pageSize: 2)).Select(e => e.Name).ToArray());
        CollectionAssert.AreEqual(new[] { "dir/c.txt", "dir/sub/" }, (await ListAsync(storage, "dir/", pageSize: 1)).Select(e => e.Name).ToArray());

        // Every operation addresses names below the location.
        Assert.AreEqual("c", await storage.ReadAllTextAsync("dir/c.txt", cancellationToken: Ct));
        Assert.IsFalse(await storage.ExistsAsync("outside.txt", Ct));
        Assert.IsTrue(await top.ExistsAsync(location + "/b.txt", Ct));
        Assert.IsTrue(await storage.DeleteAsync("b.txt", Ct));
        Assert.IsFalse(await top.ExistsAsync(location + "/b.txt", Ct));
    }

    /// <summary>Names that need escaping in a URL path, a query (prefix, marker) or XML round-trip through save, list, open, info, exists and delete.</summary>
    [TestMethod]
    public async Task Names_with_spaces_unicode_and_reserved_characters_round_trip_through_save_list_and_open()
    {
        string[] names =
        [
            "space name.txt",
            "plus+sign.txt",
            "per%cent.txt",
            "per%20cent-literal.txt",
            "hash#tag.txt",
            "question?mark.txt",
            "amp&er=sand;semi.txt",
            "quote'and\"double.txt",
            "lt<gt>.txt",
            "ünïcødé/çà.txt",
            "日本語/ファイル 名.txt",
            "emoji 😀/🎉.txt",
            "tilde~star*paren(1)[2]{3}.txt",
            "comma,colon:at@dollar$.txt",
        ];
        AzureBlobStorage storage = CreateStorage(o => o.Location = "esc aped/ü+%#");

        foreach (string name in names)
        {
            SaveResult saved = await storage.SaveTextAsync(name, "content of " + name, cancellationToken: Ct);
            Assert.AreEqual(name, saved.Name, "a free name is kept as it is");
        }

        List<StorageEntry> listed = await ListAsync(storage, recursive: true, pageSize: 4);
        CollectionAssert.AreEqual(names.Order(StringComparer.Ordinal).ToArray(), listed.Select(e => e.Name).ToArray(), Describe(listed));

        foreach (string name in names)
        {
            Assert.AreEqual("content of " + name, await storage.ReadAllTextAsync(name, cancellationToken: Ct), name);
            Assert.IsTrue(await storage.ExistsAsync(name, Ct), name);
            Assert.AreEqual(Encoding.UTF8.GetByteCount("content of " + name), (await storage.GetInfoAsync(name, Ct)).Length, name);

            // A prefix that needs escaping lists exactly what it should.
            string prefix = name[..(name.Length - 2)];
            CollectionAssert.Contains((await ListAsync(storage, prefix, recursive: true)).Select(e => e.Name).ToArray(), name, $"prefix '{prefix}'");
        }

        CollectionAssert.AreEqual(new[] { "emoji 😀/🎉.txt" }, (await ListAsync(storage, "emoji 😀/")).Select(e => e.Name).ToArray());
        CollectionAssert.AreEqual(new[] { "日本語/" }, (await ListAsync(storage, "日本")).Select(e => e.Name).ToArray());

        foreach (string name in names)
        {
            Assert.IsTrue(await storage.DeleteAsync(name, Ct), name);
        }

        Assert.IsEmpty(await ListAsync(CreateContainerTopStorage(), recursive: true));
    }

    /// <summary>
    /// The service percent-encodes names XML cannot carry and flags them <c>Encoded="true"</c> (Azurite never does, so
    /// the parser is fed such a page directly): blob and prefix names come out decoded, the rest as they are.
    /// </summary>
    [TestMethod]
    public async Task The_list_parser_decodes_names_flagged_Encoded_and_reads_the_next_marker()
    {
        const string Xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <EnumerationResults ServiceEndpoint="http://127.0.0.1:10000/devstoreaccount1/" ContainerName="c">
              <Prefix>p/</Prefix><MaxResults>3</MaxResults><Delimiter>/</Delimiter>
              <Blobs>
                <Blob><Name Encoded="true">p/a%EF%BF%BEb.txt</Name><Properties><Last-Modified>Fri, 21 Nov 2025 09:00:00 GMT</Last-Modified><Etag>0x1</Etag><Content-Length>5</Content-Length><Content-Type>text/plain</Content-Type><Content-MD5 /></Properties><Metadata><k>v</k></Metadata><OrMetadata /></Blob>
                <BlobPrefix><Name Encoded="true">p/d%EF%BF%BFir/</Name></BlobPrefix>
                <Blob><Name>p/plain%20percent.txt</Name><Properties><Content-Length>7</Content-Length><Etag>0x2</Etag></Properties></Blob>
              </Blobs>
              <NextMarker>2!marker</NextMarker>
            </EnumerationResults>
            """;
        var page = new Internal.BlobListPage();

        string? marker = await Internal.ListBlobsParser.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(Xml.TrimStart())), page, Ct);

        Assert.AreEqual("2!marker", marker);
        CollectionAssert.AreEqual(new[] { "p/a\uFFFEb.txt", "p/plain%20percent.txt" }, page.Blobs.Select(b => b.Name).ToArray());
        CollectionAssert.AreEqual(new long[] { 5, 7 }, page.Blobs.Select(b => b.Length).ToArray());
        CollectionAssert.AreEqual(new[] { "0x1", "0x2" }, page.Blobs.Select(b => b.ETag).ToArray());
        Assert.AreEqual(new DateTimeOffset(2025, 11, 21, 9, 0, 0, TimeSpan.Zero), page.Blobs[0].LastModified);
        CollectionAssert.AreEqual(new[] { "p/d\uFFFFir/" }, page.Prefixes.ToArray());
    }

    private async Task<AzureBlobStorage> SaveAllAsync()
    {
        AzureBlobStorage storage = CreateStorage();
        foreach (string name in Names.Reverse())
        {
            await storage.SaveTextAsync(name, "content of " + name, cancellationToken: Ct);
        }

        return storage;
    }

    private static string Describe(IEnumerable<StorageEntry> entries) =>
        string.Join(", ", entries.Select(e => e.IsDirectory ? $"[{e.Name}]" : $"{e.Name}={e.Length}"));
}
