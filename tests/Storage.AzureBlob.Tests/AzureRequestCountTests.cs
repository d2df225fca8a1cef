using System.Text;
using Wharf.Storage.AzureBlob.Tests.Support;
using Wharf.Storage.Testing;

namespace Wharf.Storage.AzureBlob.Tests;

/// <summary>
/// How many HTTP requests each operation sends, counted at the transport (a <see cref="DelegatingHandler"/> under
/// Azure.Core's pipeline, so retries would show): a save is one conditional Put Blob, never HEAD-then-PUT.
/// </summary>
[TestClass]
public sealed class AzureRequestCountTests : AzureTestBase
{
    private const int Block = 64 * 1024;
    private RecordingTransport _recorder = null!;
    private AzureBlobStorage _storage = null!;

    [TestInitialize]
    public void CreateCountingStorage()
    {
        AzureBlobStorageOptions options = Options();
        options.SingleUploadThreshold = Block;
        options.BlockSize = Block;
        _storage = CreateRecordingStorage("counted", options, out _recorder);
    }

    [TestMethod]
    public async Task A_save_of_a_free_name_is_exactly_one_Put_Blob()
    {
        SaveResult saved = await _storage.SaveBytesAsync("free.txt", Encoding.UTF8.GetBytes("free"), cancellationToken: Ct);

        Assert.AreEqual("free.txt", saved.Name);
        CollectionAssert.AreEqual(new[] { $"PUT {Path("free.txt")}" }, Requests());
    }

    [TestMethod]
    public async Task A_save_of_a_taken_name_is_two_Put_Blobs()
    {
        await _storage.SaveBytesAsync("taken.txt", Encoding.UTF8.GetBytes("first"), cancellationToken: Ct);
        _recorder.Clear();

        SaveResult saved = await _storage.SaveBytesAsync("taken.txt", Encoding.UTF8.GetBytes("second"), cancellationToken: Ct);

        Assert.AreNotEqual("taken.txt", saved.Name);
        CollectionAssert.AreEqual(new[] { $"PUT {Path("taken.txt")}", $"PUT {Path(saved.Name)}" }, Requests());
    }

    [TestMethod]
    public async Task A_non_seekable_save_below_the_threshold_is_one_Put_Blob_and_an_overwrite_too()
    {
        SaveResult saved = await _storage.SaveAsync("stream.bin", new PatternStream(Block, seed: 9), cancellationToken: Ct);
        Assert.AreEqual(Block, saved.Length);
        CollectionAssert.AreEqual(new[] { $"PUT {Path("stream.bin")}" }, Requests());

        _recorder.Clear();
        SaveResult replaced = await _storage.SaveAsync("stream.bin", new PatternStream(10, seed: 10), new SaveOptions { Overwrite = true }, Ct);
        Assert.AreEqual("stream.bin", replaced.Name);
        CollectionAssert.AreEqual(new[] { $"PUT {Path("stream.bin")}" }, Requests());
    }

    [TestMethod]
    public async Task Reading_a_blob_is_one_GET_whole_or_ranged()
    {
        await _storage.SaveBytesAsync("read.txt", Encoding.UTF8.GetBytes("read me"), cancellationToken: Ct);
        _recorder.Clear();

        Assert.AreEqual("read me", await _storage.ReadAllTextAsync("read.txt", cancellationToken: Ct));
        CollectionAssert.AreEqual(new[] { $"GET {Path("read.txt")}" }, Requests());

        _recorder.Clear();
        Stream range = await _storage.OpenReadAsync("read.txt", new ByteRange(5, 2), Ct);
        await using (range)
        {
            using var reader = new StreamReader(range);
            Assert.AreEqual("me", await reader.ReadToEndAsync(Ct));
        }

        CollectionAssert.AreEqual(new[] { $"GET {Path("read.txt")}" }, Requests());

        _recorder.Clear();
        await Assert.ThrowsExactlyAsync<ObjectNotFoundException>(async () => await _storage.OpenReadAsync("missing.txt", cancellationToken: Ct));
        CollectionAssert.AreEqual(new[] { $"GET {Path("missing.txt")}" }, Requests(), "a missing blob is one GET too (no HEAD first)");
    }

    [TestMethod]
    public async Task Exists_and_info_are_one_HEAD_and_delete_is_one_DELETE()
    {
        await _storage.SaveBytesAsync("x.txt", Encoding.UTF8.GetBytes("x"), cancellationToken: Ct);

        _recorder.Clear();
        Assert.IsTrue(await _storage.ExistsAsync("x.txt", Ct));
        CollectionAssert.AreEqual(new[] { $"HEAD {Path("x.txt")}" }, Requests());

        _recorder.Clear();
        Assert.IsFalse(await _storage.ExistsAsync("y.txt", Ct));
        CollectionAssert.AreEqual(new[] { $"HEAD {Path("y.txt")}" }, Requests());

        _recorder.Clear();
        await _storage.GetInfoAsync("x.txt", Ct);
        CollectionAssert.AreEqual(new[] { $"HEAD {Path("x.txt")}" }, Requests());

        // Azure answers 404 for a missing blob, so one DELETE tells "removed" from "was not there".
        _recorder.Clear();
        Assert.IsTrue(await _storage.DeleteAsync("x.txt", Ct));
        CollectionAssert.AreEqual(new[] { $"DELETE {Path("x.txt")}" }, Requests());

        _recorder.Clear();
        Assert.IsFalse(await _storage.DeleteAsync("x.txt", Ct));
        CollectionAssert.AreEqual(new[] { $"DELETE {Path("x.txt")}" }, Requests());
    }

    [TestMethod]
    public async Task A_block_upload_of_N_blocks_is_a_reservation_N_Put_Blocks_and_one_Put_Block_List()
    {
        const int Blocks = 5;
        SaveResult saved = await _storage.SaveAsync("big.bin", new PatternStream((Blocks * Block) - 100, seed: 12), cancellationToken: Ct);

        Assert.AreEqual("big.bin", saved.Name);
        string path = Path("big.bin");
        string[] requests = Requests();
        TestContext.WriteLine(string.Join(Environment.NewLine, requests));
        Assert.HasCount(Blocks + 2, requests, string.Join(", ", requests));
        Assert.AreEqual($"PUT {path}", requests[0], "the empty reservation comes first");
        Assert.AreEqual(Blocks, requests.Skip(1).Take(Blocks).Count(r => r.StartsWith($"PUT {path}?comp=block&blockid=", StringComparison.Ordinal)));
        Assert.AreEqual(Blocks, requests.Skip(1).Take(Blocks).Distinct(StringComparer.Ordinal).Count(), "each block has its own id");
        Assert.AreEqual($"PUT {path}?comp=blocklist", requests[^1]);
        await AssertPatternAsync(_storage, "big.bin", (Blocks * Block) - 100, seed: 12);
    }

    [TestMethod]
    public async Task A_seekable_block_upload_is_the_same_reservation_blocks_and_commit()
    {
        byte[] content = new byte[(3 * Block) + 1];
        await new PatternStream(content.Length, seed: 14).ReadExactlyAsync(content, Ct);

        await _storage.SaveBytesAsync("seekable.bin", content, cancellationToken: Ct);

        string[] requests = Requests();
        Assert.HasCount(1 + 4 + 1, requests, string.Join(", ", requests));
        Assert.AreEqual($"PUT {Path("seekable.bin")}?comp=blocklist", requests[^1]);
        CollectionAssert.AreEqual(content, await _storage.ReadAllBytesAsync("seekable.bin", Ct));
    }

    [TestMethod]
    public async Task A_block_upload_of_a_taken_name_costs_one_refused_reservation_and_no_block()
    {
        await _storage.SaveBytesAsync("big.bin", Encoding.UTF8.GetBytes("first"), cancellationToken: Ct);
        _recorder.Clear();

        SaveResult saved = await _storage.SaveAsync("big.bin", new PatternStream(2L * Block, seed: 13), cancellationToken: Ct);

        string[] requests = Requests();
        Assert.HasCount(1 + 1 + 2 + 1, requests, string.Join(", ", requests));
        Assert.AreEqual($"PUT {Path("big.bin")}", requests[0], "the refused reservation");
        Assert.IsTrue(requests.Skip(1).All(r => r.Contains(Path(saved.Name), StringComparison.Ordinal)), "everything else goes to the alternative");
    }

    [TestMethod]
    public async Task A_block_upload_with_overwrite_sends_no_reservation()
    {
        await _storage.SaveBytesAsync("big.bin", Encoding.UTF8.GetBytes("first"), cancellationToken: Ct);
        _recorder.Clear();

        await _storage.SaveAsync("big.bin", new PatternStream(2L * Block, seed: 15), new SaveOptions { Overwrite = true }, Ct);

        string[] requests = Requests();
        Assert.HasCount(2 + 1, requests, string.Join(", ", requests));
        Assert.IsTrue(requests.Take(2).All(r => r.Contains("comp=block&", StringComparison.Ordinal)));
        await AssertPatternAsync(_storage, "big.bin", 2L * Block, seed: 15);
    }

    [TestMethod]
    public async Task A_listing_is_one_GET_per_page()
    {
        for (int i = 0; i < 5; i++)
        {
            await _storage.SaveTextAsync($"list/{i}.txt", "x", cancellationToken: Ct);
        }

        _recorder.Clear();
        List<StorageEntry> entries = await ListAsync(_storage, "list/", pageSize: 2);

        Assert.HasCount(5, entries);
        string[] requests = Requests();
        Assert.HasCount(3, requests, string.Join(", ", requests));
        Assert.IsTrue(requests.All(r => r.StartsWith($"GET {AzuriteServer.EndpointUri.AbsolutePath}/{Container}?restype=container&comp=list&maxresults=2", StringComparison.Ordinal)), string.Join(", ", requests));
    }

    private string Path(string name) => BlobPath(_storage.GetBlobName(name));

    private string[] Requests() => [.. _recorder.Requests];
}
