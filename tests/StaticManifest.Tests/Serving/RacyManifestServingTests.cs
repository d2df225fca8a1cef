using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wharf.StaticManifest.Tests.Runtime;
using static Wharf.StaticManifest.Tests.Serving.Http;
using static Wharf.StaticManifest.Tests.Serving.ManifestServingTests;

namespace Wharf.StaticManifest.Tests.Serving;

/// <summary>
/// The serving middleware's manifest rewritten with the same length and the same last-write time: while the time is
/// recent the content is compared (a change is served, an identical rewrite rebuilds nothing); once settled, the time
/// and length are trusted.
/// </summary>
[TestClass]
public sealed class RacyManifestServingTests
{
    [TestMethod]
    public async Task A_same_length_rewrite_with_the_same_write_time_is_served()
    {
        using var root = new StaticRoot();
        using var logs = new LogCollector();
        StaticAsset first = root.Add("css/a.css", StaticRoot.Css(1000, 1), "text/css");
        DateTime written = SameTickWrites.Write(root.ManifestPath, ManifestOf(root), SameTickWrites.RacyTime());
        using IHost host = await StartAsync(root, logs);
        var client = new RawClient(host.GetTestServer());
        Assert.AreEqual(HttpStatusCode.OK, (await GetAsync(client, "/static/" + first.StoredPath)).StatusCode);

        StaticAsset second = ReplaceWithSameLength(root, first, out byte[] manifest);
        Assert.AreEqual(written, SameTickWrites.Write(root.ManifestPath, manifest, written), "The same write time, to the tick.");

        await EventuallyAsync(async () => (await GetAsync(client, "/static/" + second.StoredPath)).StatusCode == HttpStatusCode.OK);
        Assert.IsTrue(FellThrough(await GetAsync(client, "/static/" + first.StoredPath)), "Gone from the manifest, gone from the site.");
        await AssertLoadedAsync(logs, 2, "Loaded at start-up and once for the rewrite.");
    }

    [TestMethod]
    public async Task An_identical_rewrite_with_the_same_write_time_rebuilds_nothing()
    {
        using var root = new StaticRoot();
        using var logs = new LogCollector();
        StaticAsset first = root.Add("css/a.css", StaticRoot.Css(1000, 1), "text/css");
        byte[] original = ManifestOf(root);
        DateTime written = SameTickWrites.Write(root.ManifestPath, original, SameTickWrites.RacyTime());
        using IHost host = await StartAsync(root, logs);
        var client = new RawClient(host.GetTestServer());

        // The same bytes again, as a new file renamed over the old one. Each request starts a check (the interval is
        // zero), and each check reads the recent file again and finds the content it has.
        Assert.AreEqual(written, SameTickWrites.Write(root.ManifestPath, original, written));
        for (int i = 0; i < 20; i++)
        {
            Assert.AreEqual(HttpStatusCode.OK, (await GetAsync(client, "/static/" + first.StoredPath)).StatusCode);
            await Task.Delay(10);
        }

        Assert.AreEqual(1, Loaded(logs), "Only the start-up load.");

        // Then a real change of the same time and length: served, so the checks were still comparing content; and
        // the count of loads shows the identical rewrite rebuilt nothing before it.
        StaticAsset second = ReplaceWithSameLength(root, first, out byte[] manifest);
        Assert.AreEqual(written, SameTickWrites.Write(root.ManifestPath, manifest, written));
        await EventuallyAsync(async () => (await GetAsync(client, "/static/" + second.StoredPath)).StatusCode == HttpStatusCode.OK);
        await AssertLoadedAsync(logs, 2, "The start-up load and the real change.");
    }

    /// <summary>
    /// The documented limit: a manifest whose time is older than the racy window is trusted by its time and length
    /// and not read again, so content replaced under the very same time and length is not seen (only a writer that
    /// forges the old time can do that; a real rewrite gets a new time).
    /// </summary>
    [TestMethod]
    public async Task Documented_limit_a_settled_manifest_rewritten_with_the_same_time_and_length_is_not_served()
    {
        using var root = new StaticRoot();
        using var logs = new LogCollector();
        StaticAsset first = root.Add("css/a.css", StaticRoot.Css(1000, 1), "text/css");
        DateTime written = SameTickWrites.Write(root.ManifestPath, ManifestOf(root), SameTickWrites.SettledTime());
        using IHost host = await StartAsync(root, logs);
        var client = new RawClient(host.GetTestServer());

        StaticAsset second = ReplaceWithSameLength(root, first, out byte[] manifest);
        Assert.AreEqual(written, SameTickWrites.Write(root.ManifestPath, manifest, written));
        for (int i = 0; i < 20; i++)
        {
            Assert.AreEqual(HttpStatusCode.OK, (await GetAsync(client, "/static/" + first.StoredPath)).StatusCode);
            Assert.IsTrue(FellThrough(await GetAsync(client, "/static/" + second.StoredPath)));
            await Task.Delay(10);
        }

        Assert.AreEqual(1, Loaded(logs), "Only the start-up load.");

        // Any other time (still a settled one) and the new manifest is served.
        SameTickWrites.Write(root.ManifestPath, manifest, written.AddSeconds(1));
        await EventuallyAsync(async () => (await GetAsync(client, "/static/" + second.StoredPath)).StatusCode == HttpStatusCode.OK);
        await AssertLoadedAsync(logs, 2, "The start-up load and the new time.");
    }

    private static byte[] ManifestOf(StaticRoot root) => new StaticAssetManifest(root.Assets).ToUtf8Bytes();

    /// <summary>
    /// Replaces <paramref name="old"/> with other content of the same length under the same logical path: a new
    /// fingerprinted name, and a manifest of the same length as before (only hex digits and base64 differ).
    /// </summary>
    private static StaticAsset ReplaceWithSameLength(StaticRoot root, StaticAsset old, out byte[] manifest)
    {
        byte[] before = ManifestOf(root);
        root.Remove(old);
        StaticAsset replacement = root.Add(old.LogicalPath, StaticRoot.Css((int)old.Length, 2), old.ContentType);
        manifest = ManifestOf(root);
        Assert.AreNotEqual(old.StoredPath, replacement.StoredPath);
        Assert.HasCount(before.Length, manifest, "The manifests have the same length.");
        return replacement;
    }

    /// <summary>Starts the server checking the manifest on every request, with its log collected.</summary>
    private static Task<IHost> StartAsync(StaticRoot root, LogCollector logs) => root.StartTestServerAsync(
        options => options.ManifestCheckInterval = TimeSpan.Zero,
        app => app.ApplicationServices.GetRequiredService<ILoggerFactory>().AddProvider(logs));

    private static int Loaded(LogCollector logs) => logs.Entries.Count(e => e.EventId.Name == "ManifestLoaded");

    /// <summary>
    /// The middleware swaps the index in and then logs, so a request can see the new index a moment before its log:
    /// waits for <paramref name="expected"/> loads, then checks there are no more.
    /// </summary>
    private static async Task AssertLoadedAsync(LogCollector logs, int expected, string message)
    {
        await EventuallyAsync(() => Task.FromResult(Loaded(logs) >= expected));
        Assert.AreEqual(expected, Loaded(logs), message);
    }
}
