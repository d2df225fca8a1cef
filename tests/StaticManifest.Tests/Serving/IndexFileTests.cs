using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static Wharf.StaticManifest.Tests.Serving.Http;

namespace Wharf.StaticManifest.Tests.Serving;

/// <summary>
/// <see cref="Wharf.StaticManifest.Serving.StaticAssetServingOptions.IndexFile"/> on a TestServer: folder URLs, their
/// redirects, everything an asset gets (negotiation, validators, ranges, HEAD) on a folder URL, and hostile paths.
/// </summary>
[TestClass]
public sealed class IndexFileTests
{
    private static StaticRoot? s_root;
    private static IHost? s_host;
    private static RawClient? s_client;

    /// <summary>docs/index.html as collect stores it: fingerprinted, with br and gzip variants.</summary>
    private static StaticAsset? s_docs;

    /// <summary>docs/index.html's kept original, with other bytes, so a test can tell which of the two a folder serves.</summary>
    private static StaticAsset? s_docsOriginal;

    private static StaticAsset? s_rootIndex;

    private static StaticRoot Root => s_root!;

    private static RawClient Client => s_client!;

    private static byte[] DocsBytes => Root.Read(s_docs!.StoredPath);

    private static byte[] DocsBrotli => Root.Read(s_docs!.StoredPath + ".br");

    private static byte[] DocsGzip => Root.Read(s_docs!.StoredPath + ".gz");

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        _ = context;
        s_root = new StaticRoot();
        s_docs = s_root.Add("docs/index.html", StaticRoot.Css(6000, 21), "text/html", brotli: true, gzip: true);
        s_docsOriginal = s_root.Add("docs/index.html", StaticRoot.Css(5000, 22), "text/html", fingerprint: false, brotli: true, gzip: true);
        s_root.Add("docs/guide.txt", "guide"u8.ToArray(), "text/plain", fingerprint: false);
        s_rootIndex = s_root.Add("index.html", "<!doctype html><title>root</title>"u8.ToArray(), "text/html");
        s_root.Add("index.html", "<!doctype html><title>root</title>"u8.ToArray(), "text/html", fingerprint: false);
        s_root.Add("hashed-only/index.html", "<title>hashed only</title>"u8.ToArray(), "text/html");
        s_root.Add("plain/index.html", "<title>plain</title>"u8.ToArray(), "text/html", fingerprint: false);
        s_root.Add("a/b/index.html", "<title>nested</title>"u8.ToArray(), "text/html");
        s_root.Add("my docs/index.html", "<title>spaced</title>"u8.ToArray(), "text/html");
        s_root.Add("noindex/readme.txt", "no index here"u8.ToArray(), "text/plain", fingerprint: false);
        s_root.Add("docs/default.htm", "<title>not the index</title>"u8.ToArray(), "text/html", fingerprint: false);
        s_root.WriteManifest();
        s_host = await s_root.StartTestServerAsync(options => options.IndexFile = "index.html");
        s_client = new RawClient(s_host.GetTestServer());
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (s_host is not null)
        {
            await s_host.StopAsync();
            s_host.Dispose();
        }

        s_root?.Dispose();
    }

    [TestMethod]
    public async Task A_folder_URL_serves_its_index_with_the_short_max_age_and_every_asset_header()
    {
        using HttpResponseMessage response = await GetAsync(Client, "/static/docs/");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        CollectionAssert.AreEqual(DocsBytes, await BodyAsync(response), "The folder serves what its index's logical path resolves to: the fingerprinted file, not the kept original.");
        Assert.AreEqual("public, max-age=60", Header(response, "Cache-Control"), "The folder URL is not content-addressed.");
        Assert.AreEqual(StaticRoot.TagOf(DocsBytes), Header(response, "ETag"));
        Assert.AreEqual("text/html; charset=utf-8", Header(response, "Content-Type"));
        Assert.AreEqual("Mon, 06 May 2024 07:08:09 GMT", Header(response, "Last-Modified"));
        Assert.AreEqual("Accept-Encoding", Header(response, "Vary"));
        Assert.AreEqual("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.AreEqual("bytes", Header(response, "Accept-Ranges"));
        Assert.AreEqual("6000", Header(response, "Content-Length"));
        Assert.IsNull(Header(response, "Content-Encoding"));
    }

    [TestMethod]
    [DataRow("/static/", "<!doctype html><title>root</title>", DisplayName = "the root")]
    [DataRow("/STATIC/", "<!doctype html><title>root</title>", DisplayName = "the root, prefix in another case")]
    [DataRow("/static/hashed-only/", "<title>hashed only</title>", DisplayName = "only a fingerprinted copy (KeepOriginals off)")]
    [DataRow("/static/plain/", "<title>plain</title>", DisplayName = "only an unhashed file")]
    [DataRow("/static/a/b/", "<title>nested</title>", DisplayName = "a nested folder")]
    [DataRow("/static/my%20docs/", "<title>spaced</title>", DisplayName = "a folder name with a space")]
    public async Task Every_folder_with_an_index_is_served_with_the_short_max_age(string path, string body)
    {
        using HttpResponseMessage response = await GetAsync(Client, path);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, path);
        Assert.AreEqual(body, await response.Content.ReadAsStringAsync());
        Assert.AreEqual("public, max-age=60", Header(response, "Cache-Control"));
    }

    [TestMethod]
    public async Task The_fingerprinted_name_of_an_index_is_served_directly_and_immutable()
    {
        using HttpResponseMessage hashed = await GetAsync(Client, "/static/" + s_docs!.StoredPath);
        using HttpResponseMessage rootHashed = await GetAsync(Client, "/static/" + s_rootIndex!.StoredPath);

        Assert.AreEqual(HttpStatusCode.OK, hashed.StatusCode);
        CollectionAssert.AreEqual(DocsBytes, await BodyAsync(hashed));
        Assert.AreEqual("public, max-age=31536000, immutable", Header(hashed, "Cache-Control"));
        Assert.AreEqual(StaticRoot.TagOf(DocsBytes), Header(hashed, "ETag"), "Same bytes, same validator as the folder URL.");
        Assert.AreEqual(HttpStatusCode.OK, rootHashed.StatusCode);
        Assert.AreEqual("public, max-age=31536000, immutable", Header(rootHashed, "Cache-Control"));
    }

    [TestMethod]
    [DataRow("/static/docs", "docs/", DisplayName = "folder without slash")]
    [DataRow("/static/docs?page=2&q=a%20b", "docs/?page=2&q=a%20b", DisplayName = "folder without slash, query kept")]
    [DataRow("/static/docs?", "docs/?", DisplayName = "an empty query, echoed as sent")]
    [DataRow("/static/docs/index.html", "./", DisplayName = "index by name, kept original listed")]
    [DataRow("/static/docs/index.html?v=3", "./?v=3", DisplayName = "index by name, query kept")]
    [DataRow("/static/hashed-only/index.html", "./", DisplayName = "index by name, not stored under that name")]
    [DataRow("/static/plain/index.html", "./", DisplayName = "index by name, only an unhashed file")]
    [DataRow("/static/a/b", "b/", DisplayName = "nested folder: relative to its parent")]
    [DataRow("/static/a/b/index.html", "./", DisplayName = "nested index by name")]
    [DataRow("/static/my%20docs", "my%20docs/", DisplayName = "the folder name is percent-encoded again")]
    [DataRow("/static", "static/", DisplayName = "the prefix without its slash")]
    [DataRow("/STATIC?x=1", "STATIC/?x=1", DisplayName = "the prefix as the client spelled it")]
    [DataRow("/static/index.html", "./", DisplayName = "the root index by name")]
    [DataRow("/static/index.html?a", "./?a", DisplayName = "the root index by name, query kept")]
    public async Task Folder_and_index_name_URLs_redirect_with_a_relative_location(string path, string location)
    {
        using HttpResponseMessage response = await GetAsync(Client, path);

        Assert.AreEqual(HttpStatusCode.Found, response.StatusCode, path);
        Assert.AreEqual(location, Header(response, "Location"));
        Assert.AreEqual("public, max-age=60", Header(response, "Cache-Control"));
        Assert.AreEqual("0", Header(response, "Content-Length"));
        Assert.IsEmpty(await BodyAsync(response));
        Assert.IsNull(Header(response, "Access-Control-Allow-Origin"), "Off by default.");
        Assert.IsFalse(FellThrough(response));
    }

    [TestMethod]
    public async Task The_redirect_location_resolves_to_the_folder_URL()
    {
        // What a browser does with the relative Location: RFC 3986 §5 against the request URL.
        var @base = new Uri("http://example.test");
        foreach ((string from, string to) in new[] { ("/static/docs?x=1", "/static/docs/?x=1"), ("/static/docs/index.html?x=1", "/static/docs/?x=1"), ("/static", "/static/"), ("/static/a/b", "/static/a/b/") })
        {
            using HttpResponseMessage response = await GetAsync(Client, from);
            Uri target = new(new Uri(@base, from), Header(response, "Location"));
            Assert.AreEqual(to, target.PathAndQuery, from);
            using HttpResponseMessage followed = await GetAsync(Client, target.PathAndQuery);
            Assert.AreEqual(HttpStatusCode.OK, followed.StatusCode, to);
        }
    }

    [TestMethod]
    public async Task A_query_that_is_not_visible_ASCII_is_percent_encoded_in_the_Location()
    {
        // Kestrel refuses to send a header with non-ASCII or control characters (a 500 after the fact); a test host
        // lets anything through, so the middleware must not echo the query raw.
        HttpContext context = await s_host!.GetTestServer().SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = "/static/docs";
            c.Request.QueryString = new QueryString("?q=é x#frag\u0001\r\nX-Injected: 1&emoji=\U0001F600&lone=\uD800");
        });

        Assert.AreEqual(StatusCodes.Status302Found, context.Response.StatusCode);
        Assert.AreEqual("docs/?q=%C3%A9%20x%23frag%01%0D%0AX-Injected:%201&emoji=%F0%9F%98%80&lone=%EF%BF%BD", context.Response.Headers.Location.ToString());
    }

    [TestMethod]
    public Task HEAD_on_a_redirect_gets_the_redirect_without_a_body() =>
        AssertHeadIsGetWithoutBodyAsync("/static/docs?x=1", [], HttpStatusCode.Found, "Location", "Cache-Control", "Content-Length");

    [TestMethod]
    public Task HEAD_on_a_folder_gets_the_headers_of_GET_and_no_body() =>
        AssertHeadIsGetWithoutBodyAsync(
            "/static/docs/", [("Accept-Encoding", "gzip")], HttpStatusCode.OK, "Content-Length", "Content-Type", "Content-Encoding", "ETag", "Last-Modified", "Cache-Control", "Vary", "Accept-Ranges");

    [TestMethod]
    [DataRow("/static/docs")]
    [DataRow("/static/docs/")]
    [DataRow("/static/docs/index.html")]
    [DataRow("/static")]
    [DataRow("/static/")]
    public async Task Other_methods_on_folder_URLs_and_redirects_get_405_as_on_assets(string path)
    {
        foreach (HttpMethod method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Options })
        {
            using HttpResponseMessage response = await SendAsync(Client, method, path);

            Assert.AreEqual(HttpStatusCode.MethodNotAllowed, response.StatusCode, $"{method} {path}");
            Assert.AreEqual("GET, HEAD", Header(response, "Allow"));
            Assert.IsNull(Header(response, "Location"));
        }
    }

    [TestMethod]
    [DataRow("/static/noindex/", DisplayName = "a folder without an index: no listing")]
    [DataRow("/static/noindex", DisplayName = "nor a redirect")]
    [DataRow("/static/nothing/", DisplayName = "a folder that does not exist")]
    [DataRow("/static/docs/default.htm/", DisplayName = "a file as a folder")]
    [DataRow("/static/docs/INDEX.HTML", DisplayName = "the index name is case-sensitive, as stored paths")]
    [DataRow("/static/DOCS/", DisplayName = "folder names are case-sensitive")]
    public async Task Paths_that_are_not_folders_with_an_index_fall_through(string path)
    {
        using HttpResponseMessage get = await GetAsync(Client, path);
        using HttpResponseMessage post = await SendAsync(Client, HttpMethod.Post, path);

        Assert.IsTrue(FellThrough(get), path);
        Assert.IsTrue(FellThrough(post), "Unknown paths pass on whatever the method.");
    }

    [TestMethod]
    public async Task Other_files_of_a_folder_with_an_index_are_served_as_usual()
    {
        using HttpResponseMessage guide = await GetAsync(Client, "/static/docs/guide.txt");

        Assert.AreEqual("guide", await guide.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task If_None_Match_on_a_folder_gets_304_per_encoding()
    {
        using HttpResponseMessage identity = await GetAsync(Client, "/static/docs/");
        using HttpResponseMessage brotli = await GetAsync(Client, "/static/docs/", ("Accept-Encoding", "br"));
        string identityTag = Header(identity, "ETag")!;
        string brotliTag = Header(brotli, "ETag")!;
        Assert.AreEqual(StaticRoot.TagOf(DocsBrotli), brotliTag);
        Assert.AreNotEqual(identityTag, brotliTag);

        using HttpResponseMessage notModified = await GetAsync(Client, "/static/docs/", ("If-None-Match", identityTag));
        using HttpResponseMessage brotliNotModified = await GetAsync(Client, "/static/docs/", ("Accept-Encoding", "br"), ("If-None-Match", "\"other\", " + brotliTag));
        using HttpResponseMessage otherEncoding = await GetAsync(Client, "/static/docs/", ("Accept-Encoding", "br"), ("If-None-Match", identityTag));
        using HttpResponseMessage byDate = await GetAsync(Client, "/static/docs/", ("If-Modified-Since", "Mon, 06 May 2024 07:08:09 GMT"));
        using HttpResponseMessage failed = await GetAsync(Client, "/static/docs/", ("If-Match", "\"nope\""));

        Assert.AreEqual(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.IsEmpty(await BodyAsync(notModified));
        Assert.AreEqual(identityTag, Header(notModified, "ETag"));
        Assert.AreEqual("public, max-age=60", Header(notModified, "Cache-Control"));
        Assert.AreEqual("Accept-Encoding", Header(notModified, "Vary"));
        Assert.IsNull(Header(notModified, "Content-Type"));
        Assert.AreEqual(HttpStatusCode.NotModified, brotliNotModified.StatusCode);
        Assert.AreEqual(brotliTag, Header(brotliNotModified, "ETag"));
        Assert.AreEqual(HttpStatusCode.OK, otherEncoding.StatusCode, "The identity tag does not validate the br representation.");
        Assert.AreEqual(HttpStatusCode.NotModified, byDate.StatusCode);
        Assert.AreEqual(HttpStatusCode.PreconditionFailed, failed.StatusCode);
    }

    [TestMethod]
    public async Task A_range_of_a_folder_is_served_from_the_negotiated_representation()
    {
        using HttpResponseMessage identity = await GetAsync(Client, "/static/docs/", ("Range", "bytes=100-199"));
        using HttpResponseMessage brotli = await GetAsync(Client, "/static/docs/", ("Range", "bytes=0-9"), ("Accept-Encoding", "br"));
        using HttpResponseMessage resumed = await GetAsync(Client, "/static/docs/", ("Range", "bytes=10-"), ("Accept-Encoding", "br"), ("If-Range", StaticRoot.TagOf(DocsBrotli)));
        using HttpResponseMessage stale = await GetAsync(Client, "/static/docs/", ("Range", "bytes=10-"), ("If-Range", "\"old\""));
        using HttpResponseMessage unsatisfiable = await GetAsync(Client, "/static/docs/", ("Range", "bytes=999999-"));

        Assert.AreEqual(HttpStatusCode.PartialContent, identity.StatusCode);
        Assert.AreEqual("bytes 100-199/6000", Header(identity, "Content-Range"));
        CollectionAssert.AreEqual(DocsBytes.AsSpan(100, 100).ToArray(), await BodyAsync(identity));
        Assert.AreEqual(HttpStatusCode.PartialContent, brotli.StatusCode);
        Assert.AreEqual("br", Header(brotli, "Content-Encoding"));
        CollectionAssert.AreEqual(DocsBrotli.AsSpan(0, 10).ToArray(), await BodyAsync(brotli));
        Assert.AreEqual(HttpStatusCode.PartialContent, resumed.StatusCode);
        CollectionAssert.AreEqual(DocsBrotli.AsSpan(10).ToArray(), await BodyAsync(resumed));
        Assert.AreEqual(HttpStatusCode.OK, stale.StatusCode);
        Assert.AreEqual(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
        Assert.AreEqual("bytes */6000", Header(unsatisfiable, "Content-Range"));
    }

    [TestMethod]
    [DataRow("gzip, deflate, br", "br")]
    [DataRow("gzip", "gzip")]
    [DataRow("br;q=0, gzip", "gzip")]
    [DataRow("gzip;q=0, br;q=0", null)]
    [DataRow("", null)]
    public async Task Encoding_negotiation_on_a_folder_picks_the_variant_as_for_any_asset(string acceptEncoding, string? coding)
    {
        using HttpResponseMessage response = acceptEncoding.Length == 0
            ? await GetAsync(Client, "/static/docs/")
            : await GetAsync(Client, "/static/docs/", ("Accept-Encoding", acceptEncoding));

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual(coding, Header(response, "Content-Encoding"));
        byte[] body = await BodyAsync(response);
        byte[] expected = coding switch { "br" => DocsBrotli, "gzip" => DocsGzip, _ => DocsBytes };
        CollectionAssert.AreEqual(expected, body);
        Assert.AreEqual(StaticRoot.TagOf(expected), Header(response, "ETag"));
        Assert.AreEqual("text/html; charset=utf-8", Header(response, "Content-Type"));
    }

    [TestMethod]
    [DataRow("/static//")]
    [DataRow("/static///")]
    [DataRow("//")]
    [DataRow("/static//docs/")]
    [DataRow("/static/docs//")]
    [DataRow("/static/docs/./")]
    [DataRow("/static/./docs/")]
    [DataRow("/static/./")]
    [DataRow("/static/docs/.")]
    [DataRow("/static/docs/../")]
    [DataRow("/static/docs/..")]
    [DataRow("/static/noindex/../docs/")]
    [DataRow("/static/../")]
    [DataRow("/static/..")]
    [DataRow("/static/docs/../../")]
    [DataRow("/static/docs/../../secret.txt")]
    [DataRow("/static/docs\\")]
    [DataRow("/static/docs\\index.html")]
    [DataRow("/static\\")]
    [DataRow("/static/docs%2F")]
    [DataRow("/static/docs%2f")]
    [DataRow("/static/docs%2Findex.html")]
    [DataRow("/static%2F")]
    [DataRow("/static/docs%2e/")]
    [DataRow("/static/docs/index.html/")]
    [DataRow("/static/docs/index.html/..")]
    [DataRow("/static/docs /")]
    [DataRow("/static/docs\0/")]
    [DataRow("/static/docs/\0")]
    [DataRow("/static/index.html/")]
    public async Task Hostile_folder_paths_fall_through_as_raw_paths(string rawPath)
    {
        foreach (string method in new[] { "GET", "HEAD", "POST" })
        {
            await AssertFallsThroughAsync(method, rawPath);
        }
    }

    [TestMethod]
    [DataRow("/static/%2e%2e/")]
    [DataRow("/static/docs/%2e%2e/%2e%2e/secret.txt")]
    [DataRow("/static/docs%2F")]
    [DataRow("/static/docs%252F")]
    [DataRow("/static/docs%5C")]
    [DataRow("/static/%2e/")]
    public async Task Percent_encoded_folder_paths_fall_through(string url)
    {
        using HttpResponseMessage response = await GetAsync(Client, url);

        Assert.IsTrue(FellThrough(response), url);
        Assert.DoesNotContain(StaticRoot.Secret, await response.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task Very_long_paths_fall_through()
    {
        foreach (string path in new[]
        {
            "/static/" + new string('a', 200_000) + "/",
            "/static/" + new string('a', 200_000),
            "/static/" + string.Concat(Enumerable.Repeat("docs/", 20_000)),
            "/static/" + string.Concat(Enumerable.Repeat("../", 20_000)),
            "/static/" + new string('/', 100_000),
            "/static/docs/" + new string('a', 100_000) + "/index.html",
        })
        {
            await AssertFallsThroughAsync("GET", path);
        }
    }

    [TestMethod]
    public async Task Off_by_default_folders_and_index_names_are_plain_paths()
    {
        using var root = new StaticRoot();
        StaticAsset docs = root.Add("docs/index.html", "<title>docs</title>"u8.ToArray(), "text/html");
        root.Add("docs/index.html", "<title>docs</title>"u8.ToArray(), "text/html", fingerprint: false);
        root.WriteManifest();
        using IHost host = await root.StartTestServerAsync();
        var client = new RawClient(host.GetTestServer());

        Assert.IsTrue(FellThrough(await GetAsync(client, "/static/docs/")));
        Assert.IsTrue(FellThrough(await GetAsync(client, "/static/docs")));
        Assert.IsTrue(FellThrough(await GetAsync(client, "/static/")));
        Assert.IsTrue(FellThrough(await GetAsync(client, "/static")));
        Assert.AreEqual(HttpStatusCode.OK, (await GetAsync(client, "/static/docs/index.html")).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await GetAsync(client, "/static/" + docs.StoredPath)).StatusCode);
    }

    [TestMethod]
    public async Task Another_index_file_name_is_used_when_configured()
    {
        using var root = new StaticRoot();
        root.Add("docs/default.htm", "<title>default</title>"u8.ToArray(), "text/html");
        root.Add("docs/index.html", "<title>index</title>"u8.ToArray(), "text/html", fingerprint: false);
        root.WriteManifest();
        using IHost host = await root.StartTestServerAsync(options => options.IndexFile = "default.htm");
        var client = new RawClient(host.GetTestServer());

        Assert.AreEqual("<title>default</title>", await (await GetAsync(client, "/static/docs/")).Content.ReadAsStringAsync());
        Assert.AreEqual("./", Header(await GetAsync(client, "/static/docs/default.htm"), "Location"));
        Assert.AreEqual("<title>index</title>", await (await GetAsync(client, "/static/docs/index.html")).Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task A_listed_file_named_like_a_folder_wins_over_its_slash_redirect_and_a_clash_never_fails()
    {
        // On disk a file and a folder cannot share a name, but a manifest can say so. Here "guide" is a folder on disk
        // that the manifest also lists as a file, and "notes" a file whose index the manifest also lists.
        using var root = new StaticRoot();
        StaticAsset guide = root.Add("guide/index.html", "<title>guide</title>"u8.ToArray(), "text/html", fingerprint: false);
        StaticAsset notes = root.Add("notes", "plain notes"u8.ToArray(), "text/plain", fingerprint: false);
        StaticAsset guideAsFile = notes with { LogicalPath = "guide", StoredPath = "guide", Length = 3, ContentHash = StaticRoot.Sha256("abc"u8.ToArray()) };
        StaticAsset notesIndex = guide with { LogicalPath = "notes/index.html", StoredPath = "notes/index.html" };
        root.WriteManifest(new StaticAssetManifest([guide, notes, guideAsFile, notesIndex]));
        using IHost host = await root.StartTestServerAsync(options => options.IndexFile = "index.html");
        var client = new RawClient(host.GetTestServer());

        using HttpResponseMessage guideFolder = await GetAsync(client, "/static/guide/");
        using HttpResponseMessage guideBare = await GetAsync(client, "/static/guide");
        using HttpResponseMessage notesFile = await GetAsync(client, "/static/notes");
        using HttpResponseMessage notesFolder = await GetAsync(client, "/static/notes/");
        using HttpResponseMessage notesIndexByName = await GetAsync(client, "/static/notes/index.html");

        Assert.AreEqual("<title>guide</title>", await guideFolder.Content.ReadAsStringAsync());
        Assert.IsTrue(FellThrough(guideBare), "The listed file wins; it is a folder on disk, so the request is passed on.");
        Assert.AreEqual("plain notes", await notesFile.Content.ReadAsStringAsync());
        Assert.IsTrue(FellThrough(notesFolder), "The index is listed but cannot be on disk.");
        Assert.AreEqual(HttpStatusCode.Found, notesIndexByName.StatusCode);
    }

    [TestMethod]
    public async Task An_index_whose_stored_file_is_in_another_folder_is_not_used()
    {
        using var root = new StaticRoot();
        StaticAsset elsewhere = root.Add("other/page.html", "<title>elsewhere</title>"u8.ToArray(), "text/html", fingerprint: false);
        root.WriteManifest(new StaticAssetManifest([elsewhere with { LogicalPath = "docs/index.html" }]));
        using IHost host = await root.StartTestServerAsync(options => options.IndexFile = "index.html");
        var client = new RawClient(host.GetTestServer());

        Assert.IsTrue(FellThrough(await GetAsync(client, "/static/docs/")));
        Assert.IsTrue(FellThrough(await GetAsync(client, "/static/docs")));
        Assert.AreEqual(HttpStatusCode.OK, (await GetAsync(client, "/static/other/page.html")).StatusCode);
    }

    [TestMethod]
    public async Task Folder_URLs_follow_manifest_reloads()
    {
        using var root = new StaticRoot();
        root.Add("robots.txt", "x"u8.ToArray(), "text/plain", fingerprint: false);
        root.WriteManifest();
        using IHost host = await root.StartTestServerAsync(options =>
        {
            options.IndexFile = "index.html";
            options.ManifestCheckInterval = TimeSpan.Zero;
        });
        var client = new RawClient(host.GetTestServer());
        Assert.IsTrue(FellThrough(await GetAsync(client, "/static/docs/")));

        StaticAsset docs = root.Add("docs/index.html", "<title>v1</title>"u8.ToArray(), "text/html");
        root.WriteManifest();
        await ManifestServingTests.EventuallyAsync(async () => (await GetAsync(client, "/static/docs/")).StatusCode == HttpStatusCode.OK);
        Assert.AreEqual("docs/", Header(await GetAsync(client, "/static/docs"), "Location"));

        root.Remove(docs);
        root.WriteManifest();
        await ManifestServingTests.EventuallyAsync(async () => FellThrough(await GetAsync(client, "/static/docs/")));
        Assert.IsTrue(FellThrough(await GetAsync(client, "/static/docs")));
    }

    [TestMethod]
    public async Task CORS_and_the_hook_cover_the_folder_URL_and_CORS_the_redirects()
    {
        using var root = new StaticRoot();
        StaticAsset docs = root.Add("docs/index.html", "<title>docs</title>"u8.ToArray(), "text/html");
        root.WriteManifest();
        var seen = new System.Collections.Concurrent.ConcurrentBag<string>();
        using IHost host = await root.StartTestServerAsync(options =>
        {
            options.IndexFile = "index.html";
            options.AllowAllOrigins = true;
            options.MaxAge = TimeSpan.FromMinutes(2);
            options.OnPrepareResponse = c => seen.Add(c.Context.Request.Path + " " + c.Asset.StoredPath);
        });
        var client = new RawClient(host.GetTestServer());

        using HttpResponseMessage folder = await GetAsync(client, "/static/docs/");
        using HttpResponseMessage redirect = await GetAsync(client, "/static/docs");

        Assert.AreEqual("*", Header(folder, "Access-Control-Allow-Origin"));
        Assert.AreEqual("public, max-age=120", Header(folder, "Cache-Control"));
        Assert.AreEqual("*", Header(redirect, "Access-Control-Allow-Origin"), "CORS checks every hop of a redirect.");
        Assert.AreEqual("public, max-age=120", Header(redirect, "Cache-Control"));
        CollectionAssert.AreEqual(new[] { "/static/docs/ " + docs.StoredPath }, seen.ToArray(), "The hook is for asset responses, not redirects.");
    }

    [TestMethod]
    public async Task At_the_site_root_under_a_path_base_the_bare_base_redirects()
    {
        using var root = new StaticRoot();
        root.Add("index.html", "<title>home</title>"u8.ToArray(), "text/html");
        root.WriteManifest();
        using IHost host = await root.StartTestServerAsync(
            options =>
            {
                options.RequestPath = "/";
                options.IndexFile = "index.html";
            },
            before: app => app.UsePathBase("/app"));
        var client = new RawClient(host.GetTestServer());

        Assert.AreEqual("app/?x=1", Header(await GetAsync(client, "/app?x=1"), "Location"));
        Assert.AreEqual("<title>home</title>", await (await GetAsync(client, "/app/")).Content.ReadAsStringAsync());
        Assert.AreEqual("./", Header(await GetAsync(client, "/app/index.html"), "Location"));
        Assert.AreEqual("<title>home</title>", await (await GetAsync(client, "/")).Content.ReadAsStringAsync());
    }

    [TestMethod]
    [DataRow("docs/index.html")]
    [DataRow("/index.html")]
    [DataRow("index.html/")]
    [DataRow("a\\index.html")]
    [DataRow("c:index.html")]
    [DataRow(".")]
    [DataRow("..")]
    [DataRow(" ")]
    [DataRow(" index.html")]
    [DataRow("index.html ")]
    [DataRow("index\t.html")]
    [DataRow("true")]
    [DataRow("True")]
    [DataRow("false")]
    public async Task A_bad_index_file_fails_at_start_up_naming_the_configuration_key(string indexFile)
    {
        using var root = new StaticRoot();
        using IHost host = new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(services => services.AddWharfStaticAssetServing(options =>
                {
                    options.RootPath = root.Root;
                    options.IndexFile = indexFile;
                }))
                .Configure(app => app.UseWharfStaticAssets()))
            .Build();

        InvalidOperationException error = await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("Wharf:StaticServing:IndexFile", error.Message);
        Assert.Contains("'" + indexFile + "'", error.Message);
        Assert.Contains("index.html", error.Message, "The message shows what a good value looks like.");
    }

    [TestMethod]
    [DataRow("docs/index.html", false)]
    [DataRow("index.html", true)]
    [DataRow("", true)]
    public async Task The_index_file_binds_from_configuration_and_is_validated(string value, bool valid)
    {
        using var root = new StaticRoot();
        root.Add("index.html", "<title>home</title>"u8.ToArray(), "text/html");
        root.WriteManifest();
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Wharf:StaticServing:RootPath"] = root.Root,
            ["Wharf:StaticServing:IndexFile"] = value,
        }).Build();
        using IHost host = new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(services => services.AddWharfStaticAssetServing(configuration.GetSection("Wharf:StaticServing")))
                .Configure(app =>
                {
                    app.UseWharfStaticAssets();
                    app.Run(StaticRoot.FallThroughAsync);
                }))
            .Build();

        if (!valid)
        {
            InvalidOperationException error = await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => host.StartAsync());
            Assert.Contains("Wharf:StaticServing:IndexFile", error.Message);
            return;
        }

        await host.StartAsync();
        using HttpResponseMessage response = await GetAsync(new RawClient(host.GetTestServer()), "/static/");
        Assert.AreEqual(value.Length > 0, !FellThrough(response), "Empty turns index files off.");
    }

    /// <summary>
    /// GET, then HEAD, of <paramref name="path"/> with <paramref name="headers"/>: HEAD gets <paramref name="status"/>,
    /// no body, and the headers <paramref name="names"/> as GET has them.
    /// </summary>
    private static async Task AssertHeadIsGetWithoutBodyAsync(string path, (string Name, string Value)[] headers, HttpStatusCode status, params string[] names)
    {
        using HttpResponseMessage get = await GetAsync(Client, path, headers);
        using HttpResponseMessage head = await SendAsync(Client, HttpMethod.Head, path, headers);

        Assert.AreEqual(status, head.StatusCode);
        Assert.IsEmpty(await BodyAsync(head));
        foreach (string name in names)
        {
            Assert.AreEqual(Header(get, name), Header(head, name), name);
        }
    }

    /// <summary>Sets Request.Path directly: no client or server normalisation between the attacker and the middleware.</summary>
    private static async Task AssertFallsThroughAsync(string method, string rawPath)
    {
        HttpContext context = await s_host!.GetTestServer().SendAsync(c =>
        {
            c.Request.Method = method;
            c.Request.Path = new PathString(rawPath);
        });

        Assert.AreEqual("1", context.Response.Headers["X-Fall-Through"].ToString(), $"{method} {rawPath[..Math.Min(rawPath.Length, 60)]}");
        using var reader = new StreamReader(context.Response.Body);
        Assert.DoesNotContain(StaticRoot.Secret, await reader.ReadToEndAsync());
    }
}
