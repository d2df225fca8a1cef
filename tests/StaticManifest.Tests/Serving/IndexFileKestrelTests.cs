using System.Net;
using static Wharf.StaticManifest.Tests.Serving.Http;

namespace Wharf.StaticManifest.Tests.Serving;

/// <summary>
/// Index files on real Kestrel: the redirects as a real client follows them, the folder URL's negotiation, validators
/// and ranges through Kestrel's send path, and request targets as an attacker types them (Kestrel decodes them and
/// removes dot segments before the middleware sees the path).
/// </summary>
[TestClass]
public sealed class IndexFileKestrelTests
{
    private static KestrelSite? s_site;
    private static StaticAsset? s_docs;

    private static KestrelSite Site => s_site!;

    private static byte[] DocsBytes => Site.Root.Read(s_docs!.StoredPath);

    private static byte[] DocsBrotli => Site.Root.Read(s_docs!.StoredPath + ".br");

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        s_site = new KestrelSite();
        StaticRoot root = s_site.Root;
        s_docs = root.Add("docs/index.html", StaticRoot.Css(20000, 31), "text/html", brotli: true, gzip: true);
        root.Add("docs/index.html", StaticRoot.Css(20000, 31), "text/html", fingerprint: false, brotli: true, gzip: true);
        root.Add("index.html", "<title>root index</title>"u8.ToArray(), "text/html");
        root.WriteManifest();
        await s_site.StartAsync(options => options.IndexFile = "index.html", context.CancellationToken);
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
    public async Task Redirects_and_the_folder_URL_over_Kestrel()
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = Site.BaseAddress };

        using HttpResponseMessage bare = await client.GetAsync(new Uri("/static/docs?page=2", UriKind.Relative));
        Assert.AreEqual(HttpStatusCode.Found, bare.StatusCode);
        Assert.AreEqual("docs/?page=2", Header(bare, "Location"));
        Assert.AreEqual("public, max-age=60", Header(bare, "Cache-Control"));

        using var head = new HttpRequestMessage(HttpMethod.Head, "/static/docs/index.html?page=2");
        using HttpResponseMessage headResponse = await client.SendAsync(head);
        Assert.AreEqual(HttpStatusCode.Found, headResponse.StatusCode);
        Assert.AreEqual("./?page=2", Header(headResponse, "Location"));
        Assert.IsEmpty(await headResponse.Content.ReadAsByteArrayAsync());

        using HttpResponseMessage post = await client.PostAsync(new Uri("/static/docs", UriKind.Relative), new StringContent("x"));
        Assert.AreEqual(HttpStatusCode.MethodNotAllowed, post.StatusCode);

        using var brRequest = new HttpRequestMessage(HttpMethod.Get, "/static/docs/");
        brRequest.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, deflate, br, zstd");
        using HttpResponseMessage brotli = await client.SendAsync(brRequest);
        Assert.AreEqual(HttpStatusCode.OK, brotli.StatusCode);
        Assert.AreEqual("br", Header(brotli, "Content-Encoding"));
        Assert.AreEqual("public, max-age=60", Header(brotli, "Cache-Control"));
        CollectionAssert.AreEqual(DocsBytes, StaticRoot.Unbrotli(await brotli.Content.ReadAsByteArrayAsync()));

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, "/static/docs/");
        revalidate.Headers.TryAddWithoutValidation("Accept-Encoding", "br");
        revalidate.Headers.TryAddWithoutValidation("If-None-Match", Header(brotli, "ETag"));
        using HttpResponseMessage notModified = await client.SendAsync(revalidate);
        Assert.AreEqual(HttpStatusCode.NotModified, notModified.StatusCode);

        using var rangeRequest = new HttpRequestMessage(HttpMethod.Get, "/static/docs/");
        rangeRequest.Headers.TryAddWithoutValidation("Accept-Encoding", "br");
        rangeRequest.Headers.TryAddWithoutValidation("Range", "bytes=5-");
        using HttpResponseMessage range = await client.SendAsync(rangeRequest);
        Assert.AreEqual(HttpStatusCode.PartialContent, range.StatusCode);
        CollectionAssert.AreEqual(DocsBrotli.AsSpan(5).ToArray(), await range.Content.ReadAsByteArrayAsync());
    }

    [TestMethod]
    [DataRow("/static/docs?x=1", "/static/docs/?x=1")]
    [DataRow("/static/docs/index.html?x=1&y=%C3%A9", "/static/docs/?x=1&y=%C3%A9")]
    [DataRow("/static", "/static/")]
    [DataRow("/static/index.html", "/static/")]
    public async Task A_client_following_the_redirect_lands_on_the_folder_with_its_query(string from, string to)
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true }) { BaseAddress = Site.BaseAddress };

        using HttpResponseMessage response = await client.GetAsync(new Uri(from, UriKind.Relative));

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual(to, response.RequestMessage!.RequestUri!.PathAndQuery);
        Assert.IsGreaterThan(0, (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [TestMethod]
    [DataRow("/static/docs/./", "docs", DisplayName = "dot segment, removed by Kestrel")]
    [DataRow("/static/docs/%2e/", "docs", DisplayName = "encoded dot segment, decoded and removed by Kestrel")]
    [DataRow("/static/docs/%2e%2e/", "root", DisplayName = "encoded dot-dot, resolved inside the prefix")]
    [DataRow("/static/noindex/../docs/", "docs", DisplayName = "dot-dot inside the prefix")]
    [DataRow("/static/%2e%2e/", "fall", DisplayName = "dot-dot out of the prefix")]
    [DataRow("/static/docs/%2e%2e/%2e%2e/secret.txt", "fall", DisplayName = "dot-dot out of the root")]
    [DataRow("/static/docs/../../../../secret.txt", "fall", DisplayName = "many dot-dots")]
    [DataRow("/static//", "fall", DisplayName = "double slash at the root")]
    [DataRow("/static/docs//", "fall", DisplayName = "double slash after a folder")]
    [DataRow("//", "fall", DisplayName = "double slash alone")]
    [DataRow("/static/docs%2F", "fall", DisplayName = "encoded slash instead of the trailing one")]
    [DataRow("/static/docs%2Findex.html", "fall", DisplayName = "encoded slash before the index name")]
    [DataRow("/static/docs%5C", "fall", DisplayName = "encoded backslash")]
    [DataRow("/static/docs\\", "fall", DisplayName = "raw backslash")]
    [DataRow("/static/docs%00/", "400", DisplayName = "encoded NUL")]
    [DataRow("/static/docs/index.html/", "fall", DisplayName = "the index name as a folder")]
    public async Task Hostile_folder_targets_sent_raw_never_escape_or_fail(string target, string expected)
    {
        string response = await Site.RawRequestAsync($"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

        Assert.DoesNotContain(StaticRoot.Secret, response);
        Assert.DoesNotContain("HTTP/1.1 500", response);
        switch (expected)
        {
            case "docs":
                Assert.StartsWith("HTTP/1.1 200", response);
                Assert.Contains(".rule-31-0 {", response);
                break;
            case "root":
                Assert.StartsWith("HTTP/1.1 200", response);
                Assert.Contains("<title>root index</title>", response);
                break;
            case "400":
                Assert.StartsWith("HTTP/1.1 400", response);
                break;
            default:
                Assert.Contains("X-Fall-Through: 1", response, response);
                break;
        }
    }

    [TestMethod]
    public async Task A_very_long_target_is_refused_by_Kestrel_not_failed()
    {
        string response = await Site.RawRequestAsync($"GET /static/{new string('a', 20000)}/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 414", response);
    }

    [TestMethod]
    public async Task A_raw_query_with_UTF_8_bytes_or_encoded_CR_LF_is_sent_back_safely()
    {
        byte[] target = [.. "GET /static/docs?q="u8, 0xC3, 0xA9, .. "&h=%0d%0aX-Injected:%201 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"u8];
        string response = await Site.RawRequestAsync(target);

        Assert.DoesNotContain("HTTP/1.1 500", response);
        Assert.DoesNotContain("\r\nX-Injected", response);
        if (response.StartsWith("HTTP/1.1 302", StringComparison.Ordinal))
        {
            Assert.Contains("\r\nLocation: docs/?q=%C3%A9&h=%0d%0aX-Injected:%201\r\n", response);
        }
        else
        {
            Assert.StartsWith("HTTP/1.1 400", response);
        }
    }
}
