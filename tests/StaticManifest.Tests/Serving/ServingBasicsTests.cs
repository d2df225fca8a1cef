using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using static Wharf.StaticManifest.Tests.Serving.Http;

namespace Wharf.StaticManifest.Tests.Serving;

/// <summary>Headers of a plain GET, HEAD, other methods, and which paths are (not) served.</summary>
[TestClass]
public sealed class ServingBasicsTests
{
    [TestMethod]
    public async Task A_fingerprinted_file_is_served_with_immutable_caching_and_every_header()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await GetAsync(site.Client, SharedSite.Site.Url(site.Css));

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        CollectionAssert.AreEqual(site.CssBytes, await BodyAsync(response));
        Assert.AreEqual("public, max-age=31536000, immutable", Header(response, "Cache-Control"));
        Assert.AreEqual(StaticRoot.TagOf(site.CssBytes), Header(response, "ETag"));
        Assert.AreEqual("Mon, 06 May 2024 07:08:09 GMT", Header(response, "Last-Modified"));
        Assert.AreEqual("text/css; charset=utf-8", Header(response, "Content-Type"));
        Assert.AreEqual("8000", Header(response, "Content-Length"));
        Assert.AreEqual("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.AreEqual("bytes", Header(response, "Accept-Ranges"));
        Assert.AreEqual("Accept-Encoding", Header(response, "Vary"));
        Assert.IsNull(Header(response, "Content-Encoding"), "No Accept-Encoding: identity.");
        Assert.IsNull(Header(response, "Access-Control-Allow-Origin"), "Off by default, as UseStaticFiles.");
    }

    [TestMethod]
    public async Task The_TestServer_HttpClient_gets_the_negotiated_file_and_a_304()
    {
        // The other tests send raw headers (RawClient); this one goes through HttpClient's own header handling.
        SharedSite.Site site = await SharedSite.GetAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, SharedSite.Site.Url(site.Css));
        request.Headers.AcceptEncoding.ParseAdd("gzip, deflate, br");
        using HttpResponseMessage response = await site.HttpClient.SendAsync(request);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("br", response.Content.Headers.ContentEncoding);
        CollectionAssert.AreEqual(site.CssBrotli, await response.Content.ReadAsByteArrayAsync());

        using var revalidation = new HttpRequestMessage(HttpMethod.Get, SharedSite.Site.Url(site.Css));
        revalidation.Headers.AcceptEncoding.ParseAdd("br");
        revalidation.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using HttpResponseMessage notModified = await site.HttpClient.SendAsync(revalidation);
        Assert.AreEqual(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [TestMethod]
    public async Task A_file_without_a_hash_in_its_name_gets_the_short_max_age_and_no_Vary_without_variants()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await GetAsync(site.Client, "/static/robots.txt");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("public, max-age=60", Header(response, "Cache-Control"));
        Assert.IsNull(Header(response, "Vary"));
        Assert.AreEqual("text/plain; charset=utf-8", Header(response, "Content-Type"));
        Assert.AreEqual("User-agent: *\nDisallow:\n", await response.Content.ReadAsStringAsync());
    }

    [TestMethod]
    [DataRow("js", "text/javascript; charset=utf-8", DisplayName = "a charset already named is not repeated")]
    [DataRow("svg", "image/svg+xml; charset=utf-8", DisplayName = "SVG is XML text")]
    [DataRow("png", "image/png", DisplayName = "binary types get no charset")]
    [DataRow("json", "application/json", DisplayName = "JSON defines no charset parameter")]
    public async Task Text_types_get_a_UTF_8_charset_and_others_none(string which, string contentType)
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        StaticAsset asset = which switch { "js" => site.GzipOnly, "svg" => site.Svg, "png" => site.Logo, _ => site.Json };
        using HttpResponseMessage response = await GetAsync(site.Client, SharedSite.Site.Url(asset));

        Assert.AreEqual(contentType, Header(response, "Content-Type"));
    }

    [TestMethod]
    public async Task An_empty_file_is_served_with_length_zero()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await GetAsync(site.Client, "/static/empty.txt");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("0", Header(response, "Content-Length"));
        Assert.IsEmpty(await BodyAsync(response));
    }

    [TestMethod]
    public async Task HEAD_gets_the_headers_of_GET_and_no_body()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage get = await GetAsync(site.Client, SharedSite.Site.Url(site.Css), ("Accept-Encoding", "br"));
        using HttpResponseMessage head = await SendAsync(site.Client, HttpMethod.Head, SharedSite.Site.Url(site.Css), ("Accept-Encoding", "br"));

        Assert.AreEqual(HttpStatusCode.OK, head.StatusCode);
        Assert.IsEmpty(await BodyAsync(head));
        Assert.AreEqual(site.CssBrotli.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(head, "Content-Length"));
        foreach (string name in new[] { "Content-Length", "Content-Type", "Content-Encoding", "ETag", "Last-Modified", "Cache-Control", "Vary", "Accept-Ranges", "X-Content-Type-Options" })
        {
            Assert.AreEqual(Header(get, name), Header(head, name), name);
        }
    }

    [TestMethod]
    [DataRow("POST")]
    [DataRow("PUT")]
    [DataRow("DELETE")]
    [DataRow("PATCH")]
    [DataRow("OPTIONS")]
    [DataRow("TRACE")]
    public async Task Other_methods_on_an_asset_get_405_with_Allow(string method)
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await SendAsync(site.Client, new HttpMethod(method), SharedSite.Site.Url(site.Css));

        Assert.AreEqual(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.AreEqual("GET, HEAD", Header(response, "Allow"));
        Assert.IsFalse(FellThrough(response));
    }

    [TestMethod]
    public async Task Other_methods_on_unknown_paths_fall_through()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await SendAsync(site.Client, HttpMethod.Post, "/static/nothing.css");

        Assert.IsTrue(FellThrough(response));
    }

    [TestMethod]
    [DataRow("/static/nothing.css", DisplayName = "unknown under the prefix")]
    [DataRow("/elsewhere/robots.txt", DisplayName = "outside the prefix")]
    [DataRow("/robots.txt", DisplayName = "the root")]
    [DataRow("/static", DisplayName = "the prefix itself")]
    [DataRow("/static/", DisplayName = "the prefix with a slash")]
    [DataRow("/staticx/robots.txt", DisplayName = "a longer first segment")]
    [DataRow("/static/unlisted.txt", DisplayName = "on disk but not in the manifest")]
    [DataRow("/static/staticfiles.json", DisplayName = "the manifest itself")]
    [DataRow("/static/css/app.css", DisplayName = "the logical name of a fingerprinted file")]
    [DataRow("/static/ROBOTS.TXT", DisplayName = "stored paths are case-sensitive")]
    [DataRow("/static/robots.txt/", DisplayName = "a trailing slash")]
    public async Task Paths_not_in_the_index_fall_through(string path)
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await GetAsync(site.Client, path);

        Assert.IsTrue(FellThrough(response), path);
    }

    [TestMethod]
    [DataRow(".br")]
    [DataRow(".gz")]
    public async Task Precompressed_variants_are_not_served_under_their_own_names(string suffix)
    {
        // They exist only through negotiation: served by name they would be labelled with no Content-Encoding.
        SharedSite.Site site = await SharedSite.GetAsync();
        Assert.IsTrue(File.Exists(site.Root.PhysicalPath(site.Css.StoredPath + suffix)));
        using HttpResponseMessage response = await GetAsync(site.Client, SharedSite.Site.Url(site.Css) + suffix);

        Assert.IsTrue(FellThrough(response));
    }

    [TestMethod]
    public async Task The_prefix_matches_without_regard_to_case_as_in_UseStaticFiles()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await GetAsync(site.Client, "/STATIC/robots.txt");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [TestMethod]
    public async Task A_percent_encoded_URL_matches_the_decoded_stored_name()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        string url = SharedSite.Site.Url(site.Spaced);
        Assert.Contains("%20", url);
        using HttpResponseMessage response = await GetAsync(site.Client, url);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        CollectionAssert.AreEqual(site.Root.Read(site.Spaced.StoredPath), await BodyAsync(response));
    }

    [TestMethod]
    [DataRow("/static/../secret.txt")]
    [DataRow("/static/%2e%2e/secret.txt")]
    [DataRow("/static/%2E%2E/secret.txt")]
    [DataRow("/static/..%2Fsecret.txt")]
    [DataRow("/static/..%2fsecret.txt")]
    [DataRow("/static/..\\secret.txt")]
    [DataRow("/static\\..\\secret.txt")]
    [DataRow("/static/css/../../secret.txt")]
    [DataRow("/static/css/..\\..\\secret.txt")]
    [DataRow("/static/%5C..%5Csecret.txt")]
    [DataRow("/static//secret.txt")]
    [DataRow("/static/./robots.txt")]
    [DataRow("/static/unlisted.txt/../../secret.txt")]
    public async Task Traversal_attempts_fall_through_as_raw_paths(string rawPath)
    {
        // Set Request.Path directly: no client or server normalisation between the attacker and the middleware.
        SharedSite.Site site = await SharedSite.GetAsync();
        HttpContext context = await site.Host.GetTestServer().SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = new PathString(rawPath);
        });

        Assert.AreEqual("1", context.Response.Headers["X-Fall-Through"].ToString(), rawPath);
        using var reader = new StreamReader(context.Response.Body);
        Assert.DoesNotContain(StaticRoot.Secret, await reader.ReadToEndAsync());
    }

    [TestMethod]
    [DataRow("/static/../secret.txt")]
    [DataRow("/static/%2e%2e/secret.txt")]
    [DataRow("/static/..%2fsecret.txt")]
    [DataRow("/static/css%2f..%2f..%2fsecret.txt")]
    public async Task Percent_encoded_traversal_attempts_fall_through(string url)
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await GetAsync(site.Client, url);

        Assert.IsTrue(FellThrough(response), url);
        Assert.DoesNotContain(StaticRoot.Secret, await response.Content.ReadAsStringAsync());
    }
}
