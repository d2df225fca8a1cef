using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Hosting;
using static Wharf.StaticManifest.Tests.Serving.Http;

namespace Wharf.StaticManifest.Tests.Serving;

/// <summary>What the manifest says against what the disk holds, hostile entries, Django manifests, and reloading.</summary>
[TestClass]
public sealed class ManifestServingTests
{
    [TestMethod]
    public async Task A_rewritten_manifest_is_picked_up_and_swapped_in_whole()
    {
        using var root = new StaticRoot();
        StaticAsset first = root.Add("css/a.css", StaticRoot.Css(1000, 1), "text/css");
        StaticAsset robots = root.Add("robots.txt", "version 1"u8.ToArray(), "text/plain", fingerprint: false);
        root.WriteManifest();
        using IHost host = await root.StartTestServerAsync(options => options.ManifestCheckInterval = TimeSpan.Zero);
        var client = new RawClient(host.GetTestServer());
        string oldRobotsTag = Header(await GetAsync(client, "/static/robots.txt"), "ETag")!;
        Assert.AreEqual(HttpStatusCode.OK, (await GetAsync(client, "/static/" + first.StoredPath)).StatusCode);

        // A deploy: new files first, then the manifest (atomically, as collect writes it).
        root.Remove(first);
        StaticAsset second = root.Add("css/b.css", StaticRoot.Css(2000, 2), "text/css", brotli: true);
        root.Add("robots.txt", "version 2, longer"u8.ToArray(), "text/plain", fingerprint: false);
        root.WriteManifest();

        await EventuallyAsync(async () => (await GetAsync(client, "/static/" + second.StoredPath)).StatusCode == HttpStatusCode.OK);
        Assert.IsTrue(FellThrough(await GetAsync(client, "/static/" + first.StoredPath)), "Gone from the manifest, gone from the site (though still on disk).");
        using HttpResponseMessage robotsNow = await GetAsync(client, "/static/robots.txt");
        Assert.AreEqual("version 2, longer", await robotsNow.Content.ReadAsStringAsync());
        Assert.AreNotEqual(oldRobotsTag, Header(robotsNow, "ETag"));
        Assert.AreEqual(HttpStatusCode.OK, (await GetAsync(client, "/static/robots.txt", ("If-None-Match", oldRobotsTag))).StatusCode);
        Assert.AreEqual("br", Header(await GetAsync(client, "/static/" + second.StoredPath, ("Accept-Encoding", "br")), "Content-Encoding"));
    }

    [TestMethod]
    public async Task A_broken_manifest_keeps_the_previous_index_until_a_good_one_arrives()
    {
        using var root = new StaticRoot();
        StaticAsset first = root.Add("css/a.css", StaticRoot.Css(1000, 1), "text/css");
        root.WriteManifest();
        using IHost host = await root.StartTestServerAsync(options => options.ManifestCheckInterval = TimeSpan.Zero);
        var client = new RawClient(host.GetTestServer());

        await File.WriteAllTextAsync(root.ManifestPath, "{\"paths\": {\"a.css\": ");
        for (int i = 0; i < 20; i++)
        {
            Assert.AreEqual(HttpStatusCode.OK, (await GetAsync(client, "/static/" + first.StoredPath)).StatusCode);
            await Task.Delay(10);
        }

        StaticAsset second = root.Add("css/b.css", StaticRoot.Css(1000, 2), "text/css");
        root.WriteManifest();
        await EventuallyAsync(async () => (await GetAsync(client, "/static/" + second.StoredPath)).StatusCode == HttpStatusCode.OK);
    }

    [TestMethod]
    [DataRow("{\"version\": \"1.1\", \"wharf\": {\"files\": {\"a.css\": {\"encodings\": {\"br\": {\"size\": 1}}}}}}", DisplayName = "an encoding without a path")]
    [DataRow("{\"version\": \"1.1\", \"wharf\": {\"files\": {\"a.css\": {\"size\": \"big\"}}}}", DisplayName = "a size that is not a number")]
    [DataRow("{\"version\": \"1.1\", \"paths\": {\"a.css\": 5}}", DisplayName = "a path that is not a string")]
    [DataRow("{\"version\": \"3\"}", DisplayName = "an unknown version")]
    [DataRow("[]", DisplayName = "not an object")]
    public async Task A_malformed_manifest_at_start_up_serves_nothing_and_breaks_nothing(string json)
    {
        using var root = new StaticRoot();
        root.WriteFile("a.css", "x"u8.ToArray());
        await File.WriteAllTextAsync(root.ManifestPath, json);
        using IHost host = await root.StartTestServerAsync(options => options.ManifestCheckInterval = TimeSpan.Zero);
        var client = new RawClient(host.GetTestServer());

        for (int i = 0; i < 5; i++)
        {
            Assert.IsTrue(FellThrough(await GetAsync(client, "/static/a.css")));
            await Task.Delay(10);
        }

        StaticAsset fixedUp = root.Add("b.css", "y"u8.ToArray(), "text/css", fingerprint: false);
        root.WriteManifest();
        await EventuallyAsync(async () => (await GetAsync(client, "/static/" + fixedUp.StoredPath)).StatusCode == HttpStatusCode.OK);
    }

    [TestMethod]
    public async Task Without_a_manifest_everything_falls_through_until_one_is_written()
    {
        using var root = new StaticRoot();
        using IHost host = await root.StartTestServerAsync(options => options.ManifestCheckInterval = TimeSpan.Zero);
        var client = new RawClient(host.GetTestServer());
        Assert.IsTrue(FellThrough(await GetAsync(client, "/static/unlisted.txt")));

        root.Add("robots.txt", "x"u8.ToArray(), "text/plain", fingerprint: false);
        root.WriteManifest();
        await EventuallyAsync(async () => (await GetAsync(client, "/static/robots.txt")).StatusCode == HttpStatusCode.OK);
    }

    [TestMethod]
    public async Task An_infinite_check_interval_reads_the_manifest_once()
    {
        using var root = new StaticRoot();
        root.Add("robots.txt", "x"u8.ToArray(), "text/plain", fingerprint: false);
        root.WriteManifest();
        using IHost host = await root.StartTestServerAsync(options => options.ManifestCheckInterval = Timeout.InfiniteTimeSpan);
        var client = new RawClient(host.GetTestServer());

        StaticAsset added = root.Add("humans.txt", "y"u8.ToArray(), "text/plain", fingerprint: false);
        root.WriteManifest();
        for (int i = 0; i < 10; i++)
        {
            await Task.Delay(30);
            Assert.IsTrue(FellThrough(await GetAsync(client, "/static/" + added.StoredPath)));
        }
    }

    [TestMethod]
    public async Task A_Django_manifest_is_served_with_time_and_size_validators()
    {
        using var root = new StaticRoot();
        byte[] content = StaticRoot.Css(500, 7);
        string stored = StaticRoot.Fingerprint("css/d.css", content);
        root.WriteFile(stored, content);
        await File.WriteAllTextAsync(root.ManifestPath, $$"""{"paths": {"css/d.css": "{{stored}}"}, "version": "1.1", "hash": "0123456789ab"}""");
        using IHost host = await root.StartTestServerAsync();
        var client = new RawClient(host.GetTestServer());

        using HttpResponseMessage response = await GetAsync(client, "/static/" + stored, ("Accept-Encoding", "br"));
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        CollectionAssert.AreEqual(content, await BodyAsync(response));
        Assert.AreEqual("public, max-age=31536000, immutable", Header(response, "Cache-Control"));
        Assert.AreEqual("text/css; charset=utf-8", Header(response, "Content-Type"));
        Assert.AreEqual("\"" + new DateTimeOffset(StaticRoot.FileTime).ToUnixTimeSeconds().ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "-1f4\"", Header(response, "ETag"));
        Assert.IsNull(Header(response, "Vary"));
        Assert.AreEqual(HttpStatusCode.NotModified, (await GetAsync(client, "/static/" + stored, ("If-None-Match", Header(response, "ETag")!))).StatusCode);
    }

    [TestMethod]
    public async Task A_listed_file_missing_on_disk_falls_through_until_it_appears()
    {
        using var root = new StaticRoot();
        StaticAsset asset = root.Add("robots.txt", "x"u8.ToArray(), "text/plain", fingerprint: false);
        root.WriteManifest();
        File.Delete(root.PhysicalPath(asset.StoredPath));
        using IHost host = await root.StartTestServerAsync();
        var client = new RawClient(host.GetTestServer());

        Assert.IsTrue(FellThrough(await GetAsync(client, "/static/robots.txt")));
        root.WriteFile(asset.StoredPath, "x"u8.ToArray());
        await EventuallyAsync(async () => (await GetAsync(client, "/static/robots.txt")).StatusCode == HttpStatusCode.OK);
    }

    [TestMethod]
    public async Task A_file_whose_size_disagrees_with_the_manifest_is_not_served()
    {
        using var root = new StaticRoot();
        StaticAsset asset = root.Add("robots.txt", "short"u8.ToArray(), "text/plain", fingerprint: false);
        root.WriteManifest();
        root.WriteFile(asset.StoredPath, "edited in place, longer"u8.ToArray());
        using IHost host = await root.StartTestServerAsync();

        Assert.IsTrue(FellThrough(await GetAsync(new RawClient(host.GetTestServer()), "/static/robots.txt")));
    }

    [TestMethod]
    public async Task A_missing_variant_is_passed_over_for_the_next_best()
    {
        using var root = new StaticRoot();
        StaticAsset css = root.Add("css/app.css", StaticRoot.Css(4000, 1), "text/css", brotli: true, gzip: true);
        root.WriteManifest();
        File.Delete(root.PhysicalPath(css.StoredPath + ".br"));
        using IHost host = await root.StartTestServerAsync();
        var client = new RawClient(host.GetTestServer());
        string url = "/static/" + css.StoredPath;

        Assert.AreEqual("gzip", Header(await GetAsync(client, url, ("Accept-Encoding", "br, gzip")), "Content-Encoding"));
        // The gzip file was served, so its state is known; deleted now, the send fails before a byte goes out and
        // the request is answered again with what is left.
        File.Delete(root.PhysicalPath(css.StoredPath + ".gz"));
        using HttpResponseMessage identity = await GetAsync(client, url, ("Accept-Encoding", "br, gzip"));
        Assert.AreEqual(HttpStatusCode.OK, identity.StatusCode);
        Assert.IsNull(Header(identity, "Content-Encoding"));
        CollectionAssert.AreEqual(root.Read(css.StoredPath), await BodyAsync(identity));
        Assert.AreEqual(StaticRoot.TagOf(root.Read(css.StoredPath)), Header(identity, "ETag"));
    }

    [TestMethod]
    public async Task Manifest_entries_that_could_leave_the_root_are_not_served()
    {
        using var root = new StaticRoot();
        byte[] secret = Encoding.UTF8.GetBytes(StaticRoot.Secret);
        string sha = StaticRoot.Sha256(secret);
        StaticAsset Entry(string stored, IReadOnlyList<StaticAssetEncoding>? encodings = null) => new()
        {
            LogicalPath = stored,
            StoredPath = stored,
            Length = secret.Length,
            ContentType = "text/plain",
            ContentHash = sha,
            Integrity = string.Empty,
            Encodings = encodings ?? [],
        };
        StaticAsset safe = root.Add("robots.txt", "x"u8.ToArray(), "text/plain", fingerprint: false);
        var assets = new List<StaticAsset>
        {
            Entry("../secret.txt"),
            Entry("css/../../secret.txt"),
            Entry(Path.Combine(root.Folder, "secret.txt")),
            Entry("..\\secret.txt"),
            Entry("./../secret.txt"),
            Entry("a//../../secret.txt"),
            Entry("c:../secret.txt"),
            safe with { Encodings = [new StaticAssetEncoding("br", "../secret.txt", secret.Length, sha), new StaticAssetEncoding("identity", "robots.txt", 1, sha), new StaticAssetEncoding("g zip", "robots.txt", 1, sha)] },
        };
        root.WriteManifest(new StaticAssetManifest(assets));
        using IHost host = await root.StartTestServerAsync();
        TestServer server = host.GetTestServer();

        foreach (StaticAsset asset in assets.Where(a => a.StoredPath != "robots.txt"))
        {
            HttpContext context = await server.SendAsync(c => c.Request.Path = "/static/" + asset.StoredPath.TrimStart('/'));
            Assert.AreEqual("1", context.Response.Headers["X-Fall-Through"].ToString(), asset.StoredPath);
        }

        using HttpResponseMessage robots = await GetAsync(new RawClient(server), "/static/robots.txt", ("Accept-Encoding", "br, identity;q=0"));
        Assert.AreEqual(HttpStatusCode.OK, robots.StatusCode);
        Assert.IsNull(Header(robots, "Content-Encoding"), "The unsafe variant was dropped.");
        Assert.AreEqual("x", await robots.Content.ReadAsStringAsync());
    }

    internal static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                Assert.Fail("The condition did not become true within 10 s.");
            }

            await Task.Delay(20);
        }
    }
}
