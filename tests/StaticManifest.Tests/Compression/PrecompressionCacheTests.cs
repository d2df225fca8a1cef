using Wharf.StaticManifest.Compression;

namespace Wharf.StaticManifest.Tests.Compression;

[TestClass]
public sealed class PrecompressionCacheTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    public async Task The_same_content_is_compressed_once_and_then_read_back_byte_identical()
    {
        using var directory = new TestContent.TempDirectory();
        var cache = new CountingCache(new DirectoryPrecompressionCache(directory.Path));
        var precompressor = new Precompressor(PrecompressionOptions.Fast, cache);
        byte[] css = TestContent.Css(30_000);

        PrecompressionResult first = await precompressor.CompressAsync("a.css", css, cancellationToken: Ct);
        PrecompressionResult second = await precompressor.CompressAsync("other/name.css", css, TestContent.Sha256(css), Ct);

        Assert.IsFalse(first.FromCache);
        Assert.IsTrue(second.FromCache);
        Assert.AreEqual(PrecompressionOutcome.Compressed, second.Outcome);
        Assert.AreEqual(1, cache.Sets);
        for (int i = 0; i < 2; i++)
        {
            Assert.AreEqual(first.Variants[i].Coding, second.Variants[i].Coding);
            Assert.AreEqual(first.Variants[i].ContentHash, second.Variants[i].ContentHash);
            CollectionAssert.AreEqual(first.Variants[i].Content.ToArray(), second.Variants[i].Content.ToArray());
        }

        Assert.IsTrue(File.Exists(Path.Join(directory.Path, precompressor.SettingsKey, TestContent.Sha256(css)[..2], TestContent.Sha256(css))));
    }

    [TestMethod]
    public async Task That_nothing_pays_is_remembered_too()
    {
        using var directory = new TestContent.TempDirectory();
        var precompressor = new Precompressor(new PrecompressionOptions(), new DirectoryPrecompressionCache(directory.Path));
        byte[] noise = TestContent.Random(50_000);

        PrecompressionResult first = await precompressor.CompressAsync("a.bin", noise, cancellationToken: Ct);
        PrecompressionResult second = await precompressor.CompressAsync("a.bin", noise, cancellationToken: Ct);

        Assert.AreEqual(PrecompressionOutcome.NotEffective, first.Outcome);
        Assert.AreEqual(PrecompressionOutcome.NotEffective, second.Outcome);
        Assert.IsTrue(second.FromCache);
        Assert.IsEmpty(second.Variants);
    }

    [TestMethod]
    public async Task Other_settings_do_not_share_entries()
    {
        using var directory = new TestContent.TempDirectory();
        var cache = new DirectoryPrecompressionCache(directory.Path);
        byte[] css = TestContent.Css(30_000);
        await new Precompressor(PrecompressionOptions.Fast, cache).CompressAsync("a.css", css, cancellationToken: Ct);

        PrecompressionResult other = await new Precompressor(new PrecompressionOptions { BrotliQuality = 6, GzipLevel = 6 }, cache).CompressAsync("a.css", css, cancellationToken: Ct);

        Assert.IsFalse(other.FromCache);
        Assert.HasCount(2, Directory.GetDirectories(directory.Path));
    }

    [TestMethod]
    public async Task A_damaged_entry_is_a_miss_and_is_rewritten()
    {
        using var directory = new TestContent.TempDirectory();
        var precompressor = new Precompressor(PrecompressionOptions.Fast, new DirectoryPrecompressionCache(directory.Path));
        byte[] css = TestContent.Css(30_000);
        await precompressor.CompressAsync("a.css", css, cancellationToken: Ct);
        string entry = Directory.GetFiles(directory.Path, "*", SearchOption.AllDirectories).Single();
        byte[] bytes = File.ReadAllBytes(entry);

        bytes[^10] ^= 0xff;
        File.WriteAllBytes(entry, bytes);
        PrecompressionResult flipped = await precompressor.CompressAsync("a.css", css, cancellationToken: Ct);
        File.WriteAllBytes(entry, bytes[..^10]);
        PrecompressionResult truncated = await precompressor.CompressAsync("a.css", css, cancellationToken: Ct);
        PrecompressionResult after = await precompressor.CompressAsync("a.css", css, cancellationToken: Ct);

        Assert.IsFalse(flipped.FromCache);
        Assert.IsFalse(truncated.FromCache);
        Assert.IsTrue(after.FromCache);
        CollectionAssert.AreEqual(css, TestContent.Decompress("gzip", after.Variants[1].Content));
    }

    [TestMethod]
    public async Task A_rebuild_into_an_empty_folder_takes_every_variant_from_the_cache()
    {
        using var cacheDirectory = new TestContent.TempDirectory();
        using var build1 = new TestContent.TempDirectory();
        using var build2 = new TestContent.TempDirectory();
        string[] paths = ["a.css", "b/c.js", "noise.bin", "d.png"];
        foreach (TestContent.TempDirectory build in new[] { build1, build2 })
        {
            build.Write("a.css", TestContent.Css(20_000));
            build.Write("b/c.js", TestContent.Css(9_000, seed: 4));
            build.Write("noise.bin", TestContent.Random(9_000));
            build.Write("d.png", TestContent.Random(9_000));
        }

        var precompressor = new Precompressor(PrecompressionOptions.Fast, new DirectoryPrecompressionCache(cacheDirectory.Path));
        IReadOnlyList<PrecompressedFile> first = await precompressor.CompressFilesAsync(build1.Path, paths, Ct);
        IReadOnlyList<PrecompressedFile> second = await precompressor.CompressFilesAsync(build2.Path, paths, Ct);

        CollectionAssert.AreEqual(new[] { false, false, false, false }, first.Select(f => f.FromCache).ToArray());
        CollectionAssert.AreEqual(new[] { true, true, true, false }, second.Select(f => f.FromCache).ToArray(), "Skipped files never reach the cache.");
        for (int i = 0; i < paths.Length; i++)
        {
            Assert.AreEqual(first[i].Outcome, second[i].Outcome);
            CollectionAssert.AreEqual(first[i].Encodings.ToArray(), second[i].Encodings.ToArray());
            foreach (StaticAssetEncoding encoding in second[i].Encodings)
            {
                CollectionAssert.AreEqual(File.ReadAllBytes(Path.Join(build1.Path, encoding.StoredPath)), File.ReadAllBytes(Path.Join(build2.Path, encoding.StoredPath)));
            }
        }
    }

    [TestMethod]
    public async Task Keys_are_checked_before_they_become_paths()
    {
        using var directory = new TestContent.TempDirectory();
        var cache = new DirectoryPrecompressionCache(directory.Path);
        string hash = new('a', 64);

        await Assert.ThrowsExactlyAsync<ArgumentException>(async () => await cache.GetAsync("../../etc", "v1", Ct));
        await Assert.ThrowsExactlyAsync<ArgumentException>(async () => await cache.GetAsync(hash.ToUpperInvariant(), "v1", Ct));
        await Assert.ThrowsExactlyAsync<ArgumentException>(async () => await cache.GetAsync(hash, "../x", Ct));
        await Assert.ThrowsExactlyAsync<ArgumentException>(async () => await cache.GetAsync(hash, "..", Ct));
        Assert.IsNull(await cache.GetAsync(hash, "v1", Ct));
    }

    private sealed class CountingCache(IPrecompressionCache inner) : IPrecompressionCache
    {
        private int _sets;

        public int Sets => _sets;

        public ValueTask<IReadOnlyList<PrecompressedVariant>?> GetAsync(string contentHash, string settingsKey, CancellationToken cancellationToken) =>
            inner.GetAsync(contentHash, settingsKey, cancellationToken);

        public ValueTask SetAsync(string contentHash, string settingsKey, IReadOnlyList<PrecompressedVariant> variants, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _sets);
            return inner.SetAsync(contentHash, settingsKey, variants, cancellationToken);
        }
    }
}
