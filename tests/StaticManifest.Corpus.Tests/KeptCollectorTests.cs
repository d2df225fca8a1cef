using Wharf.StaticManifest.Collecting;

namespace Wharf.StaticManifest.Corpus.Tests;

/// <summary>
/// A collector kept between collects (a watch, a long-lived service), on private copies of real packages: after
/// changes to files other files refer to — fonts and images under url(), style sheets under @import, modules under
/// import, files that go and come back — a collect again on the same collector leaves the destination and the manifest
/// byte for byte as a fresh full collect of the same sources does, and publishes only what changed.
/// </summary>
[TestClass]
public sealed class KeptCollectorTests
{
    /// <summary>
    /// Longer than the collector's racy window (two seconds): the copies must be settled before the first collect, or
    /// every file would be read again whatever changed and the kept path would not be tested.
    /// </summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2.5);

    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    [DataRow("katex", "fonts/KaTeX_Main-Regular.woff2", "katex.css", "contrib/auto-render.mjs")]
    [DataRow("@fortawesome/fontawesome-free", "webfonts/fa-solid-900.woff2", "css/fontawesome.css", "js/fontawesome.js")]
    [DataRow("reveal.js", "dist/theme/fonts/league-gothic/league-gothic.woff", "dist/theme/fonts/league-gothic/league-gothic.css", "js/utils/util.js")]
    public async Task After_real_files_change_a_kept_collector_leaves_what_a_full_collect_leaves(string name, string referencedFile, string styleSheet, string module)
    {
        CorpusPackage package = Corpus.Package(name);
        string source = Corpus.TemporaryFolder("kept-src");
        string? root = null;
        try
        {
            CopyFolder(package.SourceRoot, source);
            Assert.IsTrue(File.Exists(Path.Join(source, referencedFile)), $"{package} has no {referencedFile}.");
            await Task.Delay(Settle, Ct);
            var destination = Corpus.TemporaryDestination("kept");
            root = destination.Root;
            var collector = new StaticCollector(destination.Storage, Corpus.Options([source], package.Ignore, package.Mode));
            CollectResult first = await collector.CollectAsync(cancellationToken: Ct);

            // A file others refer to, changed in place: it and, up the references, the files that refer to it.
            Append(Path.Join(source, referencedFile), [1, 2, 3, 4]);
            CollectResult changed = await collector.CollectAsync(cancellationToken: Ct);
            await AssertAsAFullCollectLeaves(source, package, root, $"{package}: {referencedFile} changed");
            // Only the file and, up the references, the files that name it got new fingerprints; and what was
            // published is theirs: a fingerprinted file and its two variants each, and the changed file's original.
            string[] renamed = [.. changed.Manifest.Paths.Where(p => first.Manifest.Paths.GetValueOrDefault(p.Key) != p.Value).Select(p => p.Key)];
            var referring = new HashSet<string>(StringComparer.Ordinal) { referencedFile };
            for (bool grew = true; grew;)
            {
                grew = false;
                foreach (string path in renamed.Where(p => !referring.Contains(p) && Corpus.IsRewritable(p)))
                {
                    string text = File.ReadAllText(Path.Join(source, path));
                    if (referring.Any(target => text.Contains(Path.GetFileName(target), StringComparison.Ordinal)))
                    {
                        grew = referring.Add(path);
                    }
                }
            }

            CollectionAssert.IsSubsetOf(renamed, referring.ToArray(), $"{package}: files renamed for a change to {referencedFile}");
            Assert.Contains(referencedFile, renamed);
            Assert.IsLessThanOrEqualTo((renamed.Length * 3) + 3, changed.Copied, $"{package}: a change to {referencedFile} renamed {renamed.Length} files and republished {changed.Copied} of {first.Copied}");

            // A style sheet and a module rewritten, told as a watcher tells it.
            Append(Path.Join(source, styleSheet), "\n/* changed */\n"u8.ToArray());
            Append(Path.Join(source, module), "\n// changed\n"u8.ToArray());
            await collector.CollectChangesAsync([Path.Join(source, styleSheet), Path.Join(source, module)], cancellationToken: Ct);
            await AssertAsAFullCollectLeaves(source, package, root, $"{package}: {styleSheet} and {module} changed");

            // The referenced file goes (its references become missing; a strict package fails and publishes nothing),
            // then comes back.
            byte[] saved = File.ReadAllBytes(Path.Join(source, referencedFile));
            File.Delete(Path.Join(source, referencedFile));
            if (package.Mode == MissingReferenceMode.Strict)
            {
                MissingReferencesException missing = await Assert.ThrowsExactlyAsync<MissingReferencesException>(() => collector.CollectAsync(cancellationToken: Ct));
                Assert.IsTrue(missing.Missing.All(m => m.TargetPath == referencedFile), string.Join(Environment.NewLine, missing.Missing));
            }
            else
            {
                await collector.CollectAsync(cancellationToken: Ct);
                await AssertAsAFullCollectLeaves(source, package, root, $"{package}: {referencedFile} removed");
            }

            File.WriteAllBytes(Path.Join(source, referencedFile), saved);
            await collector.CollectAsync(cancellationToken: Ct);
            await AssertAsAFullCollectLeaves(source, package, root, $"{package}: {referencedFile} back");
        }
        finally
        {
            Corpus.DeleteFolder(source);
            Corpus.DeleteFolder(root);
        }
    }

    /// <summary>Collects the sources in full into a new destination; <paramref name="root"/> must have its manifest bytes and every file it wrote.</summary>
    private async Task AssertAsAFullCollectLeaves(string source, CorpusPackage package, string root, string context)
    {
        var fresh = Corpus.TemporaryDestination("kept-full");
        try
        {
            await new StaticCollector(fresh.Storage, Corpus.Options([source], package.Ignore, package.Mode)).CollectAsync(cancellationToken: Ct);
            Assert.AreEqual(File.ReadAllText(Path.Join(fresh.Root, StaticAssetManifest.DefaultName)), File.ReadAllText(Path.Join(root, StaticAssetManifest.DefaultName)), context);
            foreach (string file in Directory.EnumerateFiles(fresh.Root, "*", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(fresh.Root, file);
                string published = Path.Join(root, relative);
                Assert.IsTrue(File.Exists(published), $"{context}: {relative} is missing");
                CollectionAssert.AreEqual(File.ReadAllBytes(file), File.ReadAllBytes(published), $"{context}: {relative} differs");
            }
        }
        finally
        {
            Corpus.DeleteFolder(fresh.Root);
        }
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (string directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Join(to, Path.GetRelativePath(from, directory)));
        }

        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Join(to, Path.GetRelativePath(from, file)));
        }
    }

    private static void Append(string path, byte[] bytes)
    {
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write);
        stream.Write(bytes);
    }
}
