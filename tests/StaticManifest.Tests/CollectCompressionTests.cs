using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Wharf.StaticManifest.Collecting;
using Wharf.StaticManifest.Compression;
using Wharf.Storage;

namespace Wharf.StaticManifest.Tests;

/// <summary>
/// Precompression in a collect with a collect cache: variants a trusted destination holds are reused without a read,
/// everything else goes through the precompression cache, and compression settings are part of the collect cache.
/// </summary>
[TestClass]
public sealed class CollectCompressionTests : CollectorTestBase
{
    [TestMethod]
    public async Task A_trusted_destination_keeps_its_variants_and_only_the_changed_content_is_looked_up()
    {
        string source = Tree();
        string cacheFile = CacheFile();
        var counting = new CountingCache();
        (IStorage storage, string root) = Destination();

        await Collect(storage, source, Cached(cacheFile, counting));
        string[] compressible = CompressibleContents(Manifest(root));
        Assert.HasCount(7, compressible, "site.css and app.js (original and rewritten), base.css, other.css, lib.js.");
        CollectionAssert.AreEquivalent(compressible, counting.Gets.ToArray(), "A first collect looks every compressible content up, once.");

        counting.Reset();
        CollectResult unchanged = await Collect(storage, source, Cached(cacheFile, counting));
        Assert.AreEqual(0, unchanged.Copied);
        Assert.IsEmpty(counting.Gets, "Nothing changed: every variant is the one published.");

        string touched = ChangeOther(source);
        counting.Reset();
        CollectResult changed = await Collect(storage, source, Cached(cacheFile, counting));

        CollectionAssert.AreEqual(new[] { Sha256(Encoding.UTF8.GetBytes(touched)) }, counting.Gets.ToArray(), "Only the changed content (shared by its original and fingerprinted copies) is looked up.");
        Assert.AreEqual(1, counting.Sets);
        Assert.AreEqual(6, changed.Copied, "other.css under both names, with their .br and .gz.");
        CollectionAssert.AreEqual(await FreshManifestBytes(source), ManifestBytes(root), "The caches change nothing in the manifest.");
        await AssertVariantsDecompressToTheirOutputs(storage, root);
    }

    [TestMethod]
    public async Task An_untrusted_destination_goes_through_the_precompression_cache_with_the_same_results()
    {
        string source = Tree();
        string cacheFile = CacheFile();
        var counting = new CountingCache();
        (IStorage storage, string root) = Destination();

        await Collect(storage, source, Cached(cacheFile, counting));
        byte[] manifest = ManifestBytes(root);
        string[] compressible = CompressibleContents(Manifest(root));

        // Another destination: its manifest is not the one the cache knows.
        counting.Reset();
        (IStorage other, string otherRoot) = Destination();
        CollectResult elsewhere = await Collect(other, source, Cached(cacheFile, counting));
        CollectionAssert.AreEquivalent(compressible, counting.Gets.ToArray(), "Every compressible content is looked up, once.");
        Assert.AreEqual(0, counting.Sets, "All of them were compressed before.");
        CollectionAssert.AreEqual(manifest, ManifestBytes(otherRoot));
        Assert.IsGreaterThan(0, elsewhere.Copied);
        await AssertVariantsDecompressToTheirOutputs(other, otherRoot);

        // The first destination's manifest replaced by hand (same bytes, another version; written after the files, so
        // the listing's times do not make the collect distrust their hashes).
        string manifestPath = Path.Join(root, StaticAssetManifest.DefaultName);
        SameTickWrites.Write(manifestPath, manifest, DateTime.UtcNow + TimeSpan.FromMinutes(3));
        counting.Reset();
        CollectResult replaced = await Collect(storage, source, Cached(cacheFile, counting));
        CollectionAssert.AreEquivalent(compressible, counting.Gets.ToArray());
        Assert.AreEqual(0, counting.Sets);
        Assert.AreEqual(0, replaced.Copied, "The listing and the previous manifest show everything in place.");
        CollectionAssert.AreEqual(manifest, ManifestBytes(root));
        await AssertVariantsDecompressToTheirOutputs(storage, root);
    }

    [TestMethod]
    public async Task The_variants_folder_beside_the_cache_file_is_the_default_and_the_explicit_choices_win_over_it()
    {
        string source = Folder();
        string css = Big("only");
        Write(source, "big.css", css);
        Age(source, TimeSpan.FromMinutes(10));
        byte[] content = Encoding.UTF8.GetBytes(css);
        string hash = Sha256(content);
        string settingsKey = new Precompressor().SettingsKey;
        string cacheFile = CacheFile();
        string variants = cacheFile + ".variants";

        // Only a cache file: its variants folder is created and filled.
        (IStorage first, string firstRoot) = Destination();
        await Collect(first, source, Cached(cacheFile));
        Assert.IsTrue(File.Exists(Path.Join(variants, settingsKey, hash[..2], hash)));
        IReadOnlyList<PrecompressedVariant>? kept = await new DirectoryPrecompressionCache(variants).GetAsync(hash, settingsKey, Ct);
        Assert.IsNotNull(kept);
        AssertBothBrotliVariantsAre(kept[0], firstRoot, "The fingerprinted copy and the original share the variant.");

        // Each cache gets its own recognizable (valid) variants: a destination the collect cache does not trust
        // shows which cache the collect read.
        PrecompressedVariant[] inDefault = Marker(content, brotliQuality: 1);
        PrecompressedVariant[] inDirectory = Marker(content, brotliQuality: 4);
        PrecompressedVariant[] inInstance = Marker(content, brotliQuality: 7);
        await new DirectoryPrecompressionCache(variants).SetAsync(hash, settingsKey, inDefault, Ct);
        string directory = Folder();
        await new DirectoryPrecompressionCache(directory).SetAsync(hash, settingsKey, inDirectory, Ct);
        var instance = new CountingCache();
        await instance.SetAsync(hash, settingsKey, inInstance, Ct);
        instance.Reset();

        (IStorage second, string secondRoot) = Destination();
        await Collect(second, source, Cached(cacheFile));
        AssertBothBrotliVariantsAre(inDefault[0], secondRoot, "The variants folder is read.");
        await AssertVariantsDecompressToTheirOutputs(second, secondRoot);

        (IStorage third, string thirdRoot) = Destination();
        await Collect(third, source, o =>
        {
            o.CacheFile = cacheFile;
            o.PrecompressionCacheDirectory = directory;
        });
        AssertBothBrotliVariantsAre(inDirectory[0], thirdRoot, "PrecompressionCacheDirectory wins over the default.");

        (IStorage fourth, string fourthRoot) = Destination();
        await Collect(fourth, source, o =>
        {
            o.CacheFile = cacheFile;
            o.PrecompressionCacheDirectory = directory;
            o.PrecompressionCache = instance;
        });
        AssertBothBrotliVariantsAre(inInstance[0], fourthRoot, "PrecompressionCache wins over both.");
        CollectionAssert.AreEqual(new[] { hash }, instance.Gets.ToArray());
        await AssertVariantsDecompressToTheirOutputs(fourth, fourthRoot);
    }

    [TestMethod]
    public async Task Changed_compression_settings_with_the_same_cache_file_replace_every_variant()
    {
        string source = Tree();
        string cacheFile = CacheFile();
        (IStorage storage, string root) = Destination();
        await Collect(storage, source, Cached(cacheFile));
        Assert.Contains("gzip", Manifest(root).Assets.Values.SelectMany(a => a.Encodings).Select(e => e.Name));

        static PrecompressionOptions Lighter() => new() { BrotliQuality = 5, Gzip = false };
        await Collect(storage, source, o =>
        {
            o.CacheFile = cacheFile;
            o.Compression = Lighter();
            o.PruneStale = true;
        });

        (IStorage fresh, string freshRoot) = Destination();
        await Collect(fresh, source, o => o.Compression = Lighter());
        CollectionAssert.AreEqual(ManifestBytes(freshRoot), ManifestBytes(root), "The manifest is the one the new settings give.");
        StaticAssetManifest lighter = Manifest(root);
        Assert.IsTrue(lighter.Assets.Values.SelectMany(a => a.Encodings).All(e => e.Name == "br"), "No gzip variant is listed.");
        await AssertVariantsDecompressToTheirOutputs(storage, root);
        foreach (StaticAssetEncoding encoding in lighter.Assets.Values.SelectMany(a => a.Encodings))
        {
            CollectionAssert.AreEqual(await fresh.ReadAllBytesAsync(encoding.StoredPath, Ct), await storage.ReadAllBytesAsync(encoding.StoredPath, Ct), encoding.StoredPath);
        }

        Assert.IsEmpty(Directory.GetFiles(root, "*.gz", SearchOption.AllDirectories), "Pruning removed the gzip variants the new settings do not make.");

        // And back: the default variants again, from the variants folder.
        await Collect(storage, source, Cached(cacheFile));
        CollectionAssert.AreEqual(await FreshManifestBytes(source), ManifestBytes(root));
        await AssertVariantsDecompressToTheirOutputs(storage, root);
    }

    [TestMethod]
    public async Task Changing_which_files_are_tried_with_the_same_cache_file_compresses_the_newly_included_ones()
    {
        // The minimum length and the skip list decide whether a file is tried at all; a file published without
        // variants because it was not tried must not keep "no variants" once it is.
        string source = Tree();
        string cacheFile = CacheFile();
        (IStorage storage, string root) = Destination();
        byte[] expected = await FreshManifestBytes(source);

        await Collect(storage, source, o =>
        {
            o.CacheFile = cacheFile;
            o.Compression = new PrecompressionOptions { MinimumLength = 1 << 20 };
        });
        Assert.IsEmpty(Manifest(root).Assets.Values.SelectMany(a => a.Encodings), "Every file is under the minimum length.");
        await Collect(storage, source, Cached(cacheFile));
        CollectionAssert.AreEqual(expected, ManifestBytes(root), "A lower minimum length compresses the files it now includes.");
        await AssertVariantsDecompressToTheirOutputs(storage, root);

        var skipCss = new PrecompressionOptions();
        skipCss.SkipExtensions.Add("css");
        await Collect(storage, source, o =>
        {
            o.CacheFile = cacheFile;
            o.Compression = skipCss;
        });
        Assert.IsTrue(Manifest(root).Assets.Values.Where(a => a.LogicalPath.EndsWith(".css", StringComparison.Ordinal)).All(a => a.Encodings.Count == 0));
        await Collect(storage, source, Cached(cacheFile));
        CollectionAssert.AreEqual(expected, ManifestBytes(root), "A shorter skip list compresses the files it now includes.");
        await AssertVariantsDecompressToTheirOutputs(storage, root);
    }

    [TestMethod]
    public async Task A_variant_deleted_by_hand_is_restored_once_the_manifest_or_the_cache_file_is_deleted()
    {
        string source = Tree();
        string cacheFile = CacheFile();
        (IStorage storage, string root) = Destination();
        await Collect(storage, source, Cached(cacheFile));
        byte[] manifest = ManifestBytes(root);
        Assert.IsTrue(Manifest(root).TryGetByLogicalPath("css/other.css", out StaticAsset? other));
        string variant = other.Encodings.Single(e => e.Name == "br").StoredPath;

        // A documented limit: while the destination's manifest is the one the last collect wrote, the cache trusts
        // it, so the missing variant is not noticed. Deleting the manifest (or the cache file) is the remedy.
        Assert.IsTrue(await storage.DeleteAsync(variant, Ct));
        Assert.IsTrue(await storage.DeleteAsync(StaticAssetManifest.DefaultName, Ct));
        await Collect(storage, source, Cached(cacheFile));
        Assert.IsTrue(await storage.ExistsAsync(variant, Ct), "Without its manifest the destination is listed.");
        CollectionAssert.AreEqual(manifest, ManifestBytes(root));
        await AssertVariantsDecompressToTheirOutputs(storage, root);

        Assert.IsTrue(await storage.DeleteAsync(variant, Ct));
        File.Delete(cacheFile);
        await Collect(storage, source, Cached(cacheFile));
        Assert.IsTrue(await storage.ExistsAsync(variant, Ct), "Without the cache file the destination is listed.");
        CollectionAssert.AreEqual(manifest, ManifestBytes(root));
        await AssertVariantsDecompressToTheirOutputs(storage, root);
    }

    [TestMethod]
    public async Task A_dry_run_with_a_cache_writes_nothing()
    {
        string source = Tree();
        string cacheFile = CacheFile();
        (IStorage storage, string root) = Destination();

        CollectResult dry = await Collect(storage, source, Cached(cacheFile, dryRun: true));
        Assert.IsEmpty(Directory.GetFileSystemEntries(root));
        Assert.IsFalse(File.Exists(cacheFile));
        Assert.IsFalse(Directory.Exists(cacheFile + ".variants"), "A dry run reads the precompression cache but does not fill it.");
        Assert.IsGreaterThan(0, dry.Compressed);

        // With a cache and a trusted destination, after a change.
        CollectResult real = await Collect(storage, source, Cached(cacheFile));
        ChangeOther(source);
        byte[] manifest = ManifestBytes(root);
        byte[] cache = await File.ReadAllBytesAsync(cacheFile, Ct);
        string[] files = Directory.GetFiles(root, "*", SearchOption.AllDirectories);
        string[] variants = Directory.GetFiles(cacheFile + ".variants", "*", SearchOption.AllDirectories);

        CollectResult again = await Collect(storage, source, Cached(cacheFile, dryRun: true));

        CollectionAssert.AreEqual(manifest, ManifestBytes(root));
        CollectionAssert.AreEquivalent(files, Directory.GetFiles(root, "*", SearchOption.AllDirectories));
        CollectionAssert.AreEqual(cache, await File.ReadAllBytesAsync(cacheFile, Ct));
        CollectionAssert.AreEquivalent(variants, Directory.GetFiles(cacheFile + ".variants", "*", SearchOption.AllDirectories));
        Assert.AreNotEqual(real.Manifest.Hash, again.Manifest.Hash);
        CollectResult after = await Collect(storage, source, Cached(cacheFile));
        Assert.AreEqual(after.Manifest.Hash, again.Manifest.Hash, "The dry run computed the manifest the collect then writes.");
    }

    [TestMethod]
    public async Task Moving_the_source_root_with_a_trusted_destination_publishes_the_variants_under_the_new_names()
    {
        // Same physical files, new logical paths: what the cache knows was published under the old names.
        string root = Folder();
        Write(root, "sub/a.css", "@import 'b.css';\n" + Big("a"));
        Write(root, "sub/b.css", Big("b"));
        Age(root, TimeSpan.FromMinutes(10));
        string cacheFile = CacheFile();
        (IStorage storage, string destination) = Destination();
        await Collect(storage, root, Cached(cacheFile));

        await Collect(storage, Path.Join(root, "sub"), Cached(cacheFile));

        CollectionAssert.AreEqual(await FreshManifestBytes(Path.Join(root, "sub")), ManifestBytes(destination));
        await AssertVariantsDecompressToTheirOutputs(storage, destination);
    }

    /// <summary>
    /// A source tree: CSS and JavaScript with and without references, one file nothing refers to (css/other.css), and
    /// two files that are not compressed (an image, a tiny text). Aged, so the collect cache remembers every file.
    /// </summary>
    private string Tree()
    {
        string source = Folder();
        Write(source, "css/site.css", "@import 'base.css';\nbody { background: url(../img/logo.png) }\n" + Big("site"));
        Write(source, "css/base.css", Big("base"));
        Write(source, "css/other.css", Big("other"));
        Write(source, "img/logo.png", "PNG");
        Write(source, "js/app.js", "import { x } from './lib.js';\n" + Big("app"));
        Write(source, "js/lib.js", "export const x = 1;\n" + Big("lib"));
        Write(source, "tiny.txt", "tiny");
        Age(source, TimeSpan.FromMinutes(10));
        return source;
    }

    /// <summary>Rewrites css/other.css of a <see cref="Tree"/> with new content of another length, dated five minutes ago; returns the content.</summary>
    private static string ChangeOther(string source)
    {
        string content = Big("other-changed");
        Write(source, "css/other.css", content);
        File.SetLastWriteTimeUtc(Path.Join(source, "css", "other.css"), DateTime.UtcNow - TimeSpan.FromMinutes(5));
        return content;
    }

    /// <summary>A collect cache file in a new folder (its variants folder goes beside it).</summary>
    private string CacheFile() => Path.Join(Folder(), "collect.cache");

    /// <summary>A collect with the collect cache <paramref name="cacheFile"/>, and the precompression cache and dry run when given.</summary>
    private static Action<StaticCollectOptions> Cached(string cacheFile, IPrecompressionCache? precompressionCache = null, bool dryRun = false) => o =>
    {
        o.CacheFile = cacheFile;
        if (precompressionCache is not null)
        {
            o.PrecompressionCache = precompressionCache;
        }

        if (dryRun)
        {
            o.DryRun = true;
        }
    };

    /// <summary>The manifest a collect of <paramref name="source"/> to a new destination writes, without caches.</summary>
    private async Task<byte[]> FreshManifestBytes(string source, Action<StaticCollectOptions>? configure = null)
    {
        (IStorage fresh, string freshRoot) = Destination();
        await Collect(fresh, source, configure);
        return ManifestBytes(freshRoot);
    }

    /// <summary>About 10 KB of text that compresses well, different for every tag.</summary>
    private static string Big(string tag) =>
        string.Concat(Enumerable.Range(0, 200).Select(i => string.Create(CultureInfo.InvariantCulture, $"/* {tag} */ .{tag}-{i % 17} {{ margin: {i % 7}px auto; z-index: {i}; }}\n")));

    /// <summary>Valid variants of a content that the collect's settings would not make (another Brotli quality), to tell caches apart.</summary>
    private static PrecompressedVariant[] Marker(byte[] content, int brotliQuality)
    {
        PrecompressionResult result = new Precompressor(new PrecompressionOptions { BrotliQuality = brotliQuality, MaxRatio = 1 }).Compress("big.css", content);
        Assert.AreEqual(ContentCodings.Brotli, result.Variants[0].Coding);
        Assert.AreNotEqual(new Precompressor().Compress("big.css", content).Variants[0].ContentHash, result.Variants[0].ContentHash);
        return [.. result.Variants];
    }

    /// <summary>The two assets (big.css, fingerprinted and original) under <paramref name="root"/> are published with <paramref name="expected"/> as their Brotli variant.</summary>
    private static void AssertBothBrotliVariantsAre(PrecompressedVariant expected, string root, string message) =>
        CollectionAssert.AreEqual(new[] { expected.ContentHash, expected.ContentHash }, BrotliHashes(Manifest(root)), message);

    /// <summary>The Brotli variant hashes of every asset, by stored path.</summary>
    private static string[] BrotliHashes(StaticAssetManifest manifest) =>
        [.. manifest.Assets.Values.OrderBy(a => a.StoredPath, StringComparer.Ordinal).Select(a => a.Encodings.Single(e => e.Name == "br").ContentHash)];

    /// <summary>The distinct contents that have variants.</summary>
    private static string[] CompressibleContents(StaticAssetManifest manifest) =>
        [.. manifest.Assets.Values.Where(a => a.Encodings.Count > 0).Select(a => a.ContentHash).Distinct()];

    /// <summary>Every output and variant the manifest lists is stored with its hash and length; every variant decompresses to its output.</summary>
    private async Task AssertVariantsDecompressToTheirOutputs(IStorage storage, string root)
    {
        int checkedVariants = 0;
        foreach (StaticAsset asset in Manifest(root).Assets.Values)
        {
            byte[] output = await storage.ReadAllBytesAsync(asset.StoredPath, Ct);
            Assert.AreEqual(asset.ContentHash, Sha256(output), asset.StoredPath);
            foreach (StaticAssetEncoding encoding in asset.Encodings)
            {
                byte[] stored = await storage.ReadAllBytesAsync(encoding.StoredPath, Ct);
                Assert.AreEqual(encoding.ContentHash, Sha256(stored), encoding.StoredPath);
                Assert.AreEqual(encoding.Length, stored.Length, encoding.StoredPath);
                Assert.AreEqual(encoding.StoredPath, asset.StoredPath + ContentCodings.GetFileExtension(encoding.Name));
                using var input = new MemoryStream(stored);
                using Stream decompressing = encoding.Name == ContentCodings.Brotli ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
                using var decompressed = new MemoryStream();
                await decompressing.CopyToAsync(decompressed, Ct);
                CollectionAssert.AreEqual(output, decompressed.ToArray(), encoding.StoredPath);
                checkedVariants++;
            }
        }

        Assert.IsGreaterThan(0, checkedVariants);
    }

    private static StaticAssetManifest Manifest(string root) => StaticAssetManifest.Parse(ManifestBytes(root));

    private static byte[] ManifestBytes(string root) => File.ReadAllBytes(Path.Join(root, StaticAssetManifest.DefaultName));

    private static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>A precompression cache in memory that records what it is asked.</summary>
    private sealed class CountingCache : IPrecompressionCache
    {
        private readonly ConcurrentDictionary<(string Hash, string Settings), IReadOnlyList<PrecompressedVariant>> _entries = new();
        private ConcurrentQueue<string> _gets = new();
        private int _sets;

        /// <summary>The content hashes looked up, in order.</summary>
        public IReadOnlyCollection<string> Gets => _gets;

        public int Sets => _sets;

        public void Reset()
        {
            _gets = new ConcurrentQueue<string>();
            _sets = 0;
        }

        public ValueTask<IReadOnlyList<PrecompressedVariant>?> GetAsync(string contentHash, string settingsKey, CancellationToken cancellationToken)
        {
            _gets.Enqueue(contentHash);
            return ValueTask.FromResult(_entries.TryGetValue((contentHash, settingsKey), out IReadOnlyList<PrecompressedVariant>? variants) ? variants : null);
        }

        public ValueTask SetAsync(string contentHash, string settingsKey, IReadOnlyList<PrecompressedVariant> variants, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _sets);
            _entries[(contentHash, settingsKey)] = variants;
            return ValueTask.CompletedTask;
        }
    }
}
