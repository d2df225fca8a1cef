using System.Collections.Concurrent;
using System.Text;
using Wharf.StaticManifest.Collecting;
using Wharf.StaticManifest.Compression;
using Wharf.Storage;

namespace Wharf.StaticManifest.Tests;

/// <summary>
/// A collect run again on the same collector (as a watcher or a long-lived service does) processes only what changed
/// and the files that refer to it, and leaves exactly what a full collect of the same sources would: the same
/// manifest bytes, the same files, the same counts and reports.
/// </summary>
[TestClass]
public sealed class CollectorStateTests : CollectorTestBase
{
    /// <summary>
    /// Shorter than the default two seconds so that files a test wrote a moment ago count as settled, and longer than
    /// any file-system timestamp tick, so that a rewrite after a collect always shows in the file's times.
    /// </summary>
    private static readonly TimeSpan TestRacyWindow = TimeSpan.FromMilliseconds(50);

    private static StaticCollectOptions Options(string source, Action<StaticCollectOptions>? configure = null)
    {
        var options = new StaticCollectOptions
        {
            MissingReferences = MissingReferenceMode.Lenient,
            Compression = new PrecompressionOptions { BrotliQuality = 5, GzipLevel = 6, MinimumLength = 64 },
        };
        options.Sources.Add(source);
        configure?.Invoke(options);
        return options;
    }

    private static StaticCollector Collector(IStorage storage, StaticCollectOptions options) => new(storage, options) { RacyWindow = TestRacyWindow };

    /// <summary>A small tree: a stylesheet that refers to an image.</summary>
    private string SiteSource()
    {
        string source = Folder();
        Write(source, "css/site.css", ".a { background: url(../img/a.png) }");
        Write(source, "img/a.png", "png-a");
        return source;
    }

    /// <summary>
    /// Collects the same sources in full, with a new collector, into a new destination, and checks that
    /// <paramref name="root"/> has the same manifest bytes and every file the full collect wrote, byte for byte.
    /// </summary>
    /// <returns>The full collect's result.</returns>
    private async Task<CollectResult> AssertAsAFullCollectLeaves(string root, StaticCollectOptions options, string context = "")
    {
        (IStorage freshStorage, string freshRoot) = Destination();
        CollectResult full = await new StaticCollector(freshStorage, options).CollectAsync(cancellationToken: Ct);
        Assert.AreEqual(File.ReadAllText(Path.Join(freshRoot, "staticfiles.json")), File.ReadAllText(Path.Join(root, "staticfiles.json")), context);
        foreach (string file in Directory.EnumerateFiles(freshRoot, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(freshRoot, file);
            string published = Path.Join(root, relative);
            Assert.IsTrue(File.Exists(published), $"{context}: {relative} is missing");
            CollectionAssert.AreEqual(File.ReadAllBytes(file), File.ReadAllBytes(published), $"{context}: {relative} differs");
        }

        return full;
    }

    [TestMethod]
    public async Task A_collect_again_with_nothing_changed_writes_nothing_and_does_not_list_the_destination()
    {
        string source = Folder();
        Write(source, "css/site.css", ".a { background: url(../img/a.png) }\n" + new string('x', 200));
        Write(source, "img/a.png", "png-bytes");
        (IStorage inner, _) = Destination();
        var saved = new ConcurrentQueue<string>();
        var storage = FailingStorage.Observing(inner, saved);
        StaticCollector collector = Collector(storage, Options(source));

        CollectResult first = await collector.CollectAsync(cancellationToken: Ct);
        saved.Clear();
        int listings = storage.Listings;
        CollectResult again = await collector.CollectAsync(cancellationToken: Ct);

        Assert.IsEmpty(saved, string.Join(", ", saved));
        Assert.AreEqual(listings, storage.Listings, "a collect again on the same collector trusts what it published");
        Assert.AreEqual(0, again.Copied);
        Assert.AreEqual(first.Copied + first.Unmodified, again.Unmodified);
        Assert.AreEqual(first.Found, again.Found);
        Assert.AreEqual(first.PostProcessed, again.PostProcessed);
        Assert.AreEqual(first.Compressed, again.Compressed);
        CollectionAssert.AreEqual(first.Manifest.Assets.Keys.Order().ToArray(), again.Manifest.Assets.Keys.Order().ToArray());
    }

    [TestMethod]
    public async Task A_changed_image_republishes_it_and_the_files_that_refer_to_it_and_nothing_else()
    {
        string source = Folder();
        Write(source, "css/uses.css", ".a { background: url(../img/a.png) }");
        Write(source, "css/imports-uses.css", "@import \"uses.css\";");
        Write(source, "css/other.css", ".b { background: url(../img/b.png) }");
        Write(source, "img/a.png", "png-a");
        Write(source, "img/b.png", "png-b");
        (IStorage inner, _) = Destination();
        var saved = new ConcurrentQueue<string>();
        StaticCollector collector = Collector(FailingStorage.Observing(inner, saved), Options(source, o => o.Precompress = false));
        await collector.CollectAsync(cancellationToken: Ct);
        await Task.Delay(TestRacyWindow * 2, Ct);
        saved.Clear();

        Write(source, "img/a.png", "png-a, changed");
        CollectResult result = await collector.CollectAsync(cancellationToken: Ct);

        // The image (its fingerprinted file and original) and the two files that refer to it, directly or through an
        // import, get new fingerprinted files; their originals are their unchanged sources, so they stay.
        string[] names = [.. saved.Order(StringComparer.Ordinal)];
        Assert.HasCount(5, names, string.Join(", ", names));
        Assert.AreEqual("img/a.png", names.Single(n => !IsFingerprinted(n) && n != "staticfiles.json"));
        CollectionAssert.AreEquivalent(new[] { "css/imports-uses", "css/uses", "img/a" }, names.Where(IsFingerprinted).Select(n => n[..n.IndexOf('.', StringComparison.Ordinal)]).ToArray());
        Assert.AreEqual(4, result.Copied);
    }

    [TestMethod]
    [DataRow(20251121, false)]
    [DataRow(7, false)]
    [DataRow(1234567, false)]
    [DataRow(20251121, true)]
    [DataRow(99, true)]
    public async Task After_every_random_change_a_collect_again_leaves_what_a_full_collect_leaves(int seed, bool toldWhatChanged)
    {
        var random = new Random(seed);
        string source = Folder();
        var tree = new RandomTree(source, random);
        tree.Populate();
        (IStorage inner, string root) = Destination();
        var storage = FailingStorage.Observing(inner, new ConcurrentQueue<string>());
        StaticCollector collector = Collector(storage, Options(source));
        await collector.CollectAsync(cancellationToken: Ct);

        for (int step = 0; step < 40; step++)
        {
            // Told what changed (as a watcher tells it), the collect looks only at those files when no file was
            // added, removed or renamed; otherwise it walks the sources.
            string change = tree.Change(out string? changedFile);
            CollectResult again = toldWhatChanged
                ? changedFile is null ? await collector.CollectAsync(cancellationToken: Ct) : await collector.CollectChangesAsync([changedFile], cancellationToken: Ct)
                : await collector.CollectAsync(cancellationToken: Ct);

            string context = $"seed {seed}{(toldWhatChanged ? " (told)" : "")}, step {step}: {change}";
            CollectResult full = await AssertAsAFullCollectLeaves(root, Options(source), context);

            Assert.AreEqual(full.Found, again.Found, context);
            Assert.AreEqual(full.PostProcessed, again.PostProcessed, context);
            Assert.AreEqual(full.Compressed, again.Compressed, context);
            Assert.AreEqual(full.Copied + full.Unmodified, again.Copied + again.Unmodified, context);
            CollectionAssert.AreEqual(full.Missing.Select(m => m.ToString()).ToArray(), again.Missing.Select(m => m.ToString()).ToArray(), context);
        }

        Assert.AreEqual(1, storage.Listings, "only the first collect lists the destination");
    }

    [TestMethod]
    public async Task Told_a_file_two_overlapping_sources_both_find_the_collect_updates_both_logical_paths()
    {
        string source = Folder();
        Write(source, "sub/x.css", ".x { color: red }");
        Write(source, "site.css", "@import \"sub/x.css\";");
        (IStorage storage, string root) = Destination();
        StaticCollectOptions options = Options(source, o => o.Sources.Add(Path.Join(source, "sub")));
        StaticCollector collector = Collector(storage, options);
        CollectResult first = await collector.CollectAsync(cancellationToken: Ct);
        await Task.Delay(TestRacyWindow * 2, Ct);

        Write(source, "sub/x.css", ".x { color: blue }");
        CollectResult again = await collector.CollectChangesAsync([Path.Join(source, "sub", "x.css")], cancellationToken: Ct);

        Assert.AreEqual(3, first.Found, "sub/x.css, site.css, and x.css from the second source");
        await AssertAsAFullCollectLeaves(root, Options(source, o => o.Sources.Add(Path.Join(source, "sub"))));
        Assert.AreNotEqual(first.Manifest.Paths["x.css"], again.Manifest.Paths["x.css"]);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public async Task Told_about_another_file_the_collect_still_sees_changes_reached_through_links(bool linkedFolder)
    {
        string source = Folder();
        string outside = Folder();
        Write(source, "css/site.css", ".a { color: red }");
        if (linkedFolder)
        {
            // A folder reached through a link (an npm workspace, a vendored checkout): no watcher event names its files.
            Write(outside, "vendor.css", ".v { color: red }");
            Directory.CreateSymbolicLink(Path.Join(source, "vendor"), outside);
        }
        else
        {
            // A link to a file: writing the target does not name the link.
            Write(source, "js/v2.js", "export const v = 2;");
            File.CreateSymbolicLink(Path.Join(source, "js", "latest.js"), "v2.js");
        }

        (IStorage storage, string root) = Destination();
        StaticCollector collector = Collector(storage, Options(source));
        await collector.CollectAsync(cancellationToken: Ct);
        await Task.Delay(TestRacyWindow * 2, Ct);

        if (linkedFolder)
        {
            Write(outside, "vendor.css", ".v { color: blue }");
        }
        else
        {
            Write(source, "js/v2.js", "export const v = 3;");
        }

        Write(source, "css/site.css", ".a { color: blue }");
        await collector.CollectChangesAsync([Path.Join(source, "css", "site.css")], cancellationToken: Ct);

        await AssertAsAFullCollectLeaves(root, Options(source));
    }

    [TestMethod]
    public async Task Told_about_a_file_that_is_now_a_folder_the_collect_walks_the_sources()
    {
        // Only fingerprinted names are published, so the destination has room for a folder named img/a.png.
        string source = SiteSource();
        (IStorage storage, string root) = Destination();
        StaticCollector collector = Collector(storage, Options(source, o => o.KeepOriginals = false));
        await collector.CollectAsync(cancellationToken: Ct);

        File.Delete(Path.Join(source, "img/a.png"));
        Write(source, "img/a.png/inside.png", "png-inside");
        CollectResult again = await collector.CollectChangesAsync([Path.Join(source, "img/a.png")], cancellationToken: Ct);

        Assert.IsTrue(again.Manifest.Paths.ContainsKey("img/a.png/inside.png"));
        Assert.IsFalse(again.Manifest.Paths.ContainsKey("img/a.png"));
        await AssertAsAFullCollectLeaves(root, Options(source, o => o.KeepOriginals = false));
    }

    [TestMethod]
    public async Task A_destination_another_collect_changed_is_collected_in_full()
    {
        string source = SiteSource();
        (IStorage inner, string root) = Destination();
        var storage = FailingStorage.Observing(inner, new ConcurrentQueue<string>());
        StaticCollector collector = Collector(storage, Options(source));
        await collector.CollectAsync(cancellationToken: Ct);

        // Another machine collects other sources into the same destination.
        string other = Folder();
        Write(other, "css/site.css", ".a { color: red }");
        await new StaticCollector(inner, Options(other)).CollectAsync(cancellationToken: Ct);
        int listings = storage.Listings;
        await collector.CollectAsync(cancellationToken: Ct);

        Assert.AreEqual(listings + 1, storage.Listings, "the destination is not the one this collector left: it is listed");
        await AssertAsAFullCollectLeaves(root, Options(source));
    }

    [TestMethod]
    public async Task A_collect_that_failed_midway_makes_the_next_one_collect_in_full()
    {
        string source = SiteSource();
        (IStorage inner, string root) = Destination();
        bool outage = false;
        var storage = new FailingStorage(inner, (_, _) => outage);
        StaticCollector collector = Collector(storage, Options(source));
        await collector.CollectAsync(cancellationToken: Ct);

        Write(source, "img/a.png", "png-a, changed");
        outage = true;
        await Assert.ThrowsExactlyAsync<StorageUnavailableException>(() => collector.CollectAsync(cancellationToken: Ct));
        outage = false;
        int listings = storage.Listings;
        await collector.CollectAsync(cancellationToken: Ct);

        Assert.AreEqual(listings + 1, storage.Listings, "after a failure the destination is listed again");
        await AssertAsAFullCollectLeaves(root, Options(source));
    }

    [TestMethod]
    public async Task Options_changed_between_collects_on_one_collector_give_a_full_collect()
    {
        string source = SiteSource();
        (IStorage storage, string root) = Destination();
        StaticCollectOptions options = Options(source);
        StaticCollector collector = Collector(storage, options);
        await collector.CollectAsync(cancellationToken: Ct);

        options.StaticUrl = "/assets/";
        options.KeepOriginals = false;
        await collector.CollectAsync(cancellationToken: Ct);

        await AssertAsAFullCollectLeaves(root, Options(source, o => { o.StaticUrl = "/assets/"; o.KeepOriginals = false; }));
    }

    [TestMethod]
    public async Task A_strict_collect_again_that_finds_a_missing_reference_writes_nothing_and_a_fix_collects()
    {
        string source = SiteSource();
        (IStorage inner, string root) = Destination();
        var saved = new ConcurrentQueue<string>();
        StaticCollector collector = Collector(FailingStorage.Observing(inner, saved), Options(source, o => o.MissingReferences = MissingReferenceMode.Strict));
        await collector.CollectAsync(cancellationToken: Ct);
        string manifest = File.ReadAllText(Path.Join(root, "staticfiles.json"));
        saved.Clear();

        Write(source, "css/site.css", ".a { background: url(../img/gone.png) }");
        MissingReferencesException missing = await Assert.ThrowsExactlyAsync<MissingReferencesException>(() => collector.CollectAsync(cancellationToken: Ct));

        Assert.AreEqual("css/site.css", missing.Missing.Single().SourcePath);
        Assert.IsEmpty(saved);
        Assert.AreEqual(manifest, File.ReadAllText(Path.Join(root, "staticfiles.json")));
        Write(source, "img/gone.png", "png-gone");
        CollectResult fixedResult = await collector.CollectAsync(cancellationToken: Ct);
        Assert.IsTrue(fixedResult.Manifest.Assets.ContainsKey("img/gone.png"));
        StringAssert.Contains(File.ReadAllText(Path.Join(root, fixedResult.Manifest.Paths["css/site.css"])), "url(../" + fixedResult.Manifest.Paths["img/gone.png"] + ")");
    }

    [TestMethod]
    public async Task A_dry_run_on_a_collector_neither_uses_nor_drops_what_its_last_collect_left()
    {
        string source = Folder();
        Write(source, "img/a.png", "png-a");
        (IStorage inner, _) = Destination();
        var storage = FailingStorage.Observing(inner, new ConcurrentQueue<string>());
        StaticCollectOptions options = Options(source);
        StaticCollector collector = Collector(storage, options);
        await collector.CollectAsync(cancellationToken: Ct);

        options.DryRun = true;
        Write(source, "img/b.png", "png-b");
        CollectResult dry = await collector.CollectAsync(cancellationToken: Ct);
        options.DryRun = false;
        int listings = storage.Listings;
        CollectResult real = await collector.CollectAsync(cancellationToken: Ct);

        Assert.AreEqual(2, dry.Found);
        Assert.AreEqual(listings, storage.Listings, "the collect after the dry run still trusts the destination");
        Assert.IsTrue(real.Manifest.Assets.ContainsKey("img/b.png"));
    }

    [TestMethod]
    public async Task A_watch_collects_each_change_until_it_is_cancelled()
    {
        string source = SiteSource();
        (IStorage storage, string root) = Destination();
        await using var watch = new Watching(Collector(storage, Options(source)), reportFailures: false, Ct);

        CollectResult first = await watch.NextResultAsync();
        Write(source, "img/a.png", "png-a, changed");
        CollectResult changed = await watch.NextResultAsync();
        Write(source, "img/new.png", "png-new");
        CollectResult added = await watch.NextResultAsync(r => r.Manifest.Paths.ContainsKey("img/new.png"));
        await watch.StopAsync();

        Assert.AreNotEqual(first.Manifest.Paths["img/a.png"], changed.Manifest.Paths["img/a.png"]);
        string css = File.ReadAllText(Path.Join(root, changed.Manifest.Paths["css/site.css"]));
        StringAssert.Contains(css, "url(../" + changed.Manifest.Paths["img/a.png"] + ")");
        Assert.AreEqual(3, added.Found);
        Assert.IsTrue(watch.Task.IsCompletedSuccessfully, "a cancelled watch ends normally");
    }

    [TestMethod]
    public async Task A_watch_collects_an_editor_save_that_replaces_the_file_by_renaming_a_temporary_one()
    {
        string source = SiteSource();
        (IStorage storage, string root) = Destination();
        await using var watch = new Watching(Collector(storage, Options(source)), reportFailures: false, Ct);
        CollectResult first = await watch.NextResultAsync();

        // As vim, VS Code's safe write and many IDEs save: a new file beside it, renamed over it.
        string temporary = Path.Join(source, "css", ".site.css.tmp");
        File.WriteAllText(temporary, ".a { background: url(../img/a.png); color: red }");
        File.Move(temporary, Path.Join(source, "css", "site.css"), overwrite: true);
        await watch.NextResultAsync(saved => saved.Manifest.Paths["css/site.css"] != first.Manifest.Paths["css/site.css"]);
        await watch.StopAsync();

        await AssertAsAFullCollectLeaves(root, Options(source));
    }

    [TestMethod]
    public async Task A_watch_does_not_collect_for_files_the_collect_ignores()
    {
        string source = SiteSource();
        (IStorage storage, _) = Destination();
        await using var watch = new Watching(Collector(storage, Options(source, o => o.IgnorePatterns.Add("drafts"))), reportFailures: false, Ct);
        await watch.NextResultAsync();

        // An editor's swap file (a dotfile), and a file in an ignored folder.
        Write(source, "css/.site.css.swp", "swap");
        Write(source, "drafts/new.css", ".d { }");
        File.AppendAllText(Path.Join(source, "drafts/new.css"), ".e { }");
        await Task.Delay(StaticCollector.DefaultWatchQuietPeriod * 10, Ct);
        bool collectedForIgnored = watch.HasReport;
        Write(source, "img/a.png", "png-a, changed");
        CollectResult changed = await watch.NextResultAsync();
        await watch.StopAsync();

        Assert.IsFalse(collectedForIgnored, "changes to ignored files start no collect");
        Assert.AreEqual(2, changed.Found);
        Assert.AreEqual(3, changed.Copied, "the image's fingerprinted file and original, and the stylesheet's new fingerprinted file");
    }

    [TestMethod]
    public async Task A_watch_reports_a_failed_collect_and_goes_on()
    {
        string source = Folder();
        Write(source, "css/site.css", ".a { color: red }");
        (IStorage storage, _) = Destination();
        await using var watch = new Watching(Collector(storage, Options(source, o => o.MissingReferences = MissingReferenceMode.Strict)), reportFailures: true, Ct);

        Assert.IsInstanceOfType<CollectResult>(await watch.NextAsync());
        Write(source, "css/site.css", ".a { background: url(../img/missing.png) }");
        Assert.IsInstanceOfType<MissingReferencesException>(await watch.NextAsync());
        Write(source, "img/missing.png", "png");
        object recovered = await watch.NextAsync();
        await watch.StopAsync();

        Assert.IsInstanceOfType<CollectResult>(recovered, recovered.ToString());
        Assert.IsTrue(((CollectResult)recovered).Manifest.Assets.ContainsKey("img/missing.png"));
    }

    /// <summary>
    /// A collector's <see cref="StaticCollector.WatchAsync"/> running for a test: what it reports (results, and failures
    /// when asked) in order, each awaited with a timeout; stopped by <see cref="StopAsync"/> or when disposed.
    /// </summary>
    private sealed class Watching : IAsyncDisposable
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
        private readonly System.Threading.Channels.Channel<object> _reports = System.Threading.Channels.Channel.CreateUnbounded<object>();
        private readonly CancellationTokenSource _stop;
        private readonly CancellationToken _cancellationToken;

        public Watching(StaticCollector collector, bool reportFailures, CancellationToken cancellationToken)
        {
            _cancellationToken = cancellationToken;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task = collector.WatchAsync(r => _reports.Writer.TryWrite(r), reportFailures ? e => _reports.Writer.TryWrite(e) : null, cancellationToken: _stop.Token);
        }

        /// <summary>The watch.</summary>
        public Task Task { get; }

        /// <summary>Whether a report is waiting.</summary>
        public bool HasReport => _reports.Reader.TryPeek(out _);

        /// <summary>The next report: a <see cref="CollectResult"/>, or an exception when failures are reported.</summary>
        public async Task<object> NextAsync() => await _reports.Reader.ReadAsync(_cancellationToken).AsTask().WaitAsync(Timeout, _cancellationToken);

        /// <summary>The next result (the first that <paramref name="condition"/> accepts, when given).</summary>
        public async Task<CollectResult> NextResultAsync(Func<CollectResult, bool>? condition = null)
        {
            while (true)
            {
                var result = (CollectResult)await NextAsync();
                if (condition is null || condition(result))
                {
                    return result;
                }
            }
        }

        /// <summary>Cancels the watch and waits for it to end.</summary>
        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WaitAsync(Timeout, _cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            if (!Task.IsCompleted)
            {
                // A test that failed midway: its own assertion is what it reports, not how the watch then ended.
                await _stop.CancelAsync();
                await Task.WaitAsync(Timeout, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            _stop.Dispose();
        }
    }

    private static bool IsFingerprinted(string name) =>
        System.Text.RegularExpressions.Regex.IsMatch(name, @"\.[0-9a-f]{12}(\.[a-z0-9]+)?$");

    /// <summary>
    /// A source tree of CSS, JavaScript, images and fonts that refer to each other (imports, cycles, references to
    /// files that come and go, references in comments), and random changes to it.
    /// </summary>
    private sealed class RandomTree(string root, Random random)
    {
        private readonly HashSet<string> _files = new(StringComparer.Ordinal);

        public void Populate()
        {
            for (int i = 0; i < 6; i++)
            {
                Put($"img/p{i}.png", Binary());
            }

            Put("fonts/f0.woff2", Binary());
            for (int i = 0; i < 5; i++)
            {
                Put($"css/s{i}.css", Css());
            }

            Put("deep/a/b/c.css", "@import url(\"../../../css/s0.css\");\n.deep { background: url(/static/img/p1.png) }\n");
            for (int i = 0; i < 4; i++)
            {
                Put($"js/m{i}.js", Js());
            }
        }

        /// <summary>Makes one random change; returns what it did, and the file whose content it changed in place (null when files came or went).</summary>
        public string Change(out string? changedFile)
        {
            string what = Change();
            string[] words = what.Split(' ');
            changedFile = words[0] is "rewrite" || (words[0] is "write" or "flip" && _existedBefore) ? Path.Join(root, words[^1]) : null;
            return what;
        }

        private bool _existedBefore;

        private string Change()
        {
            string[] files = [.. _files.Order(StringComparer.Ordinal)];
            string any = files[random.Next(files.Length)];
            switch (random.Next(9))
            {
                case 0:
                    return "nothing";
                case 1:
                case 2:
                    string css = random.Next(2) == 0 ? $"css/s{random.Next(7)}.css" : $"deep/x{random.Next(3)}.css";
                    Put(css, Css());
                    return "write " + css;
                case 3:
                    string js = $"js/m{random.Next(6)}.js";
                    Put(js, Js());
                    return "write " + js;
                case 4:
                    // Another image under a name references may point to (the p* ones and the missing m* ones).
                    string image = random.Next(2) == 0 ? $"img/p{random.Next(8)}.png" : $"img/missing{random.Next(3)}.png";
                    Put(image, Binary());
                    return "write " + image;
                case 5:
                    if (files.Length > 3)
                    {
                        File.Delete(Path.Join(root, any));
                        _files.Remove(any);
                        return "delete " + any;
                    }

                    return "nothing";
                case 6:
                    // The same bytes again: new times, same content.
                    File.WriteAllBytes(Path.Join(root, any), File.ReadAllBytes(Path.Join(root, any)));
                    return "rewrite " + any;
                case 7:
                    // Same length, other bytes.
                    byte[] bytes = File.ReadAllBytes(Path.Join(root, any));
                    if (bytes.Length > 0 && !any.EndsWith(".css", StringComparison.Ordinal) && !any.EndsWith(".js", StringComparison.Ordinal))
                    {
                        bytes[random.Next(bytes.Length)] ^= 0x5a;
                        File.WriteAllBytes(Path.Join(root, any), bytes);
                        return "flip a byte of " + any;
                    }

                    return "nothing";
                default:
                    string moved = any.Replace(".", ".moved.", StringComparison.Ordinal);
                    File.Move(Path.Join(root, any), Path.Join(root, moved));
                    _files.Remove(any);
                    _files.Add(moved);
                    return $"rename {any} to {moved}";
            }
        }

        private void Put(string relative, string content) => Put(relative, Encoding.UTF8.GetBytes(content));

        private void Put(string relative, byte[] content)
        {
            string path = Path.Join(root, relative);
            _existedBefore = File.Exists(path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, content);
            _files.Add(relative);
        }

        private byte[] Binary()
        {
            byte[] bytes = new byte[random.Next(20, 400)];
            random.NextBytes(bytes);
            return bytes;
        }

        private string Css()
        {
            var css = new StringBuilder();
            for (int i = random.Next(1, 6); i > 0; i--)
            {
                css.Append(random.Next(7) switch
                {
                    0 => $"@import \"s{random.Next(7)}.css\";\n",
                    1 => $".i{i} {{ background: url(../img/p{random.Next(8)}.png) }}\n",
                    2 => $".m{i} {{ background: url('../img/missing{random.Next(3)}.png?v=1#x') }}\n",
                    3 => $"/* url(../img/p{random.Next(8)}.png) in a comment */\n",
                    4 => $"@font-face {{ font-family: f; src: url(../fonts/f{random.Next(2)}.woff2) format('woff2') }}\n",
                    5 => $".abs{i} {{ background: url(/static/img/p{random.Next(8)}.png) }}\n",
                    _ => $".pad{i} {{ content: \"{new string('p', random.Next(10, 120))}\" }}\n",
                });
            }

            return css.ToString();
        }

        private string Js()
        {
            var js = new StringBuilder();
            for (int i = random.Next(1, 4); i > 0; i--)
            {
                js.Append(random.Next(4) switch
                {
                    0 => $"import {{ x{i} }} from './m{random.Next(6)}.js';\n",
                    1 => $"const u{i} = new URL('../img/p{random.Next(8)}.png', import.meta.url);\n",
                    2 => $"// import './m{random.Next(6)}.js'\n",
                    _ => $"export const x{i} = \"{new string('j', random.Next(10, 100))}\";\n",
                });
            }

            return js.ToString();
        }
    }
}
