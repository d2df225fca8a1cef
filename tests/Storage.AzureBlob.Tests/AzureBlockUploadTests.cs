using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Wharf.Storage.AzureBlob.Tests.Support;
using Wharf.Storage.Testing;

namespace Wharf.Storage.AzureBlob.Tests;

/// <summary>
/// Saves racing for one name (single Put Blob and reserved block uploads), block uploads that fail or are cancelled,
/// and a 200 MiB upload in bounded memory, against Azurite.
/// </summary>
[TestClass]
public sealed class AzureBlockUploadTests : AzureTestBase
{
    private const int SmallBlock = 64 * 1024;

    /// <summary>
    /// 64 writers, half with seekable and half with non-seekable streams, each with its own content, all released at
    /// once on one name: the conditional Put Blob (<c>If-None-Match: *</c>) gives each its own name, and nobody's
    /// content lands under somebody else's name.
    /// </summary>
    [TestMethod]
    public async Task Sixty_four_concurrent_saves_of_one_name_get_sixty_four_names_each_with_its_own_content()
    {
        const int Writers = 64;
        AzureBlobStorage storage = CreateStorage();
        byte[][] contents = Enumerable.Range(0, Writers).Select(i =>
        {
            byte[] content = new byte[1000 + (i * 37)];
            RandomNumberGenerator.Fill(content);
            Encoding.ASCII.GetBytes($"writer {i:D2}:").CopyTo(content, 0);
            return content;
        }).ToArray();

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<SaveResult>[] saves = Enumerable.Range(0, Writers).Select(i => Task.Run(async () =>
        {
            await gate.Task;
            Stream content = i % 2 == 0 ? new MemoryStream(contents[i], writable: false) : new NonSeekableStream(new MemoryStream(contents[i], writable: false));
            await using (content)
            {
                return await storage.SaveAsync("race/same.bin", content, cancellationToken: Ct);
            }
        })).ToArray();
        gate.SetResult();
        SaveResult[] results = await Task.WhenAll(saves);

        Assert.AreEqual(Writers, results.Select(r => r.Name).Distinct(StringComparer.Ordinal).Count(), "two writers got the same name");
        Assert.AreEqual(1, results.Count(r => r.Name == "race/same.bin"), "exactly one writer gets the name itself");
        for (int i = 0; i < Writers; i++)
        {
            Assert.AreEqual(contents[i].Length, results[i].Length);
            CollectionAssert.AreEqual(contents[i], await storage.ReadAllBytesAsync(results[i].Name, Ct), $"writer {i} under '{results[i].Name}'");
        }

        List<StorageEntry> listed = await ListAsync(storage, "race/", recursive: true);
        CollectionAssert.AreEquivalent(results.Select(r => r.Name).ToArray(), listed.Select(e => e.Name).ToArray(), "nothing else was stored");
    }

    /// <summary>
    /// Sixteen block uploads (content above the single-upload threshold, 64 KiB blocks) of one name at once: each
    /// claims a name with its empty reservation before staging, so no writer's blocks are committed under another's
    /// name and no reservation is left behind.
    /// </summary>
    [TestMethod]
    public async Task Sixteen_concurrent_block_uploads_of_one_name_get_sixteen_intact_blobs_and_leave_no_reservation()
    {
        const int Writers = 16;
        const long Length = (4 * SmallBlock) + 1234;
        AzureBlobStorage storage = CreateStorage(o =>
        {
            o.SingleUploadThreshold = SmallBlock;
            o.BlockSize = SmallBlock;
        });

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<SaveResult>[] saves = Enumerable.Range(0, Writers).Select(i => Task.Run(async () =>
        {
            await gate.Task;
            if (i % 2 == 0)
            {
                await using var content = new PatternStream(Length, seed: 1600 + i);
                return await storage.SaveAsync("race/big.bin", content, new SaveOptions { Metadata = new Dictionary<string, string> { ["writer"] = $"{i}" } }, Ct);
            }

            byte[] bytes = new byte[Length];
            await new PatternStream(Length, seed: 1600 + i).ReadExactlyAsync(bytes, Ct);
            await using var seekable = new MemoryStream(bytes, writable: false);
            return await storage.SaveAsync("race/big.bin", seekable, new SaveOptions { Metadata = new Dictionary<string, string> { ["writer"] = $"{i}" } }, Ct);
        })).ToArray();
        gate.SetResult();
        SaveResult[] results = await Task.WhenAll(saves);

        Assert.AreEqual(Writers, results.Select(r => r.Name).Distinct(StringComparer.Ordinal).Count(), "two block uploads got the same name");
        Assert.AreEqual(1, results.Count(r => r.Name == "race/big.bin"), "exactly one writer gets the name itself");
        for (int i = 0; i < Writers; i++)
        {
            Assert.AreEqual(Length, results[i].Length);
            await AssertPatternAsync(storage, results[i].Name, Length, seed: 1600 + i);
            StorageObjectInfo info = await storage.GetInfoAsync(results[i].Name, Ct);
            Assert.AreEqual($"{i}", info.Metadata["writer"], "the commit carries the writer's own metadata");
            Assert.IsFalse(info.Metadata.ContainsKey(AzureBlobStorage.ReservationMetadataKey), $"'{results[i].Name}' still carries the reservation marker");
        }

        List<StorageEntry> listed = await ListAsync(storage, "race/", recursive: true);
        CollectionAssert.AreEquivalent(results.Select(r => r.Name).ToArray(), listed.Select(e => e.Name).ToArray(), "no empty reservation was left");
        Assert.IsTrue(listed.All(e => e.Length == Length), string.Join(", ", listed.Select(e => $"{e.Name}={e.Length}")));
    }

    [TestMethod]
    public async Task A_block_upload_of_a_taken_name_takes_an_alternative_and_overwrite_replaces_the_name_whole()
    {
        AzureBlobStorage storage = CreateStorage(o =>
        {
            o.SingleUploadThreshold = SmallBlock;
            o.BlockSize = SmallBlock;
        });
        const long Length = (3 * SmallBlock) + 5;
        await storage.SaveAsync("big.bin", new PatternStream(Length, seed: 1), cancellationToken: Ct);

        SaveResult second = await storage.SaveAsync("big.bin", new PatternStream(Length, seed: 2), cancellationToken: Ct);

        Assert.AreNotEqual("big.bin", second.Name);
        await AssertPatternAsync(storage, "big.bin", Length, seed: 1);
        await AssertPatternAsync(storage, second.Name, Length, seed: 2);

        SaveResult third = await storage.SaveAsync("big.bin", new PatternStream(Length + SmallBlock, seed: 3), new SaveOptions { Overwrite = true }, Ct);
        Assert.AreEqual("big.bin", third.Name);
        await AssertPatternAsync(storage, "big.bin", Length + SmallBlock, seed: 3);

        // Content of exactly N blocks, and of exactly the threshold (one Put Blob), come back whole too.
        SaveResult exact = await storage.SaveAsync("exact.bin", new PatternStream(4 * SmallBlock, seed: 4), cancellationToken: Ct);
        await AssertPatternAsync(storage, exact.Name, 4 * SmallBlock, seed: 4);
        SaveResult threshold = await storage.SaveAsync("threshold.bin", new PatternStream(SmallBlock, seed: 5), cancellationToken: Ct);
        await AssertPatternAsync(storage, threshold.Name, SmallBlock, seed: 5);
        Assert.HasCount(4, await ListAsync(storage, recursive: true), "big.bin (replaced), its alternative, exact.bin, threshold.bin");
    }

    /// <summary>The caller's stream fails mid-upload: its own error comes out, and the reservation (with the staged blocks) is removed.</summary>
    [TestMethod]
    public async Task A_block_upload_whose_source_fails_rethrows_the_source_error_and_frees_the_name()
    {
        AzureBlobStorage storage = CreateStorage(o =>
        {
            o.SingleUploadThreshold = SmallBlock;
            o.BlockSize = SmallBlock;
        });

        IOException failure = await Assert.ThrowsExactlyAsync<IOException>(
            async () => await storage.SaveAsync("dropped.bin", new FailingStream(5 * SmallBlock), cancellationToken: Ct));

        StringAssert.Contains(failure.Message, "simulated");
        Assert.IsFalse(await storage.ExistsAsync("dropped.bin", Ct), "the reservation was removed");
        Assert.IsEmpty(await ListAsync(CreateContainerTopStorage(), recursive: true), "nothing is left in the container");
        Assert.AreEqual("dropped.bin", (await storage.SaveTextAsync("dropped.bin", "again", cancellationToken: Ct)).Name, "the name is free again");
    }

    [TestMethod]
    public async Task A_cancelled_block_upload_leaves_nothing_under_any_name()
    {
        AzureBlobStorage storage = CreateStorage(o =>
        {
            o.SingleUploadThreshold = SmallBlock;
            o.BlockSize = SmallBlock;
        });
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var content = new SlowPatternStream(64L * SmallBlock, seed: 9, delayPerRead: TimeSpan.FromMilliseconds(20), chunk: 16 * 1024);
        Task<SaveResult> save = storage.SaveAsync("cancelled.bin", content, cancellationToken: cancel.Token).AsTask();
        while (content.BytesRead < 4 * SmallBlock && !save.IsCompleted)
        {
            await Task.Delay(10, Ct);
        }

        await cancel.CancelAsync();

        await Assert.ThrowsAsync<OperationCanceledException>(async () => await save);
        Assert.IsFalse(await storage.ExistsAsync("cancelled.bin", Ct), "the reservation was removed");
        Assert.IsEmpty(await ListAsync(CreateContainerTopStorage(), recursive: true), "nothing is left in the container");
    }

    /// <summary>
    /// 200 MiB from a non-seekable stream goes up in blocks with the default options — (4 + 1) × 8 MiB of block
    /// buffers — so the managed heap never grows by the object's size: the peak stays under 64 MiB above the
    /// baseline. Measured as the S3 test does, by sampling <see cref="GC.GetTotalMemory(bool)"/> during the upload.
    /// </summary>
    [TestMethod]
    public async Task A_200_MiB_block_upload_keeps_peak_managed_memory_under_64_MiB()
    {
        const long Length = 200L * 1024 * 1024;
        const long Budget = 64L * 1024 * 1024;
        const int Seed = 200;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(120));
        AzureBlobStorage storage = CreateStorage();
        await storage.ExistsAsync("warm-up", deadline.Token); // the pipeline and its connection exist before the baseline

        SaveResult saved = null!;
        ManagedMemoryUse use = await MeasureManagedMemoryAsync(async () =>
        {
            await using var content = new PatternStream(Length, Seed);
            saved = await storage.SaveAsync("large/200mib.bin", content, cancellationToken: deadline.Token);
        });

        TestContext.WriteLine($"200 MiB block upload: {use.Elapsed.TotalSeconds:F1} s, {use.Samples} samples, peak managed growth {use.PeakGrowth / (1024.0 * 1024):F1} MiB, {use.Allocated / (1024.0 * 1024):F1} MiB allocated");
        Assert.AreEqual(Length, saved.Length);
        Assert.AreEqual("large/200mib.bin", saved.Name);
        Assert.IsGreaterThan(10, use.Samples, "the sampler must have run during the upload");
        Assert.IsLessThan(Budget, use.PeakGrowth, $"peak managed memory grew by {use.PeakGrowth} bytes during a {Length}-byte upload; the budget is {Budget}.");
        Assert.IsLessThan(Budget, use.Allocated, $"the upload allocated {use.Allocated} managed bytes in all: blocks must come from the reused pool, not one array each.");

        StorageObjectInfo info = await storage.GetInfoAsync(saved.Name, deadline.Token);
        Assert.AreEqual(Length, info.Length);
        Assert.IsFalse(info.Metadata.ContainsKey(AzureBlobStorage.ReservationMetadataKey));
        await AssertPatternAsync(storage, saved.Name, Length, Seed);
    }
}
