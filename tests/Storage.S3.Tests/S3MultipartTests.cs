using System.Diagnostics;
using Amazon.S3;
using Amazon.S3.Model;
using Wharf.Storage.Testing;

namespace Wharf.Storage.S3.Tests;

/// <summary>Multipart uploads against the real server: the name reservation under races, and bounded memory.</summary>
[TestClass]
public sealed class S3MultipartTests : S3TestBase
{
    private const int FiveMiB = 5 * 1024 * 1024;

    /// <summary>
    /// RGW ignores <c>If-None-Match</c> on CompleteMultipartUpload, so only the zero-byte conditional reservation keeps
    /// concurrent multipart saves of one name apart.
    /// </summary>
    [TestMethod]
    public async Task Concurrent_multipart_saves_of_one_name_never_overwrite_each_other()
    {
        const int Writers = 6;
        const long Length = 12L * 1024 * 1024;
        S3Storage storage = CreateStorage(o =>
        {
            o.MultipartThreshold = FiveMiB;
            o.PartSize = FiveMiB;
        });

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<SaveResult>[] saves = Enumerable.Range(0, Writers).Select(i => Task.Run(async () =>
        {
            await gate.Task;
            await using var content = new PatternStream(Length, seed: 2000 + i);
            return await storage.SaveAsync("race/big.bin", content, cancellationToken: Ct);
        })).ToArray();
        gate.SetResult();
        SaveResult[] results = await Task.WhenAll(saves);

        Assert.AreEqual(Writers, results.Select(r => r.Name).Distinct(StringComparer.Ordinal).Count(), "Two multipart writers got the same name.");
        Assert.AreEqual(1, results.Count(r => r.Name == "race/big.bin"), "Exactly one writer must get the name itself.");
        for (int i = 0; i < Writers; i++)
        {
            Assert.AreEqual(Length, results[i].Length);
            await AssertPatternAsync(storage, results[i].Name, Length, seed: 2000 + i);
        }

        // Nothing else is left: no empty reservation, no incomplete upload.
        var entries = new List<StorageEntry>();
        await foreach (StorageEntry entry in storage.ListAsync("race/", new ListOptions { Recursive = true }, Ct))
        {
            entries.Add(entry);
        }

        CollectionAssert.AreEquivalent(results.Select(r => r.Name).ToArray(), entries.Select(e => e.Name).ToArray());
        Assert.IsTrue(entries.All(e => e.Length == Length), string.Join(", ", entries.Select(e => $"{e.Name}={e.Length}")));
        using AmazonS3Client direct = S3Server.CreateDirectClient();
        ListMultipartUploadsResponse uploads = await direct.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket }, Ct);
        Assert.IsEmpty(uploads.MultipartUploads ?? [], "incomplete multipart uploads were left behind");
    }

    [TestMethod]
    public async Task A_multipart_save_of_a_taken_name_takes_an_alternative_and_leaves_the_first_intact()
    {
        S3Storage storage = CreateStorage(o =>
        {
            o.MultipartThreshold = FiveMiB;
            o.PartSize = FiveMiB;
        });
        const long Length = FiveMiB + 123;
        await storage.SaveAsync("big.bin", new PatternStream(Length, seed: 1), cancellationToken: Ct);

        SaveResult second = await storage.SaveAsync("big.bin", new PatternStream(Length, seed: 2), cancellationToken: Ct);

        Assert.AreNotEqual("big.bin", second.Name);
        await AssertPatternAsync(storage, "big.bin", Length, seed: 1);
        await AssertPatternAsync(storage, second.Name, Length, seed: 2);

        // With overwrite the name itself is replaced, whole.
        SaveResult third = await storage.SaveAsync("big.bin", new PatternStream(Length + 1, seed: 3), new SaveOptions { Overwrite = true }, Ct);
        Assert.AreEqual("big.bin", third.Name);
        await AssertPatternAsync(storage, "big.bin", Length + 1, seed: 3);
    }

    /// <summary>
    /// 200 MiB from a non-seekable stream goes up in parts with the default options — (4 + 1) × 8 MiB of part
    /// buffers — so the managed heap never grows by the object's size: the peak stays under 64 MiB above the baseline.
    /// </summary>
    [TestMethod]
    public async Task A_200_MiB_multipart_upload_keeps_peak_managed_memory_under_64_MiB()
    {
        const long Length = 200L * 1024 * 1024;
        const long Budget = 64L * 1024 * 1024;
        const int Seed = 200;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(90));
        S3Storage storage = CreateStorage();
        await storage.ExistsAsync("warm-up", deadline.Token); // the client and its connection exist before the baseline

        SaveResult saved = null!;
        ManagedMemoryUse use = await MeasureManagedMemoryAsync(async () =>
        {
            await using var content = new PatternStream(Length, Seed);
            saved = await storage.SaveAsync("large/200mib.bin", content, cancellationToken: deadline.Token);
        });

        TestContext.WriteLine($"200 MiB upload: {use.Elapsed.TotalSeconds:F1} s, {use.Samples} samples, peak managed growth {use.PeakGrowth / (1024.0 * 1024):F1} MiB");
        Assert.AreEqual(Length, saved.Length);
        Assert.IsGreaterThan(10, use.Samples, "the sampler must have run during the upload");
        Assert.IsLessThan(Budget, use.PeakGrowth, $"peak managed memory grew by {use.PeakGrowth} bytes during a {Length}-byte upload; the budget is {Budget}.");

        Assert.AreEqual(Length, (await storage.GetInfoAsync(saved.Name, deadline.Token)).Length);
        await AssertPatternAsync(storage, saved.Name, Length, Seed);
    }
}
