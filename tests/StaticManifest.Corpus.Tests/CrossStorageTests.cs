using System.Collections.Concurrent;
using System.Security.Cryptography;
using Wharf.StaticManifest.Collecting;
using Wharf.Storage;
using Wharf.Storage.AzureBlob;
using Wharf.Storage.FileSystem;
using Wharf.Storage.S3;

namespace Wharf.StaticManifest.Corpus.Tests;

/// <summary>
/// One site's static tree built from several corpus packages (the way <c>--source node_modules/bootstrap/dist
/// --source …</c> is used) collected to the file system, to S3 (Ceph RGW) and to Azure Blob (Azurite): the three
/// manifests are the same bytes, every stored object is the same bytes in the three storages, and a second collect
/// uploads nothing.
/// </summary>
[TestClass]
public sealed class CrossStorageTests
{
    /// <summary>The sources, first wins: every strictly collected built folder of the corpus.</summary>
    private static readonly (string Package, string Folder)[] Sources =
    [
        ("bootstrap", "dist"),
        ("@fortawesome/fontawesome-free", ""),
        ("katex", "dist"),
        ("leaflet", "dist"),
        ("bootstrap-icons", "font"),
        ("reveal.js", "dist"),
    ];

    /// <summary>Font Awesome's unserved folders, and the packages' own metadata, which would otherwise conflict.</summary>
    private static readonly string[] Ignore = ["svgs", "sprites", "less", "scss", "metadata", "*.md", "LICENSE*", "package.json"];

    private static readonly List<Func<Task>> s_cleanups = [];
    private static Destination[] s_destinations = [];

    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    /// <summary>A storage, what the first and the second collect to it did.</summary>
    private sealed record Destination(string Name, IStorage Storage, CollectResult First, CollectResult Second);

    [ClassInitialize]
    public static async Task CollectEverywhere(TestContext context)
    {
        CancellationToken ct = context.CancellationToken;
        string[] sources = [.. Sources.Select(s => Path.Join(Corpus.NodeModules, s.Package, s.Folder))];

        (FileSystemStorage fileSystem, string root) = Corpus.TemporaryDestination("cross-storage");
        s_cleanups.Add(() => { Corpus.DeleteFolder(root); return Task.CompletedTask; });

        string bucket = await Servers.CreateBucketAsync(ct);
        var s3 = new S3Storage("corpus-s3", Servers.S3Options(bucket));
        s_cleanups.Add(async () => { await s3.DisposeAsync(); await Servers.DeleteBucketAsync(bucket); });

        string container = await Servers.CreateContainerAsync(ct);
        var azure = new AzureBlobStorage("corpus-azure", Servers.AzureOptions(container));
        s_cleanups.Add(async () => { await azure.DisposeAsync(); await Servers.DeleteContainerAsync(container); });

        async Task<Destination> CollectTwiceAsync(string name, IStorage storage)
        {
            CollectResult first = await new StaticCollector(storage, Corpus.Options(sources, Ignore, MissingReferenceMode.Strict)).CollectAsync(cancellationToken: ct);
            CollectResult second = await new StaticCollector(storage, Corpus.Options(sources, Ignore, MissingReferenceMode.Strict)).CollectAsync(cancellationToken: ct);
            return new Destination(name, storage, first, second);
        }

        s_destinations = await Task.WhenAll(
            CollectTwiceAsync("file system", fileSystem),
            CollectTwiceAsync("S3 (Ceph RGW)", s3),
            CollectTwiceAsync("Azure Blob (Azurite)", azure));
    }

    [ClassCleanup]
    public static async Task DeleteEverything()
    {
        var failures = new List<Exception>();
        foreach (Func<Task> cleanup in s_cleanups)
        {
            try
            {
                await cleanup();
            }
            catch (Exception exception)
            {
                failures.Add(exception);
            }
        }

        if (failures.Count > 0)
        {
            throw new AggregateException("Cleaning up the corpus collects failed.", failures);
        }
    }

    [TestMethod]
    public void The_combined_corpus_collects_strictly_without_conflicts()
    {
        foreach (Destination destination in s_destinations)
        {
            Assert.IsEmpty(destination.First.Missing, $"{destination.Name}: {string.Join("; ", destination.First.Missing)}");
            Assert.IsEmpty(destination.First.Conflicts, $"{destination.Name}: {string.Join("; ", destination.First.Conflicts.Select(c => c.LogicalPath))}");
            Assert.IsGreaterThan(200, destination.First.Found);
            Assert.IsGreaterThan(0, destination.First.PostProcessed);
        }

        TestContext.WriteLine($"{s_destinations[0].First.Found} files found, {s_destinations[0].First.PostProcessed} rewritten, {s_destinations[0].First.Copied} objects stored in each storage");
    }

    [TestMethod]
    public async Task The_three_manifests_are_the_same_bytes()
    {
        byte[] expected = s_destinations[0].First.Manifest.ToUtf8Bytes();
        foreach (Destination destination in s_destinations)
        {
            Assert.AreEqual(s_destinations[0].First.Manifest.Hash, destination.First.Manifest.Hash, destination.Name);
            CollectionAssert.AreEqual(expected, destination.First.Manifest.ToUtf8Bytes(), destination.Name);
            CollectionAssert.AreEqual(expected, await destination.Storage.ReadAllBytesAsync(StaticAssetManifest.DefaultName, Ct), $"{destination.Name}: the stored staticfiles.json.");
            CollectionAssert.AreEqual(expected, destination.Second.Manifest.ToUtf8Bytes(), $"{destination.Name}: the second collect's manifest.");
        }
    }

    [TestMethod]
    public async Task Every_stored_object_is_the_same_bytes_in_the_three_storages()
    {
        StaticAssetManifest manifest = s_destinations[0].First.Manifest;
        var expected = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [StaticAssetManifest.DefaultName] = Convert.ToHexStringLower(SHA256.HashData(manifest.ToUtf8Bytes())),
        };
        foreach (StaticAsset asset in manifest.Assets.Values)
        {
            expected[asset.StoredPath] = asset.ContentHash;
            foreach (StaticAssetEncoding encoding in asset.Encodings)
            {
                expected[encoding.StoredPath] = encoding.ContentHash;
            }
        }

        foreach (Destination destination in s_destinations)
        {
            var listed = new List<string>();
            await foreach (StorageEntry entry in destination.Storage.ListAsync(options: new ListOptions { Recursive = true }, cancellationToken: Ct))
            {
                if (!entry.IsDirectory)
                {
                    listed.Add(entry.Name);
                }
            }

            listed.Sort(StringComparer.Ordinal);
            CollectionAssert.AreEqual(expected.Keys.ToArray(), listed, $"{destination.Name}: the stored objects are the manifest's files.");

            // Every object read back through the storage: its SHA-256 is the manifest's, hence the same in all three.
            var wrong = new ConcurrentBag<string>();
            await Parallel.ForEachAsync(expected, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct }, async (item, token) =>
            {
                byte[] bytes = await destination.Storage.ReadAllBytesAsync(item.Key, token);
                if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != item.Value)
                {
                    wrong.Add(item.Key);
                }
            });
            Assert.IsEmpty(wrong, $"{destination.Name}: {wrong.Count} object(s) with other bytes: {string.Join(", ", wrong.Order(StringComparer.Ordinal).Take(20))}");
        }

        TestContext.WriteLine($"{expected.Count} objects compared in {s_destinations.Length} storages");
    }

    [TestMethod]
    public async Task The_object_stores_keep_the_manifest_content_types()
    {
        StaticAssetManifest manifest = s_destinations[0].First.Manifest;
        foreach (Destination destination in s_destinations.Where(d => d.Storage is not FileSystemStorage))
        {
            var wrong = new ConcurrentBag<string>();
            await Parallel.ForEachAsync(manifest.Assets.Values, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct }, async (asset, token) =>
            {
                StorageObjectInfo info = await destination.Storage.GetInfoAsync(asset.StoredPath, token);
                if (info.ContentType != asset.ContentType || info.Length != asset.Length)
                {
                    wrong.Add($"{asset.StoredPath}: {info.ContentType} {info.Length}, manifest {asset.ContentType} {asset.Length}");
                }
            });
            Assert.IsEmpty(wrong, $"{destination.Name}:{Environment.NewLine}{string.Join(Environment.NewLine, wrong.Take(20))}");

            StorageObjectInfo manifestInfo = await destination.Storage.GetInfoAsync(StaticAssetManifest.DefaultName, Ct);
            Assert.AreEqual("application/json", manifestInfo.ContentType, destination.Name);
            Assert.AreEqual("no-cache", manifestInfo.CacheControl, destination.Name);
        }
    }

    [TestMethod]
    public void A_second_collect_uploads_nothing()
    {
        foreach (Destination destination in s_destinations)
        {
            Assert.AreEqual(0, destination.Second.Copied, $"{destination.Name}: the second collect uploaded files.");
            Assert.AreEqual(destination.First.Copied, destination.Second.Unmodified, $"{destination.Name}: every file of the first collect is found unmodified.");
            Assert.AreEqual(destination.First.Manifest.Hash, destination.Second.Manifest.Hash, destination.Name);
        }
    }
}
