using System.Net;
using static Wharf.StaticManifest.Tests.Serving.Http;

namespace Wharf.StaticManifest.Tests.Serving;

/// <summary>
/// On real Kestrel over loopback sockets: bodies go through Kestrel's <c>IHttpResponseBodyFeature.SendFileAsync</c>
/// (with offsets for ranges), and request targets arrive exactly as an attacker would type them.
/// </summary>
[TestClass]
public sealed class KestrelServingTests
{
    private const int BigLength = (1024 * 1024) + 17;

    private static KestrelSite? s_site;
    private static StaticAsset? s_big;
    private static StaticAsset? s_css;

    private static KestrelSite Site => s_site!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        s_site = new KestrelSite();
        StaticRoot root = s_site.Root;
        s_big = root.Add("media/big.bin", StaticRoot.Random(BigLength, 11), "application/octet-stream");
        s_css = root.Add("css/site.css", StaticRoot.Css(64 * 1024, 12), "text/css", brotli: true, gzip: true);
        root.WriteManifest();
        await s_site.StartAsync(configure: null, context.CancellationToken);
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (s_site is not null)
        {
            await s_site.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task A_large_file_its_ranges_and_its_variants_arrive_intact_over_Kestrel()
    {
        using var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = Site.BaseAddress };
        byte[] big = Site.Root.Read(s_big!.StoredPath);

        using HttpResponseMessage full = await client.GetAsync(new Uri("/static/" + s_big.StoredPath, UriKind.Relative));
        Assert.AreEqual(HttpStatusCode.OK, full.StatusCode);
        Assert.AreEqual("Kestrel", Header(full, "Server"));
        Assert.AreEqual(BigLength.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(full, "Content-Length"));
        CollectionAssert.AreEqual(big, await full.Content.ReadAsByteArrayAsync());

        using var rangeRequest = new HttpRequestMessage(HttpMethod.Get, "/static/" + s_big.StoredPath);
        rangeRequest.Headers.TryAddWithoutValidation("Range", "bytes=700000-");
        using HttpResponseMessage range = await client.SendAsync(rangeRequest);
        Assert.AreEqual(HttpStatusCode.PartialContent, range.StatusCode);
        CollectionAssert.AreEqual(big.AsSpan(700000).ToArray(), await range.Content.ReadAsByteArrayAsync());

        using var brRequest = new HttpRequestMessage(HttpMethod.Get, "/static/" + s_css!.StoredPath);
        brRequest.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, deflate, br, zstd");
        using HttpResponseMessage brotli = await client.SendAsync(brRequest);
        Assert.AreEqual("br", Header(brotli, "Content-Encoding"));
        CollectionAssert.AreEqual(Site.Root.Read(s_css.StoredPath), StaticRoot.Unbrotli(await brotli.Content.ReadAsByteArrayAsync()));

        using var head = new HttpRequestMessage(HttpMethod.Head, "/static/" + s_big.StoredPath);
        using HttpResponseMessage headResponse = await client.SendAsync(head);
        Assert.AreEqual(BigLength, headResponse.Content.Headers.ContentLength);
        Assert.IsEmpty(await headResponse.Content.ReadAsByteArrayAsync());
    }

    [TestMethod]
    public async Task Concurrent_downloads_on_many_connections_all_get_the_right_bytes()
    {
        byte[] big = Site.Root.Read(s_big!.StoredPath);
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { BaseAddress = Site.BaseAddress };
        byte[][] bodies = await Task.WhenAll(Enumerable.Range(0, 32).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/static/" + s_big.StoredPath);
            request.Headers.TryAddWithoutValidation("Range", $"bytes={i * 1000}-{(i * 1000) + 65535}");
            using HttpResponseMessage response = await client.SendAsync(request);
            return await response.Content.ReadAsByteArrayAsync();
        }));

        for (int i = 0; i < bodies.Length; i++)
        {
            CollectionAssert.AreEqual(big.AsSpan(i * 1000, 65536).ToArray(), bodies[i], i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [TestMethod]
    [DataRow("/static/../secret.txt")]
    [DataRow("/static/%2e%2e/secret.txt")]
    [DataRow("/static/%2E%2E/%2E%2E/secret.txt")]
    [DataRow("/static/..%2fsecret.txt")]
    [DataRow("/static/..%2Fsecret.txt")]
    [DataRow("/static/..%5csecret.txt")]
    [DataRow("/static/..\\secret.txt")]
    [DataRow("/static/css/..%2f..%2fsecret.txt")]
    [DataRow("/static/%252e%252e/secret.txt")]
    [DataRow("/static/.%2e/secret.txt")]
    [DataRow("/static/unlisted.txt")]
    [DataRow("/static/staticfiles.json")]
    public async Task Traversal_request_targets_sent_raw_never_reach_a_file_outside_the_manifest(string target)
    {
        string response = await Site.RawRequestAsync($"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

        Assert.DoesNotContain(StaticRoot.Secret, response);
        Assert.DoesNotContain("on disk, not in the manifest", response);
        Assert.IsTrue(response.StartsWith("HTTP/1.1 400", StringComparison.Ordinal) || response.Contains("X-Fall-Through: 1", StringComparison.Ordinal), response);
    }

    [TestMethod]
    public async Task A_raw_request_for_an_asset_gets_it()
    {
        // The control for the traversal test: the same raw client does get listed files.
        string response = await Site.RawRequestAsync($"GET /static/{s_css!.StoredPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAccept-Encoding: gzip;q=0, br;q=0\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200", response);
        Assert.DoesNotContain("Content-Encoding", response);
        Assert.Contains(".rule-12-0 {", response);
    }
}
