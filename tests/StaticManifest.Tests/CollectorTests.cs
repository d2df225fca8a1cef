using System.Text;
using Wharf.StaticManifest.Collecting;
using Wharf.StaticManifest.Rewriting;
using Wharf.Storage;
using Wharf.Storage.FileSystem;

namespace Wharf.StaticManifest.Tests;

/// <summary>The whole collect, from source folders to a file-system storage, as a deploy runs it.</summary>
[TestClass]
public sealed class CollectorTests : CollectorTestBase
{
    [TestMethod]
    public async Task References_are_rewritten_to_fingerprinted_names_and_the_manifest_lists_them()
    {
        string source = Folder();
        Write(source, "css/site.css", "@import \"base.css\";\n/* url(commented-out.png) */\nbody { background: url(../img/logo.png?v=2#top); content: \"url(not-a-ref.png)\"; }\n@font-face { src: url('../fonts/f.woff2') format(\"woff2\"), url(https://cdn.example/x.woff); }\n");
        Write(source, "css/base.css", "h1 { background: url(/static/img/logo.png) }\n");
        Write(source, "img/logo.png", "PNG");
        Write(source, "fonts/f.woff2", "WOFF2");
        Write(source, "js/app.js", "import { x } from './lib.js';\nconst s = \"import './nope.js'\";\nimport('./lazy.js');\n");
        Write(source, "js/lib.js", "export const x = 1;\n");
        Write(source, "js/lazy.js", "export default 2;\n");
        (IStorage storage, string root) = Destination();

        CollectResult result = await Collect(storage, source);

        StaticAssetManifest manifest = result.Manifest;
        string logo = manifest.Paths["img/logo.png"];
        StringAssert.Matches(logo, new System.Text.RegularExpressions.Regex(@"^img/logo\.[0-9a-f]{12}\.png$"));
        string site = await storage.ReadAllTextAsync(manifest.Paths["css/site.css"], cancellationToken: Ct);
        StringAssert.Contains(site, $"@import \"{FileName(manifest.Paths["css/base.css"])}\";");
        StringAssert.Contains(site, $"url(../img/{FileName(logo)}?v=2#top)");
        StringAssert.Contains(site, $"url('../fonts/{FileName(manifest.Paths["fonts/f.woff2"])}')");
        StringAssert.Contains(site, "/* url(commented-out.png) */", "Comments are left alone.");
        StringAssert.Contains(site, "\"url(not-a-ref.png)\"", "Strings that are not references are left alone.");
        StringAssert.Contains(site, "url(https://cdn.example/x.woff)");
        StringAssert.Contains(await storage.ReadAllTextAsync(manifest.Paths["css/base.css"], cancellationToken: Ct), $"url(/static/{logo})");
        string app = await storage.ReadAllTextAsync(manifest.Paths["js/app.js"], cancellationToken: Ct);
        StringAssert.Contains(app, $"from './{FileName(manifest.Paths["js/lib.js"])}'");
        StringAssert.Contains(app, $"import('./{FileName(manifest.Paths["js/lazy.js"])}')");
        StringAssert.Contains(app, "\"import './nope.js'\"");
        Assert.AreEqual(await File.ReadAllTextAsync(Path.Join(source, "css", "site.css"), Ct), await storage.ReadAllTextAsync("css/site.css", cancellationToken: Ct), "The original is kept unprocessed.");
        Assert.AreEqual(3, result.PostProcessed, "site.css, base.css and app.js have references.");

        byte[] written = await File.ReadAllBytesAsync(Path.Join(root, "staticfiles.json"), Ct);
        StaticAssetManifest reread = StaticAssetManifest.Parse(written);
        Assert.IsTrue(reread.TryGetByLogicalPath("css/site.css", out StaticAsset? css));
        Assert.AreEqual(css.Integrity, "sha384-" + Convert.ToBase64String(System.Security.Cryptography.SHA384.HashData(Encoding.UTF8.GetBytes(site))));
        Assert.AreEqual(manifest.Hash, reread.Hash);
    }

    [TestMethod]
    public async Task A_reference_cycle_shares_one_hash_and_never_fails()
    {
        string source = Folder();
        Write(source, "a.css", "@import url(b.css); .a { background: url(img.png) }");
        Write(source, "b.css", "@import 'a.css';");
        Write(source, "img.png", "IMG");
        (IStorage storage, _) = Destination();

        CollectResult result = await Collect(storage, source);

        string a = result.Manifest.Paths["a.css"];
        string b = result.Manifest.Paths["b.css"];
        Assert.AreEqual(a[2..^4], b[2..^4], "Both members carry the cycle's hash.");
        StringAssert.Contains(await storage.ReadAllTextAsync(a, cancellationToken: Ct), $"@import url({b})");
        StringAssert.Contains(await storage.ReadAllTextAsync(b, cancellationToken: Ct), $"@import '{a}'");

        // Changing a file outside the cycle that the cycle refers to changes the cycle's names.
        Write(source, "img.png", "IMG2");
        CollectResult again = await Collect(storage, source);
        Assert.AreNotEqual(a, again.Manifest.Paths["a.css"]);
        Assert.AreNotEqual(b, again.Manifest.Paths["b.css"]);
    }

    [TestMethod]
    public async Task Strict_mode_lists_every_missing_reference_and_writes_nothing()
    {
        string source = Folder();
        Write(source, "css/site.css", "a { background: url(missing.png) }\n\nb { background: url(\"../../above.png\") }\n@import 'gone.css';");
        (IStorage storage, string root) = Destination();

        MissingReferencesException exception = await Assert.ThrowsExactlyAsync<MissingReferencesException>(() => Collect(storage, source));

        Assert.HasCount(3, exception.Missing);
        StringAssert.Contains(exception.Message, "css/site.css:1:21: 'missing.png'");
        StringAssert.Contains(exception.Message, "css/site.css:3:22");
        StringAssert.Contains(exception.Message, "css/site.css:4:10: 'gone.css'");
        Assert.IsEmpty(Directory.GetFileSystemEntries(root), "Nothing is written when a strict collect fails.");
    }

    [TestMethod]
    public async Task Lenient_mode_leaves_missing_references_unchanged_and_reports_them()
    {
        string source = Folder();
        Write(source, "site.css", "a { background: url(missing.png) } b { background: url(ok.png) }");
        Write(source, "ok.png", "OK");
        (IStorage storage, _) = Destination();

        CollectResult result = await Collect(storage, source, o => o.MissingReferences = MissingReferenceMode.Lenient);

        Assert.AreEqual("missing.png", result.Missing.Single().Url);
        string site = await storage.ReadAllTextAsync(result.Manifest.Paths["site.css"], cancellationToken: Ct);
        StringAssert.Contains(site, "url(missing.png)");
        StringAssert.Contains(site, $"url({result.Manifest.Paths["ok.png"]})");
    }

    [TestMethod]
    public async Task A_re_collect_uploads_only_what_changed_and_the_first_source_wins()
    {
        string first = Folder();
        string second = Folder();
        Write(first, "css/site.css", "a { background: url(../img/a.png) }");
        Write(first, "img/a.png", "A");
        Write(first, "img/b.png", "B");
        Write(second, "img/b.png", "B from the second source");
        (IStorage storage, _) = Destination();

        CollectResult full = await Collect(storage, [first, second]);
        CollectResult unchanged = await Collect(storage, [first, second]);
        Write(first, "img/a.png", "A2");
        CollectResult touched = await Collect(storage, [first, second]);

        Assert.AreEqual("img/b.png", full.Conflicts.Single().LogicalPath);
        Assert.AreEqual("B", await storage.ReadAllTextAsync("img/b.png", cancellationToken: Ct));
        Assert.AreEqual(0, unchanged.Copied, "Nothing changed, nothing is uploaded.");
        Assert.AreEqual(full.Copied, unchanged.Unmodified);

        // a.png changed: its original and its new fingerprinted copy; the original site.css is unchanged, but its
        // fingerprinted copy is new because a.png's name changed.
        Assert.AreEqual(3, touched.Copied, "a.png (original + fingerprinted) and the new fingerprinted site.css.");
        Assert.AreNotEqual(full.Manifest.Paths["css/site.css"], touched.Manifest.Paths["css/site.css"]);
    }

    [TestMethod]
    public async Task A_failed_publish_keeps_the_previous_manifest_and_files_and_prune_runs_last()
    {
        string source = Folder();
        Write(source, "a.css", "a { background: url(x.png) }");
        Write(source, "x.png", "X1");
        (IStorage storage, string root) = Destination();
        CollectResult first = await Collect(storage, source);
        byte[] manifestBefore = await File.ReadAllBytesAsync(Path.Join(root, "staticfiles.json"), Ct);

        Write(source, "x.png", "X2");
        var failing = FailingStorage.OnSave(storage, 2);
        await Assert.ThrowsAsync<StorageException>(() => Collect(failing, source));

        CollectionAssert.AreEqual(manifestBefore, await File.ReadAllBytesAsync(Path.Join(root, "staticfiles.json"), Ct), "The manifest is written last.");
        foreach (string stored in first.Manifest.Paths.Values)
        {
            Assert.IsTrue(await storage.ExistsAsync(stored, Ct), $"{stored} of the previous deployment is still there.");
        }

        CollectResult pruned = await Collect(storage, source, o => o.PruneStale = true);
        Assert.IsFalse(await storage.ExistsAsync(first.Manifest.Paths["x.png"], Ct), "Prune removes the old fingerprinted file.");
        Assert.IsTrue(await storage.ExistsAsync(pruned.Manifest.Paths["x.png"], Ct));
        Assert.IsGreaterThan(0, pruned.Deleted);
    }

    [TestMethod]
    public async Task Compressible_outputs_get_deterministic_variants_listed_in_the_manifest_and_a_dry_run_writes_nothing()
    {
        string source = Folder();
        Write(source, "big.css", string.Concat(Enumerable.Repeat(".selector-name { color: red; margin: 0 auto; }\n", 400)));
        Write(source, "photo.jpg", "JPEGDATA");
        (IStorage storage, string root) = Destination();

        CollectResult dry = await Collect(storage, source, o => o.DryRun = true);
        Assert.IsEmpty(Directory.GetFileSystemEntries(root));
        CollectResult result = await Collect(storage, source);

        Assert.IsTrue(result.Manifest.TryGetByLogicalPath("big.css", out StaticAsset? css));
        CollectionAssert.AreEquivalent(new[] { "br", "gzip" }, css.Encodings.Select(e => e.Name).ToArray());
        foreach (StaticAssetEncoding encoding in css.Encodings)
        {
            Assert.IsTrue(await storage.ExistsAsync(encoding.StoredPath, Ct), encoding.StoredPath);
            Assert.IsLessThan(css.Length, encoding.Length);
        }

        Assert.IsTrue(result.Manifest.TryGetByLogicalPath("photo.jpg", out StaticAsset? photo));
        Assert.IsEmpty(photo.Encodings, "Already-compressed types are skipped.");
        Assert.AreEqual(dry.Manifest.Hash, result.Manifest.Hash, "A dry run computes the same manifest.");
    }

    [TestMethod]
    public async Task With_a_cache_file_a_recollect_uploads_only_what_changed_and_matches_a_collect_without_it()
    {
        string source = Folder();
        Write(source, "css/site.css", "body { background: url(../img/logo.png) }");
        Write(source, "css/other.css", "p { color: red }");
        Write(source, "img/logo.png", "PNG");
        Write(source, "js/app.js", "import { x } from './lib.js';\n");
        Write(source, "js/lib.js", "export const x = 1;\n");
        Age(source, TimeSpan.FromMinutes(10));
        string cache = Path.Join(Folder(), "collect.cache");
        (IStorage cached, _) = Destination();
        await Collect(cached, source, o => o.CacheFile = cache);
        Assert.IsTrue(File.Exists(cache));

        CollectResult unchanged = await Collect(cached, source, o => o.CacheFile = cache);
        Assert.AreEqual(0, unchanged.Copied, "Nothing changed: nothing is uploaded.");

        Write(source, "img/logo.png", "PNG, changed");
        File.SetLastWriteTimeUtc(Path.Join(source, "img", "logo.png"), DateTime.UtcNow - TimeSpan.FromMinutes(5));
        CollectResult changed = await Collect(cached, source, o => o.CacheFile = cache);
        (IStorage fresh, _) = Destination();
        CollectResult reference = await Collect(fresh, source);
        CollectionAssert.AreEqual(reference.Manifest.ToUtf8Bytes(), changed.Manifest.ToUtf8Bytes(), "The cache changes nothing in the result.");
        Assert.AreEqual(3, changed.Copied, "logo.png under both names and the rewritten site.css.");
        Assert.AreEqual(
            await fresh.ReadAllTextAsync(reference.Manifest.Paths["css/site.css"], cancellationToken: Ct),
            await cached.ReadAllTextAsync(changed.Manifest.Paths["css/site.css"], cancellationToken: Ct));

        // Another destination with the same cache: its manifest is not the cached one, so it is listed, and the
        // rewritten files the cache finished without reading are made again for their upload.
        (IStorage other, _) = Destination();
        CollectResult elsewhere = await Collect(other, source, o => o.CacheFile = cache);
        CollectionAssert.AreEqual(reference.Manifest.ToUtf8Bytes(), elsewhere.Manifest.ToUtf8Bytes());
        Assert.AreEqual(reference.Copied, elsewhere.Copied);
        Assert.AreEqual(
            await fresh.ReadAllTextAsync(reference.Manifest.Paths["js/app.js"], cancellationToken: Ct),
            await other.ReadAllTextAsync(elsewhere.Manifest.Paths["js/app.js"], cancellationToken: Ct));
    }

    [TestMethod]
    public async Task Without_a_cache_an_unchanged_recollect_leaves_the_manifest_as_it_is_and_a_change_rewrites_it()
    {
        string source = Folder();
        Write(source, "css/site.css", "body { background: url(../img/a.png); }");
        Write(source, "img/a.png", "PNG");
        (IStorage storage, string root) = Destination();
        await Collect(storage, source);
        string manifestPath = Path.Join(root, StaticAssetManifest.DefaultName);
        DateTime written = DateTime.UtcNow + TimeSpan.FromHours(1); // a version to recognise, later than every file
        File.SetLastWriteTimeUtc(manifestPath, written);
        byte[] before = await File.ReadAllBytesAsync(manifestPath, Ct);

        CollectResult unchanged = await Collect(storage, source);
        Assert.AreEqual(0, unchanged.Copied);
        Assert.AreEqual(written, File.GetLastWriteTimeUtc(manifestPath), "The same bytes are not written again: the manifest's version stays.");

        Write(source, "img/a.png", "PNG2");
        CollectResult changed = await Collect(storage, source);
        byte[] after = await File.ReadAllBytesAsync(manifestPath, Ct);
        CollectionAssert.AreNotEqual(before, after);
        CollectionAssert.AreEqual(changed.Manifest.ToUtf8Bytes(), after);
        Assert.AreNotEqual(written, File.GetLastWriteTimeUtc(manifestPath));
    }

    [TestMethod]
    public async Task An_unreadable_cache_file_is_ignored()
    {
        string source = Folder();
        Write(source, "a.css", "p { background: url(b.png) }");
        Write(source, "b.png", "B");
        string cache = Path.Join(Folder(), "collect.cache");
        await File.WriteAllTextAsync(cache, "not a cache", Ct);
        (IStorage storage, _) = Destination();

        CollectResult result = await Collect(storage, source, o => o.CacheFile = cache);

        Assert.AreEqual(4, result.Copied);
    }

    [TestMethod]
    public async Task A_new_url_in_a_module_is_rewritten_to_the_fingerprinted_name_and_the_target_exists()
    {
        string source = Folder();
        Write(source, "js/app.js", """
            const logo = new URL('./img/a.png', import.meta.url);
            const worker = new Worker(new URL("./worker.js", import.meta.url), { type: 'module' });
            const wasm = new URL(`m_bg.wasm`, import.meta.url);
            // new URL('./img/commented.png', import.meta.url)
            const s = "new URL('./img/in-a-string.png', import.meta.url)";
            const other = new URL('./img/a.png', location.href);

            """);
        Write(source, "js/img/a.png", "PNG");
        Write(source, "js/worker.js", "import { f } from './dep.js';\nself.onmessage = f;\n");
        Write(source, "js/dep.js", "export const f = () => {};\n");
        Write(source, "js/m_bg.wasm", "\0asm");
        (IStorage storage, string root) = Destination();

        CollectResult result = await Collect(storage, source);

        StaticAssetManifest manifest = result.Manifest;
        string png = manifest.Paths["js/img/a.png"];
        StringAssert.Matches(png, new System.Text.RegularExpressions.Regex(@"^js/img/a\.[0-9a-f]{12}\.png$"));
        Assert.IsTrue(await storage.ExistsAsync(png, Ct), "The fingerprinted target is published.");
        Assert.AreEqual("PNG", await File.ReadAllTextAsync(Path.Join(root, png), Ct));
        string app = await storage.ReadAllTextAsync(manifest.Paths["js/app.js"], cancellationToken: Ct);
        StringAssert.Contains(app, $"const logo = new URL('./img/{FileName(png)}', import.meta.url);");
        StringAssert.Contains(app, $"new Worker(new URL(\"./{FileName(manifest.Paths["js/worker.js"])}\", import.meta.url), {{ type: 'module' }})");
        StringAssert.Contains(app, $"new URL(`{FileName(manifest.Paths["js/m_bg.wasm"])}`, import.meta.url)", "A bare URL is relative to the module.");
        StringAssert.Contains(app, "// new URL('./img/commented.png', import.meta.url)", "Comments are left alone.");
        StringAssert.Contains(app, "\"new URL('./img/in-a-string.png', import.meta.url)\"", "Strings are left alone.");
        StringAssert.Contains(app, "new URL('./img/a.png', location.href)", "Only import.meta.url is the module's URL.");
        StringAssert.Contains(await storage.ReadAllTextAsync(manifest.Paths["js/worker.js"], cancellationToken: Ct), $"from './{FileName(manifest.Paths["js/dep.js"])}'");
        foreach (string logical in new[] { "js/worker.js", "js/m_bg.wasm", "js/dep.js" })
        {
            Assert.IsTrue(await storage.ExistsAsync(manifest.Paths[logical], Ct), logical);
        }

        Assert.AreEqual(2, result.PostProcessed, "app.js and worker.js have references.");
    }

    [TestMethod]
    public async Task A_missing_new_url_target_fails_a_strict_collect_with_its_position()
    {
        string source = Folder();
        Write(source, "js/app.js", "const a = 1;\r\nconst u = new URL('./img/missing.png', import.meta.url);\r\n");
        (IStorage storage, _) = Destination();

        MissingReferencesException exception = await Assert.ThrowsExactlyAsync<MissingReferencesException>(() => Collect(storage, source));

        MissingReference missing = exception.Missing.Single();
        Assert.AreEqual("js/img/missing.png", missing.TargetPath);
        StringAssert.Contains(exception.Message, "js/app.js:2:20: './img/missing.png'");
    }

    [TestMethod]
    public async Task An_import_meta_resolve_in_a_module_is_rewritten_to_the_fingerprinted_name_and_the_target_exists()
    {
        string source = Folder();
        Write(source, "js/app.js", """
            const worker = new Worker(import.meta.resolve('./worker.js'), { type: 'module' });
            const theme = import.meta.resolve("/static/css/theme.css");
            const pkg = import.meta.resolve('lodash');
            // import.meta.resolve('./commented.js')
            const s = "import.meta.resolve('./in-a-string.js')";
            const o = import.meta?.resolve('./worker.js');

            """);
        Write(source, "js/worker.js", "import { f } from './dep.js';\nself.onmessage = f;\n");
        Write(source, "js/dep.js", "export const f = () => {};\n");
        Write(source, "css/theme.css", "body { color: red }\n");
        (IStorage storage, string root) = Destination();

        CollectResult result = await Collect(storage, source);

        StaticAssetManifest manifest = result.Manifest;
        string worker = manifest.Paths["js/worker.js"];
        StringAssert.Matches(worker, new System.Text.RegularExpressions.Regex(@"^js/worker\.[0-9a-f]{12}\.js$"));
        Assert.IsTrue(await storage.ExistsAsync(worker, Ct), "The fingerprinted target is published.");
        StringAssert.Contains(await File.ReadAllTextAsync(Path.Join(root, worker), Ct), $"from './{FileName(manifest.Paths["js/dep.js"])}'");
        Assert.IsTrue(await storage.ExistsAsync(manifest.Paths["css/theme.css"], Ct));
        string app = await storage.ReadAllTextAsync(manifest.Paths["js/app.js"], cancellationToken: Ct);
        StringAssert.Contains(app, $"new Worker(import.meta.resolve('./{FileName(worker)}'), {{ type: 'module' }})");
        StringAssert.Contains(app, $"import.meta.resolve(\"/static/{manifest.Paths["css/theme.css"]}\")");
        StringAssert.Contains(app, "import.meta.resolve('lodash')", "A bare specifier names a package.");
        StringAssert.Contains(app, "// import.meta.resolve('./commented.js')", "Comments are left alone.");
        StringAssert.Contains(app, "\"import.meta.resolve('./in-a-string.js')\"", "Strings are left alone.");
        StringAssert.Contains(app, "import.meta?.resolve('./worker.js')", "Only import.meta.resolve exactly.");
        Assert.AreEqual(2, result.PostProcessed, "app.js and worker.js have references.");
    }

    [TestMethod]
    public async Task A_missing_import_meta_resolve_target_fails_a_strict_collect_with_its_position()
    {
        string source = Folder();
        Write(source, "js/app.js", "const a = 1;\r\nconst u = import.meta.resolve(\r\n  './lib/missing.js');\r\n");
        (IStorage storage, _) = Destination();

        MissingReferencesException exception = await Assert.ThrowsExactlyAsync<MissingReferencesException>(() => Collect(storage, source));

        MissingReference missing = exception.Missing.Single();
        Assert.AreEqual("js/lib/missing.js", missing.TargetPath);
        StringAssert.Contains(exception.Message, "js/app.js:3:4: './lib/missing.js'");
    }

    [TestMethod]
    public async Task A_cache_file_written_before_new_url_references_is_not_used()
    {
        // A version-1 cache knows app.js with the references the scanner found then: none, as new URL was not one.
        // Using it would publish app.js with its new URL pointing at the unfingerprinted name.
        string source = Folder();
        const string app = "export const u = new URL('./a.png', import.meta.url);\n";
        Write(source, "js/app.js", app);
        Write(source, "js/a.png", "PNG");
        Age(source, TimeSpan.FromMinutes(10));
        string appPath = Path.GetFullPath(Path.Join(source, "js", "app.js"));
        byte[] appBytes = Encoding.UTF8.GetBytes(app);
        string cache = Path.Join(Folder(), "collect.cache");
        using (var writer = new BinaryWriter(File.Create(cache), Encoding.UTF8))
        {
            writer.Write("wharf-collect-cache");
            writer.Write(1);
            writer.Write(CollectCache.KeyOf(new StaticCollectOptions()));
            writer.Write(1);
            writer.Write(appPath);
            writer.Write((long)appBytes.Length);
            writer.Write(File.GetLastWriteTimeUtc(appPath).Ticks);
            writer.Write(true);
            writer.Write(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(appBytes)));
            writer.Write("sha384-" + Convert.ToBase64String(System.Security.Cryptography.SHA384.HashData(appBytes)));
            writer.Write(true);
            writer.Write(0); // no references
            writer.Write(0); // no final hashes
            writer.Write(false); // no destination
        }

        (IStorage storage, _) = Destination();
        CollectResult result = await Collect(storage, source, o => o.CacheFile = cache);

        StringAssert.Contains(
            await storage.ReadAllTextAsync(result.Manifest.Paths["js/app.js"], cancellationToken: Ct),
            $"new URL('./{FileName(result.Manifest.Paths["js/a.png"])}', import.meta.url)");

        // The cache it wrote in its place holds the reference, and a re-collect from it gives the same result.
        (IStorage again, _) = Destination();
        CollectResult cached = await Collect(again, source, o => o.CacheFile = cache);
        CollectionAssert.AreEqual(result.Manifest.ToUtf8Bytes(), cached.Manifest.ToUtf8Bytes());
    }

    [TestMethod]
    public async Task A_cache_file_with_a_reference_kind_this_version_does_not_know_is_not_used()
    {
        // As a newer version could write it: escaping a URL for an unknown syntax would corrupt the file, so the
        // whole cache is ignored instead.
        string source = Folder();
        const string app = "export const u = new URL('./a.png', import.meta.url);\n";
        Write(source, "js/app.js", app);
        Write(source, "js/a.png", "PNG");
        Age(source, TimeSpan.FromMinutes(10));
        string cache = Path.Join(Folder(), "collect.cache");
        (IStorage first, _) = Destination();
        CollectResult fresh = await Collect(first, source, o => o.CacheFile = cache);
        byte[] bytes = await File.ReadAllBytesAsync(cache, Ct);
        byte[] url = Encoding.UTF8.GetBytes("./a.png");
        int at = bytes.AsSpan().IndexOf(url) - 1 - (2 * sizeof(int)) - 1; // the kind byte before Start, Length and the URL's length prefix
        Assert.AreEqual((byte)AssetReferenceKind.JsNewUrl, bytes[at], "The test finds the kind byte.");
        bytes[at] = 200;
        await File.WriteAllBytesAsync(cache, bytes, Ct);

        (IStorage storage, _) = Destination();
        CollectResult result = await Collect(storage, source, o => o.CacheFile = cache);

        CollectionAssert.AreEqual(fresh.Manifest.ToUtf8Bytes(), result.Manifest.ToUtf8Bytes());
        StringAssert.Contains(
            await storage.ReadAllTextAsync(result.Manifest.Paths["js/app.js"], cancellationToken: Ct),
            $"new URL('./{FileName(result.Manifest.Paths["js/a.png"])}', import.meta.url)");
    }

    [TestMethod]
    public async Task A_collect_is_traced_and_counted()
    {
        string source = Folder();
        Write(source, "a.css", "a { background: url(x.png) }");
        Write(source, "x.png", "X");
        string root = Folder();
        var storage = new FileSystemStorage("static-telemetry", new FileSystemStorageOptions { Root = root, FlushToDisk = false });
        var activities = new System.Collections.Concurrent.ConcurrentBag<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == StaticManifestDiagnostics.SourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        long published = 0;
        using var meters = new System.Diagnostics.Metrics.MeterListener();
        meters.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StaticManifestDiagnostics.SourceName && instrument.Name == "wharf.static.files.published")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "wharf.storage.name" && (string?)tag.Value == "static-telemetry")
                {
                    Interlocked.Add(ref published, value);
                }
            }
        });
        meters.Start();

        CollectResult result = await Collect(storage, source);

        System.Diagnostics.Activity collect = activities.Single(a => a.OperationName == "collect" && (string?)a.GetTagItem("wharf.storage.name") == "static-telemetry");
        Assert.AreEqual(result.Copied, (int)collect.GetTagItem("wharf.static.copied")!);
        Assert.AreEqual(result.Copied, Interlocked.Read(ref published));
        Assert.IsGreaterThan(0, result.Copied);
    }

    private static string FileName(string path) => path[(path.LastIndexOf('/') + 1)..];
}
