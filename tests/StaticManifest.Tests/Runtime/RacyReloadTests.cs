using Microsoft.Extensions.Logging;
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
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task A_same_length_rewrite_with_the_same_write_time_is_loaded_by_the_polling_loop()
    {
        using var file = new ManifestFile();
        byte[] a = SampleJson("aaaaaaaaaaaa");
        byte[] b = SampleJson("bbbbbbbbbbbb");
        Assert.HasCount(a.Length, b, "Only the 12-hex hash differs: the same length.");
        DateTime written = SameTickWrites.Write(file.Path, a, SameTickWrites.RacyTime());
        await file.LoadAsync(TestContext.CancellationToken);
        Assert.AreEqual("/static/css/site.aaaaaaaaaaaa.css", file.Resolver.GetUrl("css/site.css"));

        await WhilePollingAsync(file.Provider, async () =>
        {
            Assert.AreEqual(written, SameTickWrites.Write(file.Path, b, written), "The same write time, to the tick.");
            Assert.IsTrue(await WaitUntilAsync(() => file.Resolver.GetUrl("css/site.css") == "/static/css/site.bbbbbbbbbbbb.css", Bound),
                "A rewrite its time and length do not show was not loaded.");
        }, TestContext.CancellationToken);

        Assert.IsTrue(file.FirstToken.HasChanged, "The change token fires on the swap.");
        Assert.AreNotSame(file.First, file.Provider.Manifest);
        Assert.AreEqual(1, file.Reloads, "One swap; the polls after it re-read the same content and load nothing.");
        Assert.IsEmpty(file.Logs.Messages(LogLevel.Error));
    }

    [TestMethod]
    public async Task A_same_length_rewrite_with_the_same_write_time_is_loaded_by_a_reload()
    {
        using var file = new ManifestFile(logged: false);
        DateTime written = SameTickWrites.Write(file.Path, SampleJson("aaaaaaaaaaaa"), SameTickWrites.RacyTime());
        await file.LoadAsync(TestContext.CancellationToken);

        // Back and forth: each version replaces one of the same time and length.
        foreach (string hash in new[] { "bbbbbbbbbbbb", "aaaaaaaaaaaa", "cccccccccccc" })
        {
            Assert.AreEqual(written, SameTickWrites.Write(file.Path, SampleJson(hash), written));
            Assert.IsTrue(await file.Provider.ReloadAsync(TestContext.CancellationToken), hash);
            Assert.AreEqual($"/static/css/site.{hash}.css", file.Resolver.GetUrl("css/site.css"));
            Assert.IsFalse(await file.Provider.ReloadAsync(TestContext.CancellationToken), "Read again, the same content: not loaded again.");
        }
    }

    [TestMethod]
    public async Task An_identical_rewrite_with_the_same_write_time_is_not_reloaded()
    {
        using var file = new ManifestFile();
        byte[] a = SampleJson("aaaaaaaaaaaa");
        DateTime written = SameTickWrites.Write(file.Path, a, SameTickWrites.RacyTime());
        await file.LoadAsync(TestContext.CancellationToken);

        // The same bytes again (a deploy that changed nothing), as a new file renamed over the old one.
        Assert.AreEqual(written, SameTickWrites.Write(file.Path, a, written));
        await AssertNotReloadedAsync(file, "Re-read while the time is recent; the same content is not loaded.");
        Assert.IsEmpty(file.Logs.Messages(LogLevel.Error));

        // Still compared by content after those polls: a real change of the same time and length is loaded.
        Assert.AreEqual(written, SameTickWrites.Write(file.Path, SampleJson("bbbbbbbbbbbb"), written));
        await AssertReloadedAsync(file, "bbbbbbbbbbbb");
    }

    /// <summary>
    /// The documented limit: once a manifest's time is older than the racy window, its time and length are trusted and
    /// it is not read again, so content replaced under the very same time and length is not seen. Only a writer that
    /// forges the old time can do that; a real rewrite gets a new time.
    /// </summary>
    [TestMethod]
    public async Task Documented_limit_a_settled_manifest_rewritten_with_the_same_time_and_length_is_not_reloaded()
    {
        using var file = new ManifestFile();
        DateTime written = SameTickWrites.Write(file.Path, SampleJson("aaaaaaaaaaaa"), SameTickWrites.SettledTime());
        await file.LoadAsync(TestContext.CancellationToken);

        Assert.AreEqual(written, SameTickWrites.Write(file.Path, SampleJson("bbbbbbbbbbbb"), written));
        await AssertNotReloadedAsync(file, "A settled time and the same length: not read again.");
        Assert.AreEqual("/static/css/site.aaaaaaaaaaaa.css", file.Resolver.GetUrl("css/site.css"));

        // Any other time (still a settled one) and the new content is loaded.
        SameTickWrites.Write(file.Path, SampleJson("bbbbbbbbbbbb"), written.AddSeconds(1));
        await AssertReloadedAsync(file, "bbbbbbbbbbbb");
    }

    /// <summary>Three reloads load nothing: the first manifest stays, its change token has not fired, nothing was swapped in.</summary>
    private async Task AssertNotReloadedAsync(ManifestFile file, string message)
    {
        for (int i = 0; i < 3; i++)
        {
            Assert.IsFalse(await file.Provider.ReloadAsync(TestContext.CancellationToken), message);
        }

        Assert.IsFalse(file.FirstToken.HasChanged);
        Assert.AreSame(file.First, file.Provider.Manifest);
        Assert.AreEqual(0, file.Reloads);
    }

    /// <summary>A reload loads the file's new content (css/site.css with <paramref name="cssHash"/>) and fires the first change token.</summary>
    private async Task AssertReloadedAsync(ManifestFile file, string cssHash)
    {
        Assert.IsTrue(await file.Provider.ReloadAsync(TestContext.CancellationToken));
        Assert.AreEqual($"/static/css/site.{cssHash}.css", file.Resolver.GetUrl("css/site.css"));
        Assert.IsTrue(file.FirstToken.HasChanged);
    }
}
