namespace Wharf.CollectStatic.Tests;

/// <summary>--ignore, --no-default-ignore, --no-originals, --prune and --help.</summary>
[TestClass]
public sealed class OptionTests : CollectStaticTestBase
{
    [TestMethod]
    public async Task Ignored_files_are_not_collected()
    {
        Write("js/app.js", "console.log('app');\n");
        Write("js/app.js.map", "{}");
        Write("drafts/notes.txt", "not for the web");
        Write(".env", "SECRET=1");

        ToolRun run = await RunAsync("--source", "src", "--destination", "out", "--ignore", "*.map", "-i", "drafts/*");

        AssertExit(0, run);
        CollectionAssert.AreEqual(new[] { "js/app.js" }, ManifestPaths(Under("out")).Keys.ToArray(), "Dotfiles are ignored by default, the rest by the patterns.");
        Assert.AreEqual(2, SummaryOf(run).Copied);
        Assert.IsFalse(FilesUnder(Under("out")).Any(f => f.Contains(".map", StringComparison.Ordinal) || f.Contains("notes", StringComparison.Ordinal) || f.Contains("env", StringComparison.Ordinal)));
    }

    [TestMethod]
    public async Task No_default_ignore_collects_dotfiles()
    {
        Write("js/app.js", "console.log('app');\n");
        Write(".well-known/security.txt", "Contact: mailto:security@example.com\n");

        ToolRun run = await RunAsync("--source", "src", "--destination", "out", "--no-default-ignore");

        AssertExit(0, run);
        CollectionAssert.AreEquivalent(new[] { "js/app.js", ".well-known/security.txt" }, ManifestPaths(Under("out")).Keys.ToArray());
    }

    [TestMethod]
    public async Task No_originals_publishes_only_the_fingerprinted_names()
    {
        Write("css/site.css", ".logo { background: url(../img/logo.png); }\n");
        Write("img/logo.png", "logo");

        ToolRun run = await RunAsync("--source", "src", "--destination", "out", "--no-originals");

        AssertExit(0, run);
        Assert.AreEqual(new Summary(2, "out", 0, 1, 0, 0, 0), SummaryOf(run));
        Dictionary<string, string> paths = ManifestPaths(Under("out"));
        CollectionAssert.AreEqual(new[] { paths["css/site.css"], paths["img/logo.png"], "staticfiles.json" }, FilesUnder(Under("out")));
        foreach (string file in FilesUnder(Under("out")).Where(f => f != "staticfiles.json"))
        {
            Assert.MatchesRegex(@"\.[0-9a-f]{12}\.[a-z]+$", file);
        }
    }

    [TestMethod]
    public async Task Prune_deletes_what_the_new_manifest_does_not_list()
    {
        Write("keep.txt", "kept");
        Write("old.txt", "removed from the sources");
        AssertExit(0, await RunAsync("--source", "src", "--destination", "out"));
        string old = ManifestPaths(Under("out"))["old.txt"];
        File.Delete(Path.Join(Src, "old.txt"));

        // Without --prune the previous deployment's files stay (a page still being served may want them).
        ToolRun kept = await RunAsync("--source", "src", "--destination", "out");
        AssertExit(0, kept);
        Assert.AreEqual(0, SummaryOf(kept).Deleted);
        CollectionAssert.IsSubsetOf(new[] { "old.txt", old }, FilesUnder(Under("out")));

        ToolRun pruned = await RunAsync("--source", "src", "--destination", "out", "--prune");

        AssertExit(0, pruned);
        Assert.AreEqual(new Summary(0, "out", 2, 0, 0, 0, 2), SummaryOf(pruned));
        string keep = ManifestPaths(Under("out"))["keep.txt"];
        CollectionAssert.AreEqual(new[] { keep, "keep.txt", "staticfiles.json" }.Order(StringComparer.Ordinal).ToArray(), FilesUnder(Under("out")));
    }

    [TestMethod]
    public async Task Help_prints_the_usage()
    {
        ToolRun run = await RunAsync("--help");

        AssertExit(0, run);
        StringAssert.StartsWith(run.StdOut, "usage: wharf-collectstatic --source DIR", StringComparison.Ordinal);
        Assert.AreEqual("", run.StdErr);
    }
}
