namespace Wharf.CollectStatic.Tests;

/// <summary>Collects into a folder: what is written, what the summary says, and the collect cache of re-collects.</summary>
[TestClass]
public sealed class CollectTests : CollectStaticTestBase
{
    /// <summary>A stylesheet big enough to be precompressed (over 256 bytes) that refers to an image.</summary>
    private void WriteSite()
    {
        Write("css/site.css", "body {\n  background: url(\"../img/logo.png\") no-repeat;\n}\n"
            + string.Concat(Enumerable.Range(0, 12).Select(i => $".item-{i} {{ margin: {i}px; padding: {i}px; color: #333; }}\n")));
        Write("img/logo.png", "not really a PNG, but the tool does not care");
    }

    [TestMethod]
    public async Task Collect_writes_fingerprinted_files_and_the_manifest_and_a_recollect_copies_nothing()
    {
        WriteSite();

        ToolRun first = await RunAsync("--source", "src", "--destination", "out");

        AssertExit(0, first);
        Assert.AreEqual("", first.StdErr);
        Summary summary = SummaryOf(first);
        // Two originals, their two fingerprinted copies, and a .br and a .gz of each stylesheet (the image is too
        // small to be worth compressing); one file had its references rewritten.
        Assert.AreEqual(new Summary(8, "out", 0, 1, 4, 0, 0), summary);
        string @out = Under("out");
        Dictionary<string, string> paths = ManifestPaths(@out);
        Assert.HasCount(2, paths);
        string logo = paths["img/logo.png"];
        string css = paths["css/site.css"];
        Assert.AreEqual($"img/logo.{Fingerprint(Path.Join(Src, "img/logo.png"))}.png", logo, "An unchanged file is named by the hash of its source.");
        Assert.AreEqual($"css/site.{Fingerprint(Path.Join(@out, css))}.css", css, "A rewritten file is named by the hash of what was published.");
        CollectionAssert.AreEqual(
            new[] { "css/site.css", "css/site.css.br", "css/site.css.gz", css, css + ".br", css + ".gz", logo, "img/logo.png", "staticfiles.json" }.Order(StringComparer.Ordinal).ToArray(),
            FilesUnder(@out));
        string published = File.ReadAllText(Path.Join(@out, css));
        StringAssert.Contains(published, $"url(\"../img/{Path.GetFileName(logo)}\")", StringComparison.Ordinal);
        Assert.AreEqual(File.ReadAllText(Path.Join(Src, "css/site.css")), File.ReadAllText(Path.Join(@out, "css/site.css")), "The original keeps its original references.");
        string cache = Assert.ContainsSingle(DefaultCaches(Xdg));

        ToolRun second = await RunAsync("--source", "src", "--destination", "out");

        AssertExit(0, second);
        Summary again = SummaryOf(second);
        Assert.AreEqual(0, again.Copied, second.ToString());
        Assert.AreEqual(8, again.Unmodified, second.ToString());
        StringAssert.StartsWith(second.OutLines[^1], "0 static files copied to out, 8 unmodified,", StringComparison.Ordinal);
        Assert.AreEqual(cache, Assert.ContainsSingle(DefaultCaches(Xdg)), "The same sources and destination keep one cache.");

        // Without the cache (and in a fresh cache home) the destination is listed instead, with the same outcome.
        string freshXdg = Under("xdg-fresh");
        ToolRun listed = await RunWithCacheHomeAsync(freshXdg, "--source", "src", "--destination", "out", "--no-cache");

        AssertExit(0, listed);
        Assert.AreEqual(0, SummaryOf(listed).Copied, listed.ToString());
        Assert.AreEqual(8, SummaryOf(listed).Unmodified, listed.ToString());
        Assert.IsFalse(Directory.Exists(freshXdg), "--no-cache writes no cache.");
        Assert.HasCount(9, FilesUnder(@out));
    }

    [TestMethod]
    public async Task A_changed_source_is_collected_again_under_a_new_name()
    {
        WriteSite();
        AssertExit(0, await RunAsync("--source", "src", "--destination", "out", "--no-compress"));
        string before = ManifestPaths(Under("out"))["img/logo.png"];

        Write("img/logo.png", "another logo, of another length");
        ToolRun run = await RunAsync("--source", "src", "--destination", "out", "--no-compress");

        AssertExit(0, run);
        string after = ManifestPaths(Under("out"))["img/logo.png"];
        Assert.AreNotEqual(before, after);
        // The new logo (original and fingerprinted) and the fingerprinted stylesheet, which now names the new logo;
        // the original stylesheet keeps its original references, so it is unchanged.
        Assert.AreEqual(new Summary(3, "out", 1, 1, 0, 0, 0), SummaryOf(run));
        StringAssert.Contains(File.ReadAllText(Path.Join(Under("out"), ManifestPaths(Under("out"))["css/site.css"])), Path.GetFileName(after), StringComparison.Ordinal);
    }

    [TestMethod]
    public async Task Each_destination_has_its_own_default_cache()
    {
        WriteSite();
        AssertExit(0, await RunAsync("--source", "src", "--destination", "one", "--no-compress"));

        ToolRun other = await RunAsync("--source", "src", "--destination", "two", "--no-compress");

        AssertExit(0, other);
        Assert.AreEqual(new Summary(4, "two", 0, 1, 0, 0, 0), SummaryOf(other), "Nothing learned about 'one' is taken to be in 'two'.");
        CollectionAssert.AreEqual(FilesUnder(Under("one")), FilesUnder(Under("two")));
        Assert.HasCount(2, DefaultCaches(Xdg));
    }

    [TestMethod]
    public async Task Cache_option_puts_the_cache_in_that_file()
    {
        WriteSite();
        string cache = Under("ci/collect.cache");

        ToolRun first = await RunAsync("--source", "src", "--destination", "out", "--cache", "ci/collect.cache");

        AssertExit(0, first);
        Assert.AreEqual(8, SummaryOf(first).Copied);
        Assert.IsTrue(File.Exists(cache), first.ToString());
        Assert.IsFalse(Directory.Exists(Xdg), "With --cache nothing goes to the default cache folder.");

        ToolRun second = await RunAsync("--source", "src", "--destination", "out", "--cache", "ci/collect.cache");

        AssertExit(0, second);
        Assert.AreEqual(0, SummaryOf(second).Copied, second.ToString());
        Assert.AreEqual(8, SummaryOf(second).Unmodified, second.ToString());
        Assert.IsFalse(Directory.Exists(Xdg));
    }

    [TestMethod]
    public async Task Without_a_usable_XDG_CACHE_HOME_the_cache_goes_under_the_home_folder()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("On Windows the default cache is under %LOCALAPPDATA%.");
        }

        WriteSite();
        string home = Under("home");
        Directory.CreateDirectory(home);

        // A relative XDG_CACHE_HOME is to be ignored (the XDG base directory specification).
        ToolRun run = await RunWithEnvironmentAsync(new Dictionary<string, string?> { ["HOME"] = home, ["XDG_CACHE_HOME"] = "xdg" }, "--source", "src", "--destination", "out", "--no-compress");

        AssertExit(0, run);
        Assert.ContainsSingle(DefaultCaches(Path.Join(home, ".cache")));
        Assert.IsFalse(Directory.Exists(Xdg));
    }

    [TestMethod]
    public async Task A_strict_collect_with_a_missing_reference_fails_and_writes_nothing()
    {
        Write("css/site.css", "body { color: red; }\n.logo {\n  background: url(../img/nope.png);\n}\n");

        ToolRun run = await RunAsync("--source", "src", "--destination", "out");

        AssertExit(1, run);
        StringAssert.Contains(run.StdErr, "1 reference(s) to files that are not in the static tree", StringComparison.Ordinal);
        StringAssert.Contains(run.StdErr, "css/site.css:3:19: '../img/nope.png' → 'img/nope.png' is not in the tree", StringComparison.Ordinal);
        StringAssert.Contains(run.StdErr, "Nothing was written.", StringComparison.Ordinal);
        Assert.IsFalse(run.OutLines.Any(l => l.Contains("copied", StringComparison.Ordinal)), "No summary after a failure.");
        AssertAbsentOrEmpty(Under("out"));
    }

    [TestMethod]
    public async Task A_lenient_collect_reports_missing_references_and_leaves_them_unchanged()
    {
        Write("css/site.css", "body { color: red; }\n.logo {\n  background: url(../img/nope.png);\n}\n");

        ToolRun run = await RunAsync("--source", "src", "--destination", "out", "--lenient");

        AssertExit(0, run);
        Assert.AreEqual("", run.StdErr);
        CollectionAssert.Contains(run.OutLines, "missing: css/site.css:3:19: '../img/nope.png' → 'img/nope.png' is not in the tree");
        Assert.AreEqual(new Summary(2, "out", 0, 0, 0, 1, 0), SummaryOf(run));
        string css = ManifestPaths(Under("out"))["css/site.css"];
        StringAssert.Contains(File.ReadAllText(Path.Join(Under("out"), css)), "url(../img/nope.png)", StringComparison.Ordinal);
    }

    [TestMethod]
    public async Task A_dry_run_reports_and_writes_nothing()
    {
        WriteSite();

        ToolRun run = await RunAsync("--source", "src", "--destination", "out", "--dry-run");

        AssertExit(0, run);
        Assert.AreEqual("", run.StdErr);
        Assert.AreEqual("Dry run: 2 static files found, 1 would be post-processed, 4 variants compressed, 0 missing references; nothing written.", run.OutLines[^1]);
        AssertAbsentOrEmpty(Under("out"));
        Assert.IsFalse(Directory.Exists(Xdg), "A dry run writes no cache.");
    }

    [TestMethod]
    public async Task Stage_lines_are_printed_once_each_when_output_is_redirected()
    {
        WriteSite();
        Write("old.txt", "stale soon");
        AssertExit(0, await RunAsync("--source", "src", "--destination", "out"));
        File.Delete(Path.Join(Src, "old.txt"));

        ToolRun run = await RunAsync("--source", "src", "--destination", "out", "--prune");

        AssertExit(0, run);
        Assert.IsFalse(run.StdOut.Replace("\r\n", "\n", StringComparison.Ordinal).Contains('\r', StringComparison.Ordinal), "No carriage-return redraws when redirected.");
        CollectionAssert.AreEqual(
            new[] { "processing…", "compressing…", "publishing…", "manifest…", "pruning…" },
            run.OutLines[..^1],
            run.ToString());
    }

    [TestMethod]
    public async Task A_missing_source_folder_fails()
    {
        ToolRun run = await RunAsync("--source", "nowhere", "--destination", "out");

        AssertExit(1, run);
        StringAssert.Contains(run.StdErr, "wharf-collectstatic: The static source folder 'nowhere' does not exist.", StringComparison.Ordinal);
        AssertAbsentOrEmpty(Under("out"));
    }
}
