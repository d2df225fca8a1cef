using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Wharf.StaticManifest.Collecting;
using Wharf.StaticManifest.Tests.Runtime;
using Wharf.Storage;

namespace Wharf.StaticManifest.Tests;

/// <summary>
/// What the collect cache must never do: take a changed file for unchanged (npm's fixed modification times), survive a
/// stale or corrupt entry by publishing something a collect without it would not, trust a destination a failed collect
/// changed, or fail a collect that is done. Each result is compared with a collect without a cache into a fresh
/// destination.
/// </summary>
[TestClass]
public sealed class CollectCacheSafetyTests : CollectorTestBase
{
    /// <summary>The modification time npm gives every file it installs.</summary>
    private static readonly DateTime NpmTime = new(1985, 10, 26, 8, 15, 0, DateTimeKind.Utc);

    [TestMethod]
    [DataRow(true, DisplayName = "npm's 1985-10-26 on every file")]
    [DataRow(false, DisplayName = "one time ten minutes ago on every file")]
    public async Task A_same_length_replacement_with_its_old_modification_time_is_noticed(bool npm)
    {
        string source = Folder();
        Write(source, "css/app.css", "@import \"theme.css\";\nbody { background: url(../img/logo.png) }\n");
        Write(source, "css/theme.css", "p { color: red }\n");
        Write(source, "img/logo.png", "PNG-1111");
        Write(source, "img/icon.svg", "<svg>AAAA</svg>");
        DateTime time = npm ? NpmTime : new DateTime(DateTime.UtcNow.AddMinutes(-10).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        SetAllWriteTimes(source, time);
        await SettleAsync();
        string cache = CacheFile();
        (IStorage storage, string root) = Destination();
        CollectResult first = await Collect(storage, source, o => o.CacheFile = cache);
        Assert.IsTrue(Contains(await File.ReadAllBytesAsync(cache, Ct), BitConverter.GetBytes(time.Ticks)), "The cache trusts the files' times (the test would prove nothing otherwise).");

        // Same lengths, same modification times: only the change time tells.
        ReplaceKeepingWriteTime(source, "css/theme.css", "p { color: tan }\n");
        ReplaceKeepingWriteTime(source, "img/logo.png", "PNG-2222");
        ReplaceKeepingWriteTime(source, "img/icon.svg", "<svg>BBBB</svg>");
        CollectResult second = await Collect(storage, source, o => o.CacheFile = cache);

        (IStorage fresh, string freshRoot) = Destination();
        await Collect(fresh, source);
        CollectionAssert.AreEqual(Manifest(freshRoot), Manifest(root), "The manifest is the one a collect without the cache writes.");
        foreach (string changed in (string[])["css/theme.css", "img/logo.png", "img/icon.svg", "css/app.css"])
        {
            Assert.AreNotEqual(first.Manifest.Paths[changed], second.Manifest.Paths[changed], $"{changed} has a new fingerprint.");
        }

        Assert.AreEqual("p { color: tan }\n", await File.ReadAllTextAsync(Path.Join(root, second.Manifest.Paths["css/theme.css"]), Ct));
        Assert.AreEqual("PNG-2222", await File.ReadAllTextAsync(Path.Join(root, second.Manifest.Paths["img/logo.png"]), Ct));
        Assert.AreEqual("<svg>BBBB</svg>", await File.ReadAllTextAsync(Path.Join(root, second.Manifest.Paths["img/icon.svg"]), Ct));
        Assert.AreEqual("PNG-2222", await File.ReadAllTextAsync(Path.Join(root, "img/logo.png"), Ct), "The original name holds the new content.");
        StringAssert.Contains(await File.ReadAllTextAsync(Path.Join(root, second.Manifest.Paths["css/app.css"]), Ct), Path.GetFileName(second.Manifest.Paths["css/theme.css"]), StringComparison.Ordinal);
        AssertHoldsManifest(root);
    }

    [TestMethod]
    public async Task Temporary_cache_files_a_killed_collect_left_are_swept_and_a_running_ones_are_not()
    {
        string source = Folder();
        Write(source, "css/site.css", "body { color: red }");
        string cacheFolder = Folder();
        string cache = Path.Join(cacheFolder, "collect.cache");
        string abandoned = Path.Join(cacheFolder, ".collect.cache.0123456789abcdef.tmp");
        string running = Path.Join(cacheFolder, ".collect.cache.fedcba9876543210.tmp");
        string unrelated = Path.Join(cacheFolder, ".other.cache.0123456789abcdef.tmp");
        foreach (string file in new[] { abandoned, running, unrelated })
        {
            await File.WriteAllTextAsync(file, "partial", Ct);
        }

        File.SetLastWriteTimeUtc(abandoned, DateTime.UtcNow - TimeSpan.FromHours(2));
        File.SetLastWriteTimeUtc(unrelated, DateTime.UtcNow - TimeSpan.FromHours(2));

        (IStorage storage, _) = Destination();
        await Collect(storage, source, o => o.CacheFile = cache);

        Assert.IsTrue(File.Exists(cache));
        Assert.IsFalse(File.Exists(abandoned), "A temporary file of this cache, hours old: a killed collect's.");
        Assert.IsTrue(File.Exists(running), "A fresh one may be another collect's, still writing.");
        Assert.IsTrue(File.Exists(unrelated), "Another cache's files are not this one's to sweep.");
    }

    [TestMethod]
    public async Task A_found_file_has_a_change_time_that_a_replacement_changes_even_with_its_old_modification_time()
    {
        // The change time is ctime, read with statx, on Linux only; elsewhere it is the creation time, which Windows
        // carries over to a file renamed over another (file system tunneling).
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("The change time is the status-change time on Linux only.");
        }

        string source = Folder();
        Write(source, "lib/a.png", "1111");
        File.SetLastWriteTimeUtc(Path.Join(source, "lib", "a.png"), NpmTime);
        FoundFile before = StaticFileFinder.Find([source], []).Files.Single();
        Assert.AreEqual(NpmTime, before.LastWriteTimeUtc);
        Assert.AreNotEqual(default, before.ChangeTimeUtc);
        Assert.IsLessThan(TimeSpan.FromMinutes(1), (DateTime.UtcNow - before.ChangeTimeUtc).Duration(), "The change time is when the file was written, whatever its modification time says.");

        await Task.Delay(50, Ct); // past the kernel's coarse clock tick
        ReplaceKeepingWriteTime(source, "lib/a.png", "2222");
        FoundFile after = StaticFileFinder.Find([source], []).Files.Single();
        Assert.AreEqual(before.LastWriteTimeUtc, after.LastWriteTimeUtc);
        Assert.AreEqual(before.Length, after.Length);
        Assert.IsGreaterThan(before.ChangeTimeUtc, after.ChangeTimeUtc);
    }

    [TestMethod]
    [DataRow(true, DisplayName = "a CSS file with references")]
    [DataRow(false, DisplayName = "a CSS file without references")]
    public async Task A_stale_cache_entry_collects_again_without_the_cache(bool withReferences)
    {
        string source = Folder();
        string css = withReferences ? "body { background: url(../img/logo.png) }\n" : "p { color: red }\n";
        Write(source, "css/site.css", css);
        Write(source, "css/other.css", "a { color: blue }\n");
        Write(source, "img/logo.png", "PNG");
        SetAllWriteTimes(source, DateTime.UtcNow.AddMinutes(-10));
        await SettleAsync();
        string cache = CacheFile();
        (IStorage storage, string root) = Destination();
        await Collect(storage, source, o => o.CacheFile = cache);

        // The cached source hash of the unchanged site.css is wrong: its first digit, so its fingerprint is wrong too
        // (a wrong digit past the fingerprint, with nothing to upload and the file without references, is never read).
        string hash = Sha256(css);
        byte[] bytes = await File.ReadAllBytesAsync(cache, Ct);
        int at = IndexOf(bytes, Encoding.ASCII.GetBytes(hash));
        Assert.IsGreaterThanOrEqualTo(0, at, "The cache holds site.css's hash.");
        Assert.AreEqual(-1, IndexOf(bytes.AsSpan(at + 1), Encoding.ASCII.GetBytes(hash)), "Once.");
        bytes[at] = (byte)(bytes[at] == '0' ? '1' : '0');
        string wrong = Encoding.ASCII.GetString(bytes, at, hash.Length);
        await File.WriteAllBytesAsync(cache, bytes, Ct);

        var logs = new LogCollector();
        CollectResult result = await CollectLogged(storage, source, cache, logs);

        (IStorage fresh, string freshRoot) = Destination();
        CollectResult reference = await Collect(fresh, source);
        CollectionAssert.AreEqual(reference.Manifest.ToUtf8Bytes(), result.Manifest.ToUtf8Bytes());
        CollectionAssert.AreEqual(Manifest(freshRoot), Manifest(root));
        AssertSameTree(freshRoot, root);
        Assert.IsTrue(logs.Messages(LogLevel.Warning).Any(m => m.Contains("collecting again without it", StringComparison.Ordinal)), string.Join("\n", logs.Messages(LogLevel.Warning)));

        // The collect without the cache wrote it again, right: the next one uses it, and finds nothing to do.
        byte[] rewritten = await File.ReadAllBytesAsync(cache, Ct);
        Assert.IsGreaterThanOrEqualTo(0, IndexOf(rewritten, Encoding.ASCII.GetBytes(hash)));
        Assert.AreEqual(-1, IndexOf(rewritten, Encoding.ASCII.GetBytes(wrong)));
        var nextLogs = new LogCollector();
        CollectResult next = await CollectLogged(storage, source, cache, nextLogs);
        Assert.IsEmpty(nextLogs.Messages(LogLevel.Warning));
        Assert.AreEqual(0, next.Copied);
        CollectionAssert.AreEqual(reference.Manifest.ToUtf8Bytes(), next.Manifest.ToUtf8Bytes());
        AssertSameTree(freshRoot, root);
    }

    [TestMethod]
    public async Task Two_files_under_one_stored_name_are_refused_before_anything_is_written()
    {
        string source = Folder();
        const string css = "body { color: red }\n";
        Write(source, "app.css", css);
        Write(source, "other.css", "p { color: blue }\n");
        string collision = $"app.{Sha256(css)[..12]}.css";
        Write(source, collision, css); // a previous collect's output, copied into the source

        (IStorage empty, string emptyRoot) = Destination();
        var refused = await Assert.ThrowsAsync<StaticManifestException>(() => Collect(empty, source));
        StringAssert.Contains(refused.Message, "'app.css'", StringComparison.Ordinal);
        StringAssert.Contains(refused.Message, $"'{collision}'", StringComparison.Ordinal);
        Assert.IsEmpty(Directory.GetFileSystemEntries(emptyRoot), "Nothing is written: no file, no manifest.");

        // A previous deployment stays as it was, with its manifest.
        string previousSource = Folder();
        Write(previousSource, "app.css", "body { color: green }\n");
        Write(previousSource, "other.css", "p { color: blue }\n");
        (IStorage deployed, string deployedRoot) = Destination();
        string cache = CacheFile();
        await Collect(deployed, previousSource, o => o.CacheFile = cache);
        Dictionary<string, byte[]> before = Snapshot(deployedRoot);
        await Assert.ThrowsAsync<StaticManifestException>(() => Collect(deployed, source));
        await Assert.ThrowsAsync<StaticManifestException>(() => Collect(deployed, source, o => o.CacheFile = cache));
        AssertSameTree(before, Snapshot(deployedRoot));
    }

    [TestMethod]
    [DataRow(true, DisplayName = "with a cache file")]
    [DataRow(false, DisplayName = "without a cache file (the destination is listed)")]
    public async Task A_collect_that_failed_before_its_manifest_then_a_revert_publishes_the_original_names_again(bool withCache)
    {
        string source = Folder();
        string reverted = string.Concat(Enumerable.Repeat("The notes of deployment N, long enough to be compressed.\n", 20));
        Write(source, "notes.txt", reverted);
        Write(source, "css/site.css", "body { background: url(../img/logo.png) }\n");
        Write(source, "img/logo.png", "PNG");
        string? cache = withCache ? CacheFile() : null;
        (IStorage storage, string root) = Destination();
        CollectResult deployed = await Collect(storage, source, o => o.CacheFile = cache);
        byte[] manifest = Manifest(root);

        // Collect N+1 overwrites notes.txt (and its variants), then cannot write its manifest.
        await Task.Delay(50, Ct); // a later time than the manifest's, whatever the file system's clock tick
        // The same length: only the content hash tells the destination's file from N's.
        string failed = string.Concat(Enumerable.Repeat("The notes of a failed collect, long enough to compress!!\n", 20));
        Assert.AreEqual(reverted.Length, failed.Length);
        Write(source, "notes.txt", failed);
        var failing = FailingStorage.OnName(storage, StaticAssetManifest.DefaultName);
        await Assert.ThrowsAsync<StorageUnavailableException>(() => Collect(failing, source, o => o.CacheFile = cache));
        Assert.AreEqual(failed, await File.ReadAllTextAsync(Path.Join(root, "notes.txt"), Ct), "The failed collect overwrote the original name.");
        CollectionAssert.AreEqual(manifest, Manifest(root), "The manifest is N's.");

        // The source goes back to N's: the destination's original name must too.
        Write(source, "notes.txt", reverted);
        CollectResult again = await Collect(storage, source, o => o.CacheFile = cache);
        CollectionAssert.AreEqual(deployed.Manifest.ToUtf8Bytes(), again.Manifest.ToUtf8Bytes());
        CollectionAssert.AreEqual(manifest, Manifest(root));
        Assert.AreEqual(reverted, await File.ReadAllTextAsync(Path.Join(root, "notes.txt"), Ct));
        AssertHoldsManifest(root);

        if (withCache)
        {
            // And the cache saved by that collect is right too.
            CollectResult next = await Collect(storage, source, o => o.CacheFile = cache);
            Assert.AreEqual(0, next.Copied);
            AssertHoldsManifest(root);
        }
    }

    [TestMethod]
    [DataRow(int.MaxValue)]
    [DataRow(1 << 30)]
    [DataRow(-1)]
    public async Task A_cache_with_an_impossible_count_is_ignored(int count)
    {
        string source = Folder();
        Write(source, "css/site.css", "body { background: url(../img/logo.png) }\n");
        Write(source, "img/logo.png", "PNG");
        string cache = CacheFile();
        (IStorage storage, string root) = Destination();
        CollectResult first = await Collect(storage, source, o => o.CacheFile = cache);

        byte[] bytes = await File.ReadAllBytesAsync(cache, Ct);
        BitConverter.TryWriteBytes(bytes.AsSpan(FirstCountOffset(bytes), sizeof(int)), count);
        await File.WriteAllBytesAsync(cache, bytes, Ct);
        CollectResult result = await Collect(storage, source, o => o.CacheFile = cache);
        CollectionAssert.AreEqual(first.Manifest.ToUtf8Bytes(), result.Manifest.ToUtf8Bytes());
        AssertHoldsManifest(root);
    }

    [TestMethod]
    public async Task A_truncated_cache_is_ignored()
    {
        string source = Folder();
        Write(source, "css/site.css", "body { background: url(../img/logo.png) }\n");
        Write(source, "img/logo.png", "PNG");
        Write(source, "js/app.js", "import { x } from './lib.js';\n");
        Write(source, "js/lib.js", "export const x = 1;\n");
        SetAllWriteTimes(source, NpmTime);
        await SettleAsync();
        string cache = CacheFile();
        (IStorage storage, string root) = Destination();
        CollectResult first = await Collect(storage, source, o => o.CacheFile = cache);
        byte[] whole = await File.ReadAllBytesAsync(cache, Ct);

        int countAt = FirstCountOffset(whole);
        foreach (int cut in (int[])[0, 1, countAt, countAt + 2, whole.Length / 2, whole.Length - 9, whole.Length - 1])
        {
            await File.WriteAllBytesAsync(cache, whole[..cut], Ct);
            CollectResult result = await Collect(storage, source, o => o.CacheFile = cache);
            CollectionAssert.AreEqual(first.Manifest.ToUtf8Bytes(), result.Manifest.ToUtf8Bytes(), $"Cut at {cut} of {whole.Length}.");
        }

        AssertHoldsManifest(root);
    }

    [TestMethod]
    public async Task A_cache_that_cannot_be_written_does_not_fail_a_finished_collect()
    {
        string source = Folder();
        Write(source, "css/site.css", string.Concat(Enumerable.Repeat(".selector { background: url(../img/logo.png) }\n", 20)));
        Write(source, "img/logo.png", "PNG");
        Write(source, "js/app.js", string.Concat(Enumerable.Repeat("export const answer = 42;\n", 20)));

        // The cache's folder is a file: nothing can be created in it (permissions would not stop root).
        string notAFolder = Path.Join(Folder(), "not-a-folder");
        await File.WriteAllTextAsync(notAFolder, "a file", Ct);
        string cache = Path.Join(notAFolder, "collect.cache");

        (IStorage storage, string root) = Destination();
        var logs = new LogCollector();
        CollectResult result = await CollectLogged(storage, source, cache, logs);
        (IStorage fresh, string freshRoot) = Destination();
        await Collect(fresh, source);
        CollectionAssert.AreEqual(Manifest(freshRoot), Manifest(root));
        AssertSameTree(freshRoot, root);
        AssertHoldsManifest(root);
        Assert.IsGreaterThan(0, result.Compressed);
        string[] warnings = [.. logs.Messages(LogLevel.Warning)];
        Assert.IsTrue(warnings.Any(m => m.Contains(cache, StringComparison.Ordinal) && m.Contains("could not be written", StringComparison.Ordinal)), string.Join("\n", warnings));
        Assert.IsTrue(warnings.Any(m => m.Contains(cache + ".variants", StringComparison.Ordinal)), "The precompression cache beside it cannot be written either: " + string.Join("\n", warnings));
        Assert.AreEqual("a file", await File.ReadAllTextAsync(notAFolder, Ct));
    }

    private async Task<CollectResult> CollectLogged(IStorage storage, string source, string cache, LogCollector logs)
    {
        var options = new StaticCollectOptions { CacheFile = cache };
        options.Sources.Add(source);
        using ILoggerFactory factory = logs.CreateFactory();
        return await new StaticCollector(storage, options, factory.CreateLogger<StaticCollector>()).CollectAsync(cancellationToken: Ct);
    }

    /// <summary>A cache file path in a new temp folder.</summary>
    private string CacheFile() => Path.Join(Folder(), "collect.cache");

    /// <summary>
    /// Waits past the cache's racy window (two seconds): the change time of a file just written cannot be set back, and
    /// the cache does not trust a file changed less than that before the collect started.
    /// </summary>
    private Task SettleAsync() => Task.Delay(TimeSpan.FromSeconds(2.2), Ct);

    private static void SetAllWriteTimes(string root, DateTime time)
    {
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, time);
        }
    }

    /// <summary>Replaces a file as a package manager does (a new file renamed over it), then gives it the old modification time.</summary>
    private static void ReplaceKeepingWriteTime(string root, string relative, string content)
    {
        string path = Path.Join(root, relative);
        var old = new FileInfo(path);
        (DateTime time, long length) = (old.LastWriteTimeUtc, old.Length);
        string temporary = Path.Join(Path.GetDirectoryName(path), ".replace-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
        File.SetLastWriteTimeUtc(path, time);
        var replaced = new FileInfo(path);
        Assert.AreEqual(time, replaced.LastWriteTimeUtc);
        Assert.AreEqual(length, replaced.Length, "The replacement has the same length.");
    }

    /// <summary>Where a cache file's first count (of source entries) is: after its magic, version and key.</summary>
    private static int FirstCountOffset(byte[] cache)
    {
        using var reader = new BinaryReader(new MemoryStream(cache), Encoding.UTF8);
        reader.ReadString();
        reader.ReadInt32();
        reader.ReadString();
        return (int)reader.BaseStream.Position;
    }

    private static byte[] Manifest(string root) => File.ReadAllBytes(Path.Join(root, StaticAssetManifest.DefaultName));

    /// <summary>Every file and variant the destination's manifest lists is there with the length and hash it says.</summary>
    private static void AssertHoldsManifest(string root)
    {
        StaticAssetManifest manifest = StaticAssetManifest.Parse(Manifest(root));
        foreach (StaticAsset asset in manifest.Assets.Values)
        {
            Check(asset.StoredPath, asset.Length, asset.ContentHash);
            foreach (StaticAssetEncoding encoding in asset.Encodings)
            {
                Check(encoding.StoredPath, encoding.Length, encoding.ContentHash);
            }
        }

        void Check(string stored, long length, string hash)
        {
            byte[] bytes = File.ReadAllBytes(Path.Join(root, stored));
            Assert.AreEqual(length, bytes.Length, stored);
            Assert.AreEqual(hash, Convert.ToHexStringLower(SHA256.HashData(bytes)), stored);
        }
    }

    private static Dictionary<string, byte[]> Snapshot(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(root, f), File.ReadAllBytes, StringComparer.Ordinal);

    private static void AssertSameTree(string expectedRoot, string actualRoot) => AssertSameTree(Snapshot(expectedRoot), Snapshot(actualRoot));

    private static void AssertSameTree(Dictionary<string, byte[]> expected, Dictionary<string, byte[]> actual)
    {
        CollectionAssert.AreEquivalent(expected.Keys.ToArray(), actual.Keys.ToArray());
        foreach ((string name, byte[] bytes) in expected)
        {
            CollectionAssert.AreEqual(bytes, actual[name], name);
        }
    }

    private static string Sha256(string content) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    private static bool Contains(byte[] bytes, byte[] pattern) => IndexOf(bytes, pattern) >= 0;

    private static int IndexOf(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> pattern) => bytes.IndexOf(pattern);
}
