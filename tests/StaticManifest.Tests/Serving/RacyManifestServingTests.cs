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
        using Site site = await Site.StartAsync(SameTickWrites.RacyTime());
        Assert.AreEqual(HttpStatusCode.OK, (await site.GetAsync(site.First)).StatusCode);

        StaticAsset second = site.ReplaceFirstWithSameLength(out byte[] manifest);
        Assert.AreEqual(site.Written, site.WriteManifest(manifest, site.Written), "The same write time, to the tick.");

        await EventuallyAsync(async () => (await site.GetAsync(second)).StatusCode == HttpStatusCode.OK);
        Assert.IsTrue(FellThrough(await site.GetAsync(site.First)), "Gone from the manifest, gone from the site.");
        await site.AssertLoadedAsync(2, "Loaded at start-up and once for the rewrite.");
    }

    [TestMethod]
    public async Task An_identical_rewrite_with_the_same_write_time_rebuilds_nothing()
    {
        using Site site = await Site.StartAsync(SameTickWrites.RacyTime());

        // The same bytes again, as a new file renamed over the old one. Each request starts a check (the interval is
        // zero), and each check reads the recent file again and finds the content it has.
        Assert.AreEqual(site.Written, site.WriteManifest(site.Original, site.Written));
        for (int i = 0; i < 20; i++)
        {
            Assert.AreEqual(HttpStatusCode.OK, (await site.GetAsync(site.First)).StatusCode);
            await Task.Delay(10);
        }

        Assert.AreEqual(1, site.Loaded, "Only the start-up load.");

        // Then a real change of the same time and length: served, so the checks were still comparing content; and
        // the count of loads shows the identical rewrite rebuilt nothing before it.
        StaticAsset second = site.ReplaceFirstWithSameLength(out byte[] manifest);
        Assert.AreEqual(site.Written, site.WriteManifest(manifest, site.Written));
        await EventuallyAsync(async () => (await site.GetAsync(second)).StatusCode == HttpStatusCode.OK);
        await site.AssertLoadedAsync(2, "The start-up load and the real change.");
    }

    /// <summary>
    /// The documented limit: a manifest whose time is older than the racy window is trusted by its time and length
    /// and not read again, so content replaced under the very same time and length is not seen (only a writer that
    /// forges the old time can do that; a real rewrite gets a new time).
    /// </summary>
    [TestMethod]
    public async Task Documented_limit_a_settled_manifest_rewritten_with_the_same_time_and_length_is_not_served()
    {
        using Site site = await Site.StartAsync(SameTickWrites.SettledTime());

        StaticAsset second = site.ReplaceFirstWithSameLength(out byte[] manifest);
        Assert.AreEqual(site.Written, site.WriteManifest(manifest, site.Written));
        for (int i = 0; i < 20; i++)
        {
            Assert.AreEqual(HttpStatusCode.OK, (await site.GetAsync(site.First)).StatusCode);
            Assert.IsTrue(FellThrough(await site.GetAsync(second)));
            await Task.Delay(10);
        }

        Assert.AreEqual(1, site.Loaded, "Only the start-up load.");

        // Any other time (still a settled one) and the new manifest is served.
        site.WriteManifest(manifest, site.Written.AddSeconds(1));
        await EventuallyAsync(async () => (await site.GetAsync(second)).StatusCode == HttpStatusCode.OK);
        await site.AssertLoadedAsync(2, "The start-up load and the new time.");
    }

    private static byte[] ManifestOf(StaticRoot root) => new StaticAssetManifest(root.Assets).ToUtf8Bytes();

    /// <summary>
    /// A root with css/a.css (<see cref="First"/>), its manifest written with a chosen last-write time, and a server
    /// checking the manifest on every request, with its log collected.
    /// </summary>
    private sealed class Site(StaticRoot root, LogCollector logs, IHost host, StaticAsset first, byte[] original, DateTime written) : IDisposable
    {
        public RawClient Client { get; } = new(host.GetTestServer());

        /// <summary>css/a.css as first published.</summary>
        public StaticAsset First => first;

        /// <summary>The manifest written before the start.</summary>
        public byte[] Original => original;

        /// <summary>Its last-write time, as the file system keeps it.</summary>
        public DateTime Written => written;

        /// <summary>How many times the middleware loaded a manifest, by its log.</summary>
        public int Loaded => logs.Entries.Count(e => e.EventId.Name == "ManifestLoaded");

        /// <summary>Writes the manifest and starts the server checking it on every request, with its log collected.</summary>
        public static async Task<Site> StartAsync(DateTime manifestTime)
        {
            var root = new StaticRoot();
            var logs = new LogCollector();
            try
            {
                StaticAsset first = root.Add("css/a.css", StaticRoot.Css(1000, 1), "text/css");
                byte[] original = ManifestOf(root);
                DateTime written = SameTickWrites.Write(root.ManifestPath, original, manifestTime);
                IHost host = await root.StartTestServerAsync(
                    options => options.ManifestCheckInterval = TimeSpan.Zero,
                    app => app.ApplicationServices.GetRequiredService<ILoggerFactory>().AddProvider(logs));
                return new Site(root, logs, host, first, original, written);
            }
            catch
            {
                logs.Dispose();
                root.Dispose();
                throw;
            }
        }

        public Task<HttpResponseMessage> GetAsync(StaticAsset asset) => Http.GetAsync(Client, "/static/" + asset.StoredPath);

        /// <summary>Writes <paramref name="manifest"/> with the last-write time <paramref name="time"/>; see <see cref="SameTickWrites.Write"/>.</summary>
        public DateTime WriteManifest(byte[] manifest, DateTime time) => SameTickWrites.Write(root.ManifestPath, manifest, time);

        /// <summary>
        /// Replaces <see cref="First"/> with other content of the same length under the same logical path: a new
        /// fingerprinted name, and a manifest of the same length as before (only hex digits and base64 differ).
        /// </summary>
        public StaticAsset ReplaceFirstWithSameLength(out byte[] manifest)
        {
            byte[] before = ManifestOf(root);
            root.Remove(first);
            StaticAsset replacement = root.Add(first.LogicalPath, StaticRoot.Css((int)first.Length, 2), first.ContentType);
            manifest = ManifestOf(root);
            Assert.AreNotEqual(first.StoredPath, replacement.StoredPath);
            Assert.HasCount(before.Length, manifest, "The manifests have the same length.");
            return replacement;
        }

        /// <summary>
        /// The middleware swaps the index in and then logs, so a request can see the new index a moment before its log:
        /// waits for <paramref name="expected"/> loads, then checks there are no more.
        /// </summary>
        public async Task AssertLoadedAsync(int expected, string message)
        {
            await EventuallyAsync(() => Task.FromResult(Loaded >= expected));
            Assert.AreEqual(expected, Loaded, message);
        }

        public void Dispose()
        {
            host.Dispose();
            logs.Dispose();
            root.Dispose();
        }
    }
}
