using Wharf.StaticManifest.Collecting;

namespace Wharf.StaticManifest.Tests;

[TestClass]
public sealed class StaticFileFinderTests
{
    [TestMethod]
    [DataRow("*.css", "site.css", true)]
    [DataRow("*.css", "site.css.map", false)]
    [DataRow(".*", ".git", true)]
    [DataRow("*~", "notes.txt~", true)]
    [DataRow("CVS", "cvs", false)]
    [DataRow("img/*.png", "img/a/b.png", true)]
    [DataRow("?.js", "a.js", true)]
    [DataRow("?.js", "ab.js", false)]
    [DataRow("[ab].js", "b.js", true)]
    [DataRow("[!ab].js", "b.js", false)]
    [DataRow("[a-c]x", "bx", true)]
    [DataRow("[x", "[x", true)]
    [DataRow("a*b*c", "axxbyyc", true)]
    [DataRow("a*b*c", "axxbyy", false)]
    [DataRow("CVS", "CVS", true)]
    [DataRow("CVS", "CVSx", false)]
    [DataRow("CVS", "a/CVS", false)]
    [DataRow(".*", ".", true)]
    [DataRow(".*", "a.b", false)]
    [DataRow("*~", "~", true)]
    [DataRow("*~", "a~b", false)]
    [DataRow("*", "", true)]
    [DataRow("*", "any/path", true)]
    [DataRow("node_modules*", "node_modules/.bin", true)]
    [DataRow("*.min.js", "a.min.js", true)]
    [DataRow("*.min.js", "a.min.jsx", false)]
    [DataRow("*.m?p", "a.map", true)]
    [DataRow("*[*", "a[*", true)]
    public void Globs_match_like_fnmatchcase(string pattern, string text, bool expected) =>
        Assert.AreEqual(expected, new GlobPattern(pattern).IsMatch(text));

    [TestMethod]
    public void The_first_source_wins_conflicts_are_reported_and_ignored_paths_are_skipped()
    {
        string first = Temp();
        string second = Temp();
        try
        {
            Write(first, "css/site.css", "first");
            Write(second, "css/site.css", "second");
            Write(second, "js/app.js", "app");
            Write(second, ".git/config", "x");
            Write(second, "js/app.js~", "backup");
            Write(second, "vendor/CVS/Entries", "x");
            Write(second, "vendor/lib/README.md", "docs");

            FindResult found = StaticFileFinder.Find([first, second], [.. StaticFileFinder.DefaultIgnorePatterns, "vendor/lib/*.md"]);

            CollectionAssert.AreEqual(new[] { "css/site.css", "js/app.js" }, found.Files.Select(f => f.LogicalPath).ToArray());
            Assert.AreEqual(Path.Join(first, "css", "site.css"), found.Files[0].PhysicalPath);
            FileConflict conflict = found.Conflicts.Single();
            Assert.AreEqual("css/site.css", conflict.LogicalPath);
            Assert.AreEqual(Path.Join(second, "css", "site.css"), conflict.Ignored.Single());
        }
        finally
        {
            Directory.Delete(first, recursive: true);
            Directory.Delete(second, recursive: true);
        }
    }

    [TestMethod]
    public void A_missing_source_is_a_clear_error() =>
        Assert.Contains("does-not-exist", Assert.ThrowsExactly<DirectoryNotFoundException>(() => StaticFileFinder.Find(["/tmp/does-not-exist-" + Guid.NewGuid()], [])).Message);

    [TestMethod]
    public void Links_are_followed_once_loops_back_into_the_tree_are_not_and_dangling_ones_are_skipped()
    {
        string root = Temp();
        try
        {
            Write(root, "lib/a.js", "a");
            Write(root, "img/logo.png", "PNG!");
            Directory.CreateDirectory(Path.Join(root, "app"));
            Directory.CreateSymbolicLink(Path.Join(root, "app", "lib"), "../lib");                  // a sibling: followed
            Directory.CreateSymbolicLink(Path.Join(root, "app", "up"), "..");                      // an ancestor, relative
            Directory.CreateSymbolicLink(Path.Join(root, "app", "again"), root);                   // an ancestor, absolute
            Directory.CreateSymbolicLink(Path.Join(root, "app", "self"), Path.Join(root, "app"));  // the folder itself
            File.CreateSymbolicLink(Path.Join(root, "app", "logo.png"), Path.Join(root, "img", "logo.png"));
            File.CreateSymbolicLink(Path.Join(root, "app", "gone.css"), Path.Join(root, "missing.css"));

            FindResult found = StaticFileFinder.Find([root], StaticFileFinder.DefaultIgnorePatterns);

            CollectionAssert.AreEqual(
                new[] { "app/lib/a.js", "app/logo.png", "img/logo.png", "lib/a.js" },
                found.Files.Select(f => f.LogicalPath).ToArray());
            Assert.AreEqual(4, found.Files.Single(f => f.LogicalPath == "app/logo.png").Length, "A link to a file counts with its target's length.");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void Many_links_to_the_root_do_not_multiply_the_walk()
    {
        // Each level would double the folders to read if links back to an ancestor were followed. The source is given
        // through a link of its own (as /var is a link to /private/var on macOS), so comparing paths cannot see that
        // the absolute links lead back to it: only the folders' identities can.
        string root = Temp();
        string elsewhere = Temp();
        try
        {
            Write(root, "css/site.css", "x");
            for (int i = 0; i < 8; i++)
            {
                Directory.CreateSymbolicLink(Path.Join(root, "css", $"loop{i}"), root);
            }

            string source = Path.Join(elsewhere, "static");
            Directory.CreateSymbolicLink(source, root);

            FindResult found = StaticFileFinder.Find([source], []);

            CollectionAssert.AreEqual(new[] { "css/site.css" }, found.Files.Select(f => f.LogicalPath).ToArray());
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Temp()
    {
        string path = Path.Join(Path.GetTempPath(), "wharf-finder-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    private static void Write(string root, string relative, string content)
    {
        string path = Path.Join(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
