using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Wharf.StaticManifest.Runtime;
using static Wharf.StaticManifest.Tests.Runtime.RuntimeTestSupport;

namespace Wharf.StaticManifest.Tests.Runtime;

/// <summary>
/// A manifest file rewritten with the same length and the same last-write time (within one timestamp tick): while the
/// time is recent the file source compares content, so the change is loaded and an identical rewrite is not; once the
/// time has settled the time and length are trusted again.
/// </summary>
[TestClass]
public sealed class RacyReloadTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task A_same_length_rewrite_with_the_same_write_time_is_loaded_by_the_polling_loop()
    {
        using var folder = new TempFolder();
        string path = folder.File("staticfiles.json");
        byte[] a = SampleJson("aaaaaaaaaaaa");
        byte[] b = SampleJson("bbbbbbbbbbbb");
        Assert.HasCount(a.Length, b, "Only the 12-hex hash differs: the same length.");
        DateTime written = SameTickWrites.Write(path, a, SameTickWrites.RacyTime());
        using var logs = new LogCollector();
        using ILoggerFactory factory = logs.CreateFactory();
        using var provider = new StaticAssetManifestProvider(new FileManifestSource(path), "/static/", factory.CreateLogger<StaticAssetManifestProvider>());
        var resolver = new StaticAssetResolver(provider, strict: true);
        await provider.EnsureLoadedAsync(TestContext.CancellationToken);
        Assert.AreEqual("/static/css/site.aaaaaaaaaaaa.css", resolver.GetUrl("css/site.css"));
        IChangeToken token = provider.GetChangeToken();
        StaticAssetManifest before = provider.Manifest;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        Task loop = provider.RunReloadLoopAsync(TimeSpan.FromMilliseconds(20), TimeProvider.System, stop.Token);
        try
        {
            Assert.AreEqual(written, SameTickWrites.Write(path, b, written), "The same write time, to the tick.");
            Assert.IsTrue(await WaitUntilAsync(() => resolver.GetUrl("css/site.css") == "/static/css/site.bbbbbbbbbbbb.css", Bound),
                "A rewrite its time and length do not show was not loaded.");
        }
        finally
        {
            await stop.CancelAsync();
            await loop;
        }

        Assert.IsTrue(token.HasChanged, "The change token fires on the swap.");
        Assert.AreNotSame(before, provider.Manifest);
        Assert.AreEqual(1, logs.Entries.Count(e => e.EventId.Name == "Reloaded"), "One swap; the polls after it re-read the same content and load nothing.");
        Assert.IsEmpty(logs.Messages(LogLevel.Error));
    }

    [TestMethod]
    public async Task A_same_length_rewrite_with_the_same_write_time_is_loaded_by_a_reload()
    {
        using var folder = new TempFolder();
        string path = folder.File("staticfiles.json");
        DateTime written = SameTickWrites.Write(path, SampleJson("aaaaaaaaaaaa"), SameTickWrites.RacyTime());
        using var provider = new StaticAssetManifestProvider(new FileManifestSource(path), "/static/");
        var resolver = new StaticAssetResolver(provider, strict: true);
        await provider.EnsureLoadedAsync(TestContext.CancellationToken);

        // Back and forth: each version replaces one of the same time and length.
        foreach (string hash in new[] { "bbbbbbbbbbbb", "aaaaaaaaaaaa", "cccccccccccc" })
        {
            Assert.AreEqual(written, SameTickWrites.Write(path, SampleJson(hash), written));
            Assert.IsTrue(await provider.ReloadAsync(TestContext.CancellationToken), hash);
            Assert.AreEqual($"/static/css/site.{hash}.css", resolver.GetUrl("css/site.css"));
            Assert.IsFalse(await provider.ReloadAsync(TestContext.CancellationToken), "Read again, the same content: not loaded again.");
        }
    }

    [TestMethod]
    public async Task An_identical_rewrite_with_the_same_write_time_is_not_reloaded()
    {
        using var folder = new TempFolder();
        string path = folder.File("staticfiles.json");
        byte[] a = SampleJson("aaaaaaaaaaaa");
        DateTime written = SameTickWrites.Write(path, a, SameTickWrites.RacyTime());
        using var logs = new LogCollector();
        using ILoggerFactory factory = logs.CreateFactory();
        using var provider = new StaticAssetManifestProvider(new FileManifestSource(path), "/static/", factory.CreateLogger<StaticAssetManifestProvider>());
        var resolver = new StaticAssetResolver(provider, strict: true);
        await provider.EnsureLoadedAsync(TestContext.CancellationToken);
        IChangeToken token = provider.GetChangeToken();
        StaticAssetManifest before = provider.Manifest;

        // The same bytes again (a deploy that changed nothing), as a new file renamed over the old one.
        Assert.AreEqual(written, SameTickWrites.Write(path, a, written));
        for (int i = 0; i < 3; i++)
        {
            Assert.IsFalse(await provider.ReloadAsync(TestContext.CancellationToken), "Re-read while the time is recent; the same content is not loaded.");
        }

        Assert.IsFalse(token.HasChanged);
        Assert.AreSame(before, provider.Manifest);
        Assert.AreEqual(0, logs.Entries.Count(e => e.EventId.Name == "Reloaded"));
        Assert.IsEmpty(logs.Messages(LogLevel.Error));

        // Still compared by content after those polls: a real change of the same time and length is loaded.
        Assert.AreEqual(written, SameTickWrites.Write(path, SampleJson("bbbbbbbbbbbb"), written));
        Assert.IsTrue(await provider.ReloadAsync(TestContext.CancellationToken));
        Assert.AreEqual("/static/css/site.bbbbbbbbbbbb.css", resolver.GetUrl("css/site.css"));
        Assert.IsTrue(token.HasChanged);
    }

    /// <summary>
    /// The documented limit: once a manifest's time is older than the racy window, its time and length are trusted and
    /// it is not read again, so content replaced under the very same time and length is not seen. Only a writer that
    /// forges the old time can do that; a real rewrite gets a new time.
    /// </summary>
    [TestMethod]
    public async Task Documented_limit_a_settled_manifest_rewritten_with_the_same_time_and_length_is_not_reloaded()
    {
        using var folder = new TempFolder();
        string path = folder.File("staticfiles.json");
        DateTime written = SameTickWrites.Write(path, SampleJson("aaaaaaaaaaaa"), SameTickWrites.SettledTime());
        using var logs = new LogCollector();
        using ILoggerFactory factory = logs.CreateFactory();
        using var provider = new StaticAssetManifestProvider(new FileManifestSource(path), "/static/", factory.CreateLogger<StaticAssetManifestProvider>());
        var resolver = new StaticAssetResolver(provider, strict: true);
        await provider.EnsureLoadedAsync(TestContext.CancellationToken);
        IChangeToken token = provider.GetChangeToken();
        StaticAssetManifest before = provider.Manifest;

        Assert.AreEqual(written, SameTickWrites.Write(path, SampleJson("bbbbbbbbbbbb"), written));
        for (int i = 0; i < 3; i++)
        {
            Assert.IsFalse(await provider.ReloadAsync(TestContext.CancellationToken), "A settled time and the same length: not read again.");
        }

        Assert.AreEqual("/static/css/site.aaaaaaaaaaaa.css", resolver.GetUrl("css/site.css"));
        Assert.IsFalse(token.HasChanged);
        Assert.AreSame(before, provider.Manifest);
        Assert.AreEqual(0, logs.Entries.Count(e => e.EventId.Name == "Reloaded"));

        // Any other time (still a settled one) and the new content is loaded.
        SameTickWrites.Write(path, SampleJson("bbbbbbbbbbbb"), written.AddSeconds(1));
        Assert.IsTrue(await provider.ReloadAsync(TestContext.CancellationToken));
        Assert.AreEqual("/static/css/site.bbbbbbbbbbbb.css", resolver.GetUrl("css/site.css"));
        Assert.IsTrue(token.HasChanged);
    }
}
