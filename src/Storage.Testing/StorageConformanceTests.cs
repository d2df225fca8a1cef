using System.Security.Cryptography;
using System.Text;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Wharf.Storage.Testing;

/// <summary>
/// The conformance suite for <see cref="IStorage"/> backends. Derive a <c>[TestClass]</c> from it, implement
/// <see cref="CreateStorageAsync"/> to return a fresh, empty storage for each test, and every test here runs against
/// your backend.
/// </summary>
/// <remarks>
/// Tests that depend on an optional capability check the behaviour that the capability promises when it is on, and
/// the documented fallback when it is off: none is skipped.
/// </remarks>
public abstract class StorageConformanceTests
{
    private IStorage? _storage;

    /// <summary>The MSTest context.</summary>
    public TestContext TestContext { get; set; } = null!;

    /// <summary>The storage under test, fresh for each test.</summary>
    protected IStorage Storage => _storage ?? throw new InvalidOperationException("The storage is created in TestInitialize.");

    /// <summary>The size of the large round trip; at least 64 MiB by default.</summary>
    protected virtual long LargeObjectSize => 64L * 1024 * 1024;

    /// <summary>
    /// The most managed memory the whole large round trip (save and read back) may allocate: it must stream, not
    /// buffer the object. 32 MiB by default, half the object.
    /// </summary>
    protected virtual long LargeObjectAllocationBudget => 32L * 1024 * 1024;

    /// <summary>Returns a fresh storage with no objects, isolated from other tests (its own folder, prefix or container).</summary>
    protected abstract ValueTask<IStorage> CreateStorageAsync(CancellationToken cancellationToken);

    /// <summary>Removes what <see cref="CreateStorageAsync"/> made. By default disposes the storage.</summary>
    protected virtual ValueTask DestroyStorageAsync(IStorage storage) => Disposal.DisposeAsync(storage);

    /// <summary>Makes the storage for the test.</summary>
    [TestInitialize]
    public async Task CreateStorageForTestAsync() => _storage = await CreateStorageAsync(TestContext.CancellationToken).ConfigureAwait(false);

    /// <summary>Removes the test's storage.</summary>
    [TestCleanup]
    public async Task DestroyStorageForTestAsync()
    {
        if (_storage is not null)
        {
            await DestroyStorageAsync(_storage).ConfigureAwait(false);
            _storage = null;
        }
    }

    private CancellationToken Ct => TestContext.CancellationToken;

    // ---- Round trips -------------------------------------------------------------------------------------------

    /// <summary>Empty content round-trips.</summary>
    [TestMethod]
    public async Task Empty_content_round_trips()
    {
        SaveResult saved = await Storage.SaveBytesAsync("empty.bin", Array.Empty<byte>(), cancellationToken: Ct).ConfigureAwait(false);
        Assert.AreEqual("empty.bin", saved.Name);
        Assert.AreEqual(0, saved.Length);
        CollectionAssert.AreEqual(Array.Empty<byte>(), await Storage.ReadAllBytesAsync("empty.bin", Ct).ConfigureAwait(false));
        Assert.AreEqual(0, (await Storage.GetInfoAsync("empty.bin", Ct).ConfigureAwait(false)).Length);
    }

    /// <summary>One byte round-trips.</summary>
    [TestMethod]
    public async Task One_byte_round_trips()
    {
        SaveResult saved = await Storage.SaveBytesAsync("one.bin", new byte[] { 0xA5 }, cancellationToken: Ct).ConfigureAwait(false);
        Assert.AreEqual(1, saved.Length);
        CollectionAssert.AreEqual(new byte[] { 0xA5 }, await Storage.ReadAllBytesAsync(saved.Name, Ct).ConfigureAwait(false));
    }

    /// <summary>Every byte value survives, in order.</summary>
    [TestMethod]
    public async Task All_byte_values_round_trip()
    {
        byte[] content = Enumerable.Range(0, 256 * 17).Select(i => (byte)(i * 7)).ToArray();
        SaveResult saved = await Storage.SaveBytesAsync("bytes/all.bin", content, cancellationToken: Ct).ConfigureAwait(false);
        CollectionAssert.AreEqual(content, await Storage.ReadAllBytesAsync(saved.Name, Ct).ConfigureAwait(false));
    }

    /// <summary>A large object streams in and out byte-exact, with managed allocation well under its size.</summary>
    [TestMethod]
    [DoNotParallelize]
    public async Task Large_object_streams_byte_exact_with_bounded_memory()
    {
        const int Seed = 64;
        byte[] expected = PatternStream.ComputeHash(LargeObjectSize, Seed);

        GC.Collect();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await using (var content = new PatternStream(LargeObjectSize, Seed))
        {
            SaveResult saved = await Storage.SaveAsync("large/object.bin", content, cancellationToken: Ct).ConfigureAwait(false);
            Assert.AreEqual(LargeObjectSize, saved.Length);
        }

        byte[] actual;
        Stream stream = await Storage.OpenReadAsync("large/object.bin", cancellationToken: Ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            actual = await SHA256.HashDataAsync(stream, Ct).ConfigureAwait(false);
        }

        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        CollectionAssert.AreEqual(expected, actual, "The large object's bytes differ after the round trip.");
        Assert.IsLessThan(LargeObjectAllocationBudget, allocated,
            $"Saving and reading {LargeObjectSize} bytes allocated {allocated} managed bytes; the backend must stream, not buffer.");
        Assert.AreEqual(LargeObjectSize, (await Storage.GetInfoAsync("large/object.bin", Ct).ConfigureAwait(false)).Length);
    }

    /// <summary>Content from a non-seekable stream is stored whole.</summary>
    [TestMethod]
    public async Task Non_seekable_content_is_stored_whole()
    {
        const int Length = 3 * 1024 * 1024 + 17;
        await using (var content = new PatternStream(Length, seed: 3))
        {
            await Storage.SaveAsync("stream.bin", content, cancellationToken: Ct).ConfigureAwait(false);
        }

        await AssertContentAsync("stream.bin", Length, seed: 3).ConfigureAwait(false);
    }

    /// <summary>A seekable stream is read from its current position, as streams are.</summary>
    [TestMethod]
    public async Task Seekable_content_is_read_from_its_position()
    {
        using var content = new MemoryStream("skip:keep"u8.ToArray());
        content.Position = 5;
        SaveResult saved = await Storage.SaveAsync("position.txt", content, cancellationToken: Ct).ConfigureAwait(false);
        Assert.AreEqual(4, saved.Length);
        Assert.AreEqual("keep", await Storage.ReadAllTextAsync("position.txt", cancellationToken: Ct).ConfigureAwait(false));
    }

    /// <summary>Valid names of many shapes round-trip and are listed as given.</summary>
    [TestMethod]
    public async Task Names_of_many_shapes_round_trip()
    {
        foreach (string name in PortableNames)
        {
            SaveResult saved = await Storage.SaveTextAsync(name, "content of " + name, cancellationToken: Ct).ConfigureAwait(false);
            Assert.AreEqual(name, saved.Name, $"The free name '{name}' must be stored as given.");
            Assert.AreEqual("content of " + name, await Storage.ReadAllTextAsync(name, cancellationToken: Ct).ConfigureAwait(false));
        }

        List<string> listed = await ListNamesAsync(null, recursive: true).ConfigureAwait(false);
        CollectionAssert.AreEquivalent(PortableNames.ToList(), listed);
    }

    /// <summary>Names every backend must accept.</summary>
    protected virtual IReadOnlyList<string> PortableNames { get; } =
    [
        "plain.txt",
        "with space.txt",
        ".dotfile",
        "UPPER.TXT",
        "a/b/c/d/deep.txt",
        "ünïcödé/文件.txt",
        "emoji-😀.txt",
        "name with 'quote'.txt",
        "percent%20sign.txt",
        "plus+sign&amp=.txt",
        "#hash.txt",
        "semi;colon,comma.txt",
        "my.report.v2.pdf",
        "archive.tar.gz",
        "-leading-dash.txt",
        "~tilde.txt",
    ];

    // ---- Naming and overwrite ----------------------------------------------------------------------------------

    /// <summary>A taken name gets an alternative with a 7-character suffix before the extension; both contents stay.</summary>
    [TestMethod]
    public async Task A_taken_name_gets_an_alternative_and_both_contents_stay()
    {
        SaveResult first = await Storage.SaveTextAsync("reports/my.report.v2.pdf", "first", cancellationToken: Ct).ConfigureAwait(false);
        SaveResult second;
        await using (var content = new NonSeekableStream(new MemoryStream("second"u8.ToArray())))
        {
            second = await Storage.SaveAsync("reports/my.report.v2.pdf", content, cancellationToken: Ct).ConfigureAwait(false);
        }

        Assert.AreEqual("reports/my.report.v2.pdf", first.Name);
        Assert.MatchesRegex(@"^reports/my\.report\.v2_[A-Za-z0-9]{7}\.pdf$", second.Name);
        Assert.AreEqual("first", await Storage.ReadAllTextAsync(first.Name, cancellationToken: Ct).ConfigureAwait(false));
        Assert.AreEqual("second", await Storage.ReadAllTextAsync(second.Name, cancellationToken: Ct).ConfigureAwait(false));
    }

    /// <summary>A compound extension stays whole after the suffix.</summary>
    [TestMethod]
    public async Task A_compound_extension_stays_whole()
    {
        await Storage.SaveTextAsync("backup.tar.gz", "1", cancellationToken: Ct).ConfigureAwait(false);
        SaveResult second = await Storage.SaveTextAsync("backup.tar.gz", "2", cancellationToken: Ct).ConfigureAwait(false);
        Assert.MatchesRegex(@"^backup_[A-Za-z0-9]{7}\.tar\.gz$", second.Name);
    }

    /// <summary>Overwrite replaces the content under the same name.</summary>
    [TestMethod]
    public async Task Overwrite_replaces_under_the_same_name()
    {
        await Storage.SaveTextAsync("settings.json", "{\"v\":1}", cancellationToken: Ct).ConfigureAwait(false);
        string etagBefore = (await Storage.GetInfoAsync("settings.json", Ct).ConfigureAwait(false)).ETag ?? string.Empty;
        SaveResult saved = await Storage.SaveTextAsync("settings.json", "{\"v\":2, \"longer\": true}", new SaveOptions { Overwrite = true }, cancellationToken: Ct).ConfigureAwait(false);

        Assert.AreEqual("settings.json", saved.Name);
        Assert.AreEqual("{\"v\":2, \"longer\": true}", await Storage.ReadAllTextAsync("settings.json", cancellationToken: Ct).ConfigureAwait(false));
        StorageObjectInfo info = await Storage.GetInfoAsync("settings.json", Ct).ConfigureAwait(false);
        Assert.AreEqual(saved.Length, info.Length);
        if (info.ETag is not null && etagBefore.Length > 0)
        {
            Assert.AreNotEqual(etagBefore, info.ETag, "The ETag must change when the content changes.");
        }

        Assert.HasCount(1, await ListNamesAsync(null, recursive: true).ConfigureAwait(false));
    }

    /// <summary>Overwriting with shorter content leaves no stale tail (Django ticket #36191).</summary>
    [TestMethod]
    public async Task Overwrite_with_shorter_content_leaves_no_stale_tail()
    {
        await Storage.SaveTextAsync("tail.txt", "a much longer original content", cancellationToken: Ct).ConfigureAwait(false);
        await Storage.SaveTextAsync("tail.txt", "short", new SaveOptions { Overwrite = true }, cancellationToken: Ct).ConfigureAwait(false);
        Assert.AreEqual("short", await Storage.ReadAllTextAsync("tail.txt", cancellationToken: Ct).ConfigureAwait(false));
    }

    /// <summary>A name longer than the caller's limit is shortened in its stem, keeping folder, suffix and extension.</summary>
    [TestMethod]
    public async Task A_name_over_the_callers_limit_is_shortened()
    {
        string name = "docs/" + new string('n', 80) + ".pdf";
        SaveResult saved = await Storage.SaveTextAsync(name, "x", new SaveOptions { MaxNameLength = 40 }, cancellationToken: Ct).ConfigureAwait(false);
        Assert.IsLessThanOrEqualTo(40, saved.Name.Length);
        Assert.MatchesRegex(@"^docs/n+_[A-Za-z0-9]{7}\.pdf$", saved.Name);
        Assert.AreEqual("x", await Storage.ReadAllTextAsync(saved.Name, cancellationToken: Ct).ConfigureAwait(false));
    }

    /// <summary>64 concurrent saves of one name make 64 objects, each with its own content intact.</summary>
    [TestMethod]
    public async Task Concurrent_saves_of_one_name_never_overwrite_each_other()
    {
        const int Writers = 64;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<SaveResult>[] saves = Enumerable.Range(0, Writers).Select(i => Task.Run(async () =>
        {
            await gate.Task.ConfigureAwait(false);
            await using var content = new PatternStream(64 * 1024 + i, seed: 1000 + i);
            return await Storage.SaveAsync("race/same-name.bin", content, cancellationToken: Ct).ConfigureAwait(false);
        })).ToArray();
        gate.SetResult();
        SaveResult[] results = await Task.WhenAll(saves).ConfigureAwait(false);

        Assert.AreEqual(Writers, results.Select(r => r.Name).Distinct(StringComparer.Ordinal).Count(), "Two writers got the same name.");
        Assert.AreEqual(1, results.Count(r => r.Name == "race/same-name.bin"), "Exactly one writer must get the name itself.");
        for (int i = 0; i < Writers; i++)
        {
            await AssertContentAsync(results[i].Name, 64 * 1024 + i, seed: 1000 + i).ConfigureAwait(false);
        }

        Assert.HasCount(Writers, await ListNamesAsync("race/", recursive: true).ConfigureAwait(false));
    }

    /// <summary>Readers racing concurrent overwrites always see one writer's whole content, never a mix or a partial file.</summary>
    [TestMethod]
    public async Task Concurrent_overwrites_are_atomic_for_readers()
    {
        const int Size = 256 * 1024;
        const int Writers = 8;
        await Storage.SaveAsync("atomic.bin", new PatternStream(Size, seed: 500), cancellationToken: Ct).ConfigureAwait(false);
        var hashes = Enumerable.Range(500, Writers + 1).Select(seed => Convert.ToHexString(PatternStream.ComputeHash(Size, seed))).ToHashSet();

        using var stop = new CancellationTokenSource();
        Task reader = Task.Run(async () =>
        {
            int reads = 0;
            while (!stop.IsCancellationRequested || reads < 3)
            {
                Stream stream = await Storage.OpenReadAsync("atomic.bin", cancellationToken: Ct).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    string hash = Convert.ToHexString(await SHA256.HashDataAsync(stream, Ct).ConfigureAwait(false));
                    Assert.Contains(hash, hashes, "A reader saw content that no writer wrote whole.");
                }

                reads++;
            }
        });
        Task[] writers = Enumerable.Range(501, Writers).Select(seed => Task.Run(async () =>
        {
            await using var content = new PatternStream(Size, seed);
            SaveResult saved = await Storage.SaveAsync("atomic.bin", content, new SaveOptions { Overwrite = true }, Ct).ConfigureAwait(false);
            Assert.AreEqual("atomic.bin", saved.Name);
        })).ToArray();
        await Task.WhenAll(writers).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await reader.ConfigureAwait(false);
        Assert.HasCount(1, await ListNamesAsync(null, recursive: true).ConfigureAwait(false));
    }

    // ---- Failures leave nothing behind -------------------------------------------------------------------------

    /// <summary>A content stream that fails part-way leaves no object under the name, and the error surfaces.</summary>
    [TestMethod]
    public async Task A_failing_upload_leaves_nothing_under_the_name()
    {
        // The caller's own error comes through unchanged: the upload failed, not the storage.
        IOException error = await Assert.ThrowsExactlyAsync<IOException>(async () =>
            await Storage.SaveAsync("broken.bin", new FailingStream(200_000), cancellationToken: Ct).ConfigureAwait(false)).ConfigureAwait(false);
        StringAssert.Contains(error.Message, "simulated");
        Assert.IsFalse(await Storage.ExistsAsync("broken.bin", Ct).ConfigureAwait(false));
        Assert.IsEmpty(await ListNamesAsync(null, recursive: true).ConfigureAwait(false));
        SaveResult retry = await Storage.SaveTextAsync("broken.bin", "ok", cancellationToken: Ct).ConfigureAwait(false);
        Assert.AreEqual("broken.bin", retry.Name, "After a failed save the name must still be free.");
    }

    /// <summary>A cancelled save throws <see cref="OperationCanceledException"/> and leaves nothing under the name.</summary>
    [TestMethod]
    public async Task A_cancelled_save_leaves_nothing_under_the_name()
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await using var content = new CancelAfterStream(new PatternStream(32L * 1024 * 1024, seed: 9), cancellation, cancelAfterBytes: 1024 * 1024);
        await Assert.ThrowsAsync<OperationCanceledException>(async () =>
            await Storage.SaveAsync("cancelled.bin", content, cancellationToken: cancellation.Token).ConfigureAwait(false)).ConfigureAwait(false);
        Assert.IsFalse(await Storage.ExistsAsync("cancelled.bin", Ct).ConfigureAwait(false));
        Assert.IsEmpty(await ListNamesAsync(null, recursive: true).ConfigureAwait(false));
    }

    // ---- Content type, cache control, metadata -----------------------------------------------------------------

    /// <summary>The given content type is kept (or, without that capability, the type is inferred from the name).</summary>
    [TestMethod]
    public async Task Content_type_is_kept_or_inferred()
    {
        await Storage.SaveTextAsync("data/report.bin", "{}", new SaveOptions { ContentType = "application/vnd.wharf+json" }, cancellationToken: Ct).ConfigureAwait(false);
        StorageObjectInfo info = await Storage.GetInfoAsync("data/report.bin", Ct).ConfigureAwait(false);
        string expected = Storage.Capabilities.StoresContentType ? "application/vnd.wharf+json" : ContentTypes.OctetStream;
        Assert.AreEqual(expected, info.ContentType);
    }

    /// <summary>Without a content type, the type is inferred from the extension.</summary>
    [TestMethod]
    public async Task Content_type_is_inferred_from_the_extension()
    {
        await Storage.SaveTextAsync("img/logo.svg", "<svg/>", cancellationToken: Ct).ConfigureAwait(false);
        await Storage.SaveTextAsync("noextension", "x", cancellationToken: Ct).ConfigureAwait(false);
        Assert.AreEqual("image/svg+xml", (await Storage.GetInfoAsync("img/logo.svg", Ct).ConfigureAwait(false)).ContentType);
        Assert.AreEqual(ContentTypes.OctetStream, (await Storage.GetInfoAsync("noextension", Ct).ConfigureAwait(false)).ContentType);
    }

    /// <summary>Metadata and cache control round-trip where the storage keeps them, and are absent where it does not.</summary>
    [TestMethod]
    public async Task Metadata_and_cache_control_round_trip()
    {
        var options = new SaveOptions
        {
            CacheControl = "public, max-age=31536000, immutable",
            Metadata = new Dictionary<string, string> { ["Owner"] = "alice", ["document_id"] = "42" },
        };
        await Storage.SaveTextAsync("meta.txt", "m", options, cancellationToken: Ct).ConfigureAwait(false);
        StorageObjectInfo info = await Storage.GetInfoAsync("meta.txt", Ct).ConfigureAwait(false);
        if (Storage.Capabilities.CustomMetadata)
        {
            Assert.HasCount(2, info.Metadata);
            Assert.AreEqual("alice", info.Metadata["owner"]);
            Assert.AreEqual("42", info.Metadata["document_id"]);
        }
        else
        {
            Assert.IsEmpty(info.Metadata);
        }

        Assert.AreEqual(Storage.Capabilities.StoresCacheControl ? "public, max-age=31536000, immutable" : null, info.CacheControl);
    }

    // ---- Ranges ------------------------------------------------------------------------------------------------

    /// <summary>Byte ranges return exactly the requested bytes, clipped at the end.</summary>
    [TestMethod]
    public async Task Ranges_return_exactly_the_requested_bytes()
    {
        byte[] content = Enumerable.Range(0, 1000).Select(i => (byte)(i % 251)).ToArray();
        await Storage.SaveBytesAsync("range.bin", content, cancellationToken: Ct).ConfigureAwait(false);

        CollectionAssert.AreEqual(content[100..300], await ReadRangeAsync("range.bin", new ByteRange(100, 200)).ConfigureAwait(false));
        CollectionAssert.AreEqual(content[900..], await ReadRangeAsync("range.bin", new ByteRange(900)).ConfigureAwait(false));
        CollectionAssert.AreEqual(content[0..1], await ReadRangeAsync("range.bin", new ByteRange(0, 1)).ConfigureAwait(false));
        CollectionAssert.AreEqual(content[999..], await ReadRangeAsync("range.bin", new ByteRange(999, 1)).ConfigureAwait(false));
        CollectionAssert.AreEqual(content[950..], await ReadRangeAsync("range.bin", new ByteRange(950, 5000)).ConfigureAwait(false));
        CollectionAssert.AreEqual(Array.Empty<byte>(), await ReadRangeAsync("range.bin", new ByteRange(1000)).ConfigureAwait(false));
        CollectionAssert.AreEqual(Array.Empty<byte>(), await ReadRangeAsync("range.bin", new ByteRange(5000, 10)).ConfigureAwait(false));
    }

    // ---- Info, exists, delete, not found -----------------------------------------------------------------------

    /// <summary>Info reports size, a recent last-modified time and an ETag.</summary>
    [TestMethod]
    public async Task Info_reports_size_time_and_etag()
    {
        DateTimeOffset before = DateTimeOffset.UtcNow.AddMinutes(-5);
        SaveResult saved = await Storage.SaveTextAsync("info.txt", "12345", cancellationToken: Ct).ConfigureAwait(false);
        StorageObjectInfo info = await Storage.GetInfoAsync("info.txt", Ct).ConfigureAwait(false);
        Assert.AreEqual("info.txt", info.Name);
        Assert.AreEqual(5, info.Length);
        Assert.IsTrue(info.LastModified > before && info.LastModified < DateTimeOffset.UtcNow.AddMinutes(5), $"LastModified {info.LastModified:o} is not recent.");
        Assert.IsFalse(string.IsNullOrEmpty(info.ETag));
        if (saved.ETag is not null)
        {
            Assert.AreEqual(saved.ETag, info.ETag, "The ETag returned by save must match the stored object's.");
        }
    }

    /// <summary>Exists tells present from absent.</summary>
    [TestMethod]
    public async Task Exists_tells_present_from_absent()
    {
        await Storage.SaveTextAsync("here/file.txt", "x", cancellationToken: Ct).ConfigureAwait(false);
        Assert.IsTrue(await Storage.ExistsAsync("here/file.txt", Ct).ConfigureAwait(false));
        Assert.IsFalse(await Storage.ExistsAsync("here/other.txt", Ct).ConfigureAwait(false));
        Assert.IsFalse(await Storage.ExistsAsync("nowhere/file.txt", Ct).ConfigureAwait(false));
        Assert.IsFalse(await Storage.ExistsAsync("here", Ct).ConfigureAwait(false), "A folder is not an object.");
    }

    /// <summary>Delete is idempotent and says whether it removed something.</summary>
    [TestMethod]
    public async Task Delete_is_idempotent()
    {
        await Storage.SaveTextAsync("gone/soon.txt", "x", cancellationToken: Ct).ConfigureAwait(false);
        Assert.IsTrue(await Storage.DeleteAsync("gone/soon.txt", Ct).ConfigureAwait(false));
        Assert.IsFalse(await Storage.ExistsAsync("gone/soon.txt", Ct).ConfigureAwait(false));
        Assert.IsFalse(await Storage.DeleteAsync("gone/soon.txt", Ct).ConfigureAwait(false));
        Assert.IsFalse(await Storage.DeleteAsync("never/was.txt", Ct).ConfigureAwait(false));
        SaveResult again = await Storage.SaveTextAsync("gone/soon.txt", "y", cancellationToken: Ct).ConfigureAwait(false);
        Assert.AreEqual("gone/soon.txt", again.Name, "A deleted name is free again.");
    }

    /// <summary>Reading a missing object raises <see cref="ObjectNotFoundException"/> naming the storage and the object.</summary>
    [TestMethod]
    public async Task Missing_objects_raise_not_found_naming_storage_and_object()
    {
        var open = await Assert.ThrowsExactlyAsync<ObjectNotFoundException>(async () =>
            await Storage.OpenReadAsync("missing/file.txt", cancellationToken: Ct).ConfigureAwait(false)).ConfigureAwait(false);
        var info = await Assert.ThrowsExactlyAsync<ObjectNotFoundException>(async () =>
            await Storage.GetInfoAsync("missing/file.txt", Ct).ConfigureAwait(false)).ConfigureAwait(false);
        foreach (ObjectNotFoundException error in new[] { open, info })
        {
            Assert.AreEqual(Storage.Name, error.StorageName);
            Assert.AreEqual("missing/file.txt", error.ObjectName);
            Assert.Contains(Storage.Name, error.Message);
            Assert.Contains("missing/file.txt", error.Message);
        }
    }

    // ---- Listing -----------------------------------------------------------------------------------------------

    /// <summary>One-level listing folds deeper names into directories; recursive listing gives every name; both in ordinal order.</summary>
    [TestMethod]
    public async Task Listing_one_level_and_recursive()
    {
        string[] names = ["a.txt", "b/one.txt", "b/two.txt", "b/c/three.txt", "b.txt", "d/four.txt", "z.txt"];
        foreach (string name in names)
        {
            await Storage.SaveTextAsync(name, name, cancellationToken: Ct).ConfigureAwait(false);
        }

        List<StorageEntry> top = await ListAsync(null, recursive: false).ConfigureAwait(false);
        CollectionAssert.AreEqual(new[] { "a.txt", "b.txt", "b/", "d/", "z.txt" }, top.Select(e => e.Name).ToArray());
        CollectionAssert.AreEqual(new[] { false, false, true, true, false }, top.Select(e => e.IsDirectory).ToArray());
        Assert.AreEqual(5, top.Single(e => e.Name == "a.txt").Length);

        List<string> inB = await ListNamesAsync("b/", recursive: false).ConfigureAwait(false);
        CollectionAssert.AreEqual(new[] { "b/c/", "b/one.txt", "b/two.txt" }, inB);

        List<string> all = await ListNamesAsync(null, recursive: true).ConfigureAwait(false);
        CollectionAssert.AreEqual(names.Order(StringComparer.Ordinal).ToArray(), all);

        List<string> partial = await ListNamesAsync("b/t", recursive: true).ConfigureAwait(false);
        CollectionAssert.AreEqual(new[] { "b/two.txt" }, partial);

        Assert.IsEmpty(await ListNamesAsync("nothing/", recursive: true).ConfigureAwait(false));
    }

    /// <summary>Listing pages underneath and still yields every entry once.</summary>
    [TestMethod]
    public async Task Listing_pages_yield_every_entry_once()
    {
        var names = Enumerable.Range(0, 23).Select(i => $"paged/item-{i:D3}.txt").ToList();
        foreach (string name in names)
        {
            await Storage.SaveTextAsync(name, "p", cancellationToken: Ct).ConfigureAwait(false);
        }

        var listed = new List<string>();
        await foreach (StorageEntry entry in Storage.ListAsync("paged/", new ListOptions { PageSizeHint = 5, Recursive = true }, Ct).ConfigureAwait(false))
        {
            listed.Add(entry.Name);
        }

        CollectionAssert.AreEqual(names, listed);
    }

    // ---- Hostile names -----------------------------------------------------------------------------------------

    /// <summary>The hostile names, as test data: an index into <see cref="HostileNames.All"/> and a printable label.</summary>
    public static IEnumerable<object[]> HostileNameCases =>
        HostileNames.All.Select((name, index) => new object[] { index, Label(name) });

    /// <summary>A hostile name is rejected by every operation with a typed error that quotes it, and nothing is stored.</summary>
    /// <param name="index">The name's index in <see cref="HostileNames.All"/>.</param>
    /// <param name="label">A printable form of the name, for the test's display name.</param>
    [TestMethod]
    [DynamicData(nameof(HostileNameCases))]
    public async Task Hostile_name_is_rejected_everywhere(int index, string label)
    {
        string name = HostileNames.All[index];
        var errors = new List<InvalidObjectNameException>
        {
            await Assert.ThrowsExactlyAsync<InvalidObjectNameException>(async () => await Storage.SaveTextAsync(name, "attack", cancellationToken: Ct).ConfigureAwait(false), label).ConfigureAwait(false),
            await Assert.ThrowsExactlyAsync<InvalidObjectNameException>(async () => await Storage.SaveTextAsync(name, "attack", new SaveOptions { Overwrite = true }, cancellationToken: Ct).ConfigureAwait(false), label).ConfigureAwait(false),
            await Assert.ThrowsExactlyAsync<InvalidObjectNameException>(async () => await Storage.OpenReadAsync(name, cancellationToken: Ct).ConfigureAwait(false), label).ConfigureAwait(false),
            await Assert.ThrowsExactlyAsync<InvalidObjectNameException>(async () => await Storage.GetInfoAsync(name, Ct).ConfigureAwait(false), label).ConfigureAwait(false),
            await Assert.ThrowsExactlyAsync<InvalidObjectNameException>(async () => await Storage.ExistsAsync(name, Ct).ConfigureAwait(false), label).ConfigureAwait(false),
            await Assert.ThrowsExactlyAsync<InvalidObjectNameException>(async () => await Storage.DeleteAsync(name, Ct).ConfigureAwait(false), label).ConfigureAwait(false),
            Assert.ThrowsExactly<InvalidObjectNameException>(() => Storage.GetLocalPath(name), label),
        };
        foreach (InvalidObjectNameException error in errors)
        {
            Assert.AreEqual(name, error.ObjectName, "The error must carry the rejected input.");
            Assert.AreEqual(Storage.Name, error.StorageName);
            Assert.Contains(ObjectName.Quote(name).Length > 200 ? ObjectName.Quote(name)[..200] : ObjectName.Quote(name), error.Message, "The message must quote the input.");
        }

        Assert.IsEmpty(await ListNamesAsync(null, recursive: true).ConfigureAwait(false), "A rejected name stored something.");
    }

    // ---- Optional capabilities ---------------------------------------------------------------------------------

    /// <summary>Optional members work when their capability is on and raise <see cref="StorageNotSupportedException"/> when it is off.</summary>
    [TestMethod]
    public async Task Optional_members_follow_capabilities()
    {
        await Storage.SaveTextAsync("dir/ü file.txt", "c", cancellationToken: Ct).ConfigureAwait(false);
        StorageCapabilities capabilities = Storage.Capabilities;

        if (capabilities.PublicUrls)
        {
            Uri url = Storage.GetPublicUrl("dir/ü file.txt");
            StringAssert.EndsWith(url.OriginalString, "dir/%C3%BC%20file.txt");
            Assert.IsTrue(Storage.TryGetPublicUrl("dir/ü file.txt", out _));
        }
        else
        {
            Assert.ThrowsExactly<StorageNotSupportedException>(() => Storage.GetPublicUrl("dir/ü file.txt"));
            Assert.IsFalse(Storage.TryGetPublicUrl("dir/ü file.txt", out _));
        }

        if (!capabilities.SignedUrls)
        {
            await Assert.ThrowsExactlyAsync<StorageNotSupportedException>(async () => await Storage.GetSignedUrlAsync("dir/ü file.txt", cancellationToken: Ct).ConfigureAwait(false)).ConfigureAwait(false);
        }
        else
        {
            Uri signed = await Storage.GetSignedUrlAsync("dir/ü file.txt", new SignedUrlOptions { ExpiresIn = TimeSpan.FromMinutes(5) }, Ct).ConfigureAwait(false);
            Assert.IsTrue(signed.IsAbsoluteUri);
        }

        if (!capabilities.Visibility)
        {
            await Assert.ThrowsExactlyAsync<StorageNotSupportedException>(async () => await Storage.SetVisibilityAsync("dir/ü file.txt", ObjectVisibility.Public, Ct).ConfigureAwait(false)).ConfigureAwait(false);
        }

        string? path = Storage.GetLocalPath("dir/ü file.txt");
        if (capabilities.LocalPaths)
        {
            Assert.IsNotNull(path);
            Assert.AreEqual("c", await File.ReadAllTextAsync(path, Ct).ConfigureAwait(false));
        }
        else
        {
            Assert.IsNull(path);
        }
    }

    /// <summary>Copying within the storage keeps the content and content type.</summary>
    [TestMethod]
    public async Task Copy_keeps_content_and_type()
    {
        await Storage.SaveTextAsync("src/page.html", "<p>hi</p>", cancellationToken: Ct).ConfigureAwait(false);
        SaveResult copy = await Storage.CopyToAsync("src/page.html", Storage, "dst/page.html", cancellationToken: Ct).ConfigureAwait(false);
        Assert.AreEqual("dst/page.html", copy.Name);
        Assert.AreEqual("<p>hi</p>", await Storage.ReadAllTextAsync("dst/page.html", cancellationToken: Ct).ConfigureAwait(false));
        Assert.AreEqual("text/html; charset=utf-8", (await Storage.GetInfoAsync("dst/page.html", Ct).ConfigureAwait(false)).ContentType);
    }

    // ---- Helpers -----------------------------------------------------------------------------------------------

    /// <summary>Asserts that an object holds the pattern of <paramref name="length"/> bytes from <paramref name="seed"/>.</summary>
    protected async Task AssertContentAsync(string name, long length, int seed)
    {
        Stream stream = await Storage.OpenReadAsync(name, cancellationToken: Ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            byte[] actual = await SHA256.HashDataAsync(stream, Ct).ConfigureAwait(false);
            CollectionAssert.AreEqual(PatternStream.ComputeHash(length, seed), actual, $"The content of '{name}' differs from what was saved.");
        }
    }

    /// <summary>Lists entries.</summary>
    protected async Task<List<StorageEntry>> ListAsync(string? prefix, bool recursive)
    {
        var entries = new List<StorageEntry>();
        await foreach (StorageEntry entry in Storage.ListAsync(prefix, new ListOptions { Recursive = recursive }, Ct).ConfigureAwait(false))
        {
            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>Lists names.</summary>
    protected async Task<List<string>> ListNamesAsync(string? prefix, bool recursive) =>
        (await ListAsync(prefix, recursive).ConfigureAwait(false)).Select(e => e.Name).ToList();

    private async Task<byte[]> ReadRangeAsync(string name, ByteRange range)
    {
        Stream stream = await Storage.OpenReadAsync(name, range, Ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, Ct).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }

    private static string Label(string name)
    {
        if (name.Length == 0)
        {
            return "(empty)";
        }

        string quoted = ObjectName.Quote(name);
        var builder = new StringBuilder(Math.Min(quoted.Length, 40));
        foreach (char c in quoted.Length > 40 ? quoted[..40] + "…" : quoted)
        {
            builder.Append(char.IsSurrogate(c) ? '?' : c);
        }

        return builder.ToString();
    }

    /// <summary>Cancels a token once a number of bytes has been read, to cancel a save mid-stream.</summary>
    private sealed class CancelAfterStream(Stream inner, CancellationTokenSource cancellation, long cancelAfterBytes) : NonSeekableReadStream
    {
        private long _read;

        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Count(int read)
        {
            _read += read;
            if (_read >= cancelAfterBytes)
            {
                cancellation.Cancel();
            }

            return read;
        }
    }
}
