using Microsoft.Extensions.Logging;
using Wharf.StaticManifest.Runtime;
using Wharf.Storage;
using Wharf.Storage.FileSystem;
using static Wharf.StaticManifest.Tests.Runtime.RuntimeTestSupport;

namespace Wharf.StaticManifest.Tests.Runtime;

[TestClass]
public sealed class ReloadTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task A_changed_manifest_file_is_swapped_in_by_the_polling_loop()
    {
        using var file = new ManifestFile(logged: false);
        File.WriteAllBytes(file.Path, SampleJson("aaaaaaaaaaaa"));
        await file.LoadAsync(TestContext.CancellationToken);
        Assert.AreEqual("/static/css/site.aaaaaaaaaaaa.css", file.Resolver.GetUrl("css/site.css"));

        await WhilePollingAsync(file.Provider, async () =>
        {
            WriteAtomically(file.Path, SampleJson("bbbbbbbbbbbb"));
            Assert.IsTrue(await WaitUntilAsync(() => file.Resolver.GetUrl("css/site.css") == "/static/css/site.bbbbbbbbbbbb.css", Bound), "The renamed-in manifest was not loaded.");
            Assert.IsTrue(file.FirstToken.HasChanged, "The change token fires on a swap.");
            Assert.AreNotSame(file.First, file.Provider.Manifest);

            // Written in place (Django's own way), not renamed: seen as well.
            File.WriteAllBytes(file.Path, SampleJson("cccccccccccc"));
            Assert.IsTrue(await WaitUntilAsync(() => file.Resolver.GetUrl("css/site.css") == "/static/css/site.cccccccccccc.css", Bound), "The rewritten manifest was not loaded.");
        }, TestContext.CancellationToken);
    }

    [TestMethod]
    public async Task A_folder_as_the_manifest_path_means_its_staticfiles_json()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("staticfiles.json"), SampleJson());
        using var provider = new StaticAssetManifestProvider(new FileManifestSource(folder.Path), "/static/");

        await provider.EnsureLoadedAsync(TestContext.CancellationToken);

        Assert.AreEqual($"file '{folder.File("staticfiles.json")}'", provider.Source);
        Assert.AreEqual(Sample().Hash, provider.Manifest.Hash);
    }

    [TestMethod]
    public async Task A_failed_reload_keeps_the_previous_manifest_and_is_logged_once()
    {
        using var file = new ManifestFile();
        File.WriteAllBytes(file.Path, SampleJson("aaaaaaaaaaaa"));
        await file.LoadAsync(TestContext.CancellationToken);

        // Truncated mid-write, as a non-atomic deployment can leave it.
        File.WriteAllText(file.Path, """{"paths": {"css/site.css": "css/site.b""");
        Assert.IsFalse(await file.Provider.ReloadAsync(TestContext.CancellationToken));
        Assert.IsFalse(await file.Provider.ReloadAsync(TestContext.CancellationToken), "The same broken file is not parsed again.");
        Assert.AreEqual("/static/css/site.aaaaaaaaaaaa.css", file.Resolver.GetUrl("css/site.css"));
        Assert.IsFalse(file.FirstToken.HasChanged);

        // Deleted: still the old manifest; a different failure is logged once more.
        File.Delete(file.Path);
        Assert.IsFalse(await file.Provider.ReloadAsync(TestContext.CancellationToken));
        Assert.IsFalse(await file.Provider.ReloadAsync(TestContext.CancellationToken));
        Assert.AreEqual("/static/css/site.aaaaaaaaaaaa.css", file.Resolver.GetUrl("css/site.css"));

        string[] errors = [.. file.Logs.Messages(LogLevel.Error)];
        Assert.HasCount(2, errors, string.Join("\n", errors));
        Assert.Contains(file.Path, errors[0]);
        Assert.IsTrue(file.Logs.Entries.Where(e => e.Level == LogLevel.Error).All(e => e.Exception is StaticManifestException));
        Assert.Contains("not valid JSON", file.Logs.Entries.First(e => e.Level == LogLevel.Error).Exception!.Message);
        Assert.Contains("does not exist", file.Logs.Entries.Last(e => e.Level == LogLevel.Error).Exception!.Message);

        // Fixed: swapped in.
        WriteAtomically(file.Path, SampleJson("dddddddddddd"));
        Assert.IsTrue(await file.Provider.ReloadAsync(TestContext.CancellationToken));
        Assert.AreEqual("/static/css/site.dddddddddddd.css", file.Resolver.GetUrl("css/site.css"));
        Assert.IsTrue(file.FirstToken.HasChanged);
        Assert.IsFalse(await file.Provider.ReloadAsync(TestContext.CancellationToken), "An unchanged file is not read again.");
    }

    [TestMethod]
    public async Task A_manifest_of_the_wrong_shape_or_version_is_a_failed_reload()
    {
        var source = new MemoryManifestSource(SampleJson());
        using var provider = new StaticAssetManifestProvider(source, "/static/");
        var resolver = new StaticAssetResolver(provider, strict: true);
        await provider.EnsureLoadedAsync(TestContext.CancellationToken);

        source.Set("""{"paths": {"a.css": 42}, "version": "1.1"}"""u8.ToArray());
        Assert.IsFalse(await provider.ReloadAsync(TestContext.CancellationToken));
        source.Set("""{"paths": {}, "version": "9"}"""u8.ToArray());
        Assert.IsFalse(await provider.ReloadAsync(TestContext.CancellationToken));
        source.Fail("the storage is unavailable");
        Assert.IsFalse(await provider.ReloadAsync(TestContext.CancellationToken));

        Assert.AreEqual("/static/css/site.0123456789ab.css", resolver.GetUrl("css/site.css"));
    }

    [TestMethod]
    public async Task A_failing_change_listener_neither_undoes_the_swap_nor_stops_reloads()
    {
        var source = new MemoryManifestSource(SampleJson("aaaaaaaaaaaa"));
        using var logs = new LogCollector();
        using ILoggerFactory factory = logs.CreateFactory();
        using var provider = new StaticAssetManifestProvider(source, "/static/", factory.CreateLogger<StaticAssetManifestProvider>());
        await provider.EnsureLoadedAsync(TestContext.CancellationToken);
        using IDisposable registration = provider.GetChangeToken().RegisterChangeCallback(_ => throw new InvalidOperationException("listener bug"), null);

        source.Set(SampleJson("bbbbbbbbbbbb"));
        Assert.IsTrue(await provider.ReloadAsync(TestContext.CancellationToken));
        source.Set(SampleJson("cccccccccccc"));
        Assert.IsTrue(await provider.ReloadAsync(TestContext.CancellationToken));

        Assert.AreEqual("css/site.cccccccccccc.css", provider.Manifest.Paths["css/site.css"]);
        Assert.AreEqual(1, logs.Entries.Count(e => e.EventId.Id == 5 && e.Exception is AggregateException));
    }

    [TestMethod]
    public async Task A_lookup_during_reloads_sees_one_whole_manifest()
    {
        var source = new MemoryManifestSource(SampleJson("aaaaaaaaaaaa"));
        using var provider = new StaticAssetManifestProvider(source, "/static/");
        var resolver = new StaticAssetResolver(provider, strict: true);
        await provider.EnsureLoadedAsync(TestContext.CancellationToken);
        byte[][] versions = [SampleJson("aaaaaaaaaaaa"), SampleJson("bbbbbbbbbbbb")];
        string[] allowed = ["/static/css/site.aaaaaaaaaaaa.css", "/static/css/site.bbbbbbbbbbbb.css"];

        using var done = new CancellationTokenSource();
        int lookups = 0;
        Task reader = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                string url = resolver.GetUrl("css/site.css");
                Assert.Contains(url, allowed);
                Assert.AreEqual("/static/js/app.abcdefabcdef.js", resolver.GetUrl("js/app.js"));
                Interlocked.Increment(ref lookups);
            }
        }, TestContext.CancellationToken);

        // Reload until the reader has overlapped many swaps (bounded: 200 swaps and 10,000 lookups, or 10 s).
        int reloads = 0;
        DateTime deadline = DateTime.UtcNow + Bound;
        while ((reloads < 200 || Volatile.Read(ref lookups) < 10_000) && DateTime.UtcNow < deadline && !reader.IsCompleted)
        {
            source.Set(versions[reloads % 2]);
            Assert.IsTrue(await provider.ReloadAsync(TestContext.CancellationToken));
            reloads++;
        }

        await done.CancelAsync();
        await reader;
        Assert.IsGreaterThanOrEqualTo(200, reloads);
        Assert.IsGreaterThanOrEqualTo(10_000, lookups);
    }

    [TestMethod]
    public async Task A_missing_manifest_at_first_load_is_a_clear_error()
    {
        using var folder = new TempFolder();
        string path = folder.File("staticfiles.json");
        using var provider = new StaticAssetManifestProvider(new FileManifestSource(path), "/static/");

        StaticManifestException exception = await Assert.ThrowsExactlyAsync<StaticManifestException>(() => provider.EnsureLoadedAsync(TestContext.CancellationToken));

        Assert.Contains(path, exception.Message);
        Assert.Contains("Wharf:StaticAssets:ManifestPath", exception.Message);
        Assert.Contains("does not exist", exception.Message);
        Assert.ThrowsExactly<StaticManifestException>(() => new StaticAssetResolver(provider, strict: true).Resolve("css/site.css"),
            "Without a host, the first lookup loads the manifest and fails the same way.");
    }

    [TestMethod]
    public async Task A_manifest_in_a_storage_is_loaded_and_reloaded_when_its_ETag_changes()
    {
        using var folder = new TempFolder();
        var storage = new FileSystemStorage("staticfiles", new FileSystemStorageOptions { Root = folder.Path });
        await storage.SaveAsync("manifests/staticfiles.json", new MemoryStream(SampleJson("aaaaaaaaaaaa")), new SaveOptions { Overwrite = true }, TestContext.CancellationToken);
        using var provider = new StaticAssetManifestProvider(new StorageManifestSource(storage, "manifests/staticfiles.json"), "https://cdn.example.com/static/");
        var resolver = new StaticAssetResolver(provider, strict: true);

        await provider.EnsureLoadedAsync(TestContext.CancellationToken);
        Assert.AreEqual("https://cdn.example.com/static/css/site.aaaaaaaaaaaa.css", resolver.GetUrl("css/site.css"));
        Assert.AreEqual("storage 'staticfiles', object 'manifests/staticfiles.json'", provider.Source);
        Assert.IsFalse(await provider.ReloadAsync(TestContext.CancellationToken), "Same ETag: not read again.");

        await storage.SaveAsync("manifests/staticfiles.json", new MemoryStream(SampleJson("bbbbbbbbbbbb")), new SaveOptions { Overwrite = true }, TestContext.CancellationToken);
        await WhilePollingAsync(provider, async () =>
            Assert.IsTrue(await WaitUntilAsync(() => resolver.GetUrl("css/site.css") == "https://cdn.example.com/static/css/site.bbbbbbbbbbbb.css", Bound)),
            TestContext.CancellationToken);

        // Deleted from the storage: the previous manifest stays.
        await storage.DeleteAsync("manifests/staticfiles.json", TestContext.CancellationToken);
        Assert.IsFalse(await provider.ReloadAsync(TestContext.CancellationToken));
        Assert.AreEqual("https://cdn.example.com/static/css/site.bbbbbbbbbbbb.css", resolver.GetUrl("css/site.css"));
    }

    [TestMethod]
    public async Task A_manifest_missing_from_its_storage_is_a_clear_error()
    {
        using var folder = new TempFolder();
        var storage = new FileSystemStorage("staticfiles", new FileSystemStorageOptions { Root = folder.Path });
        using var provider = new StaticAssetManifestProvider(new StorageManifestSource(storage, "staticfiles.json"), "/static/");

        StaticManifestException exception = await Assert.ThrowsExactlyAsync<StaticManifestException>(() => provider.EnsureLoadedAsync(TestContext.CancellationToken));

        Assert.Contains("storage 'staticfiles', object 'staticfiles.json'", exception.Message);
        Assert.Contains("Wharf:StaticAssets:Storage", exception.Message);
        Assert.IsInstanceOfType<ObjectNotFoundException>(exception.InnerException?.InnerException);
    }
}
