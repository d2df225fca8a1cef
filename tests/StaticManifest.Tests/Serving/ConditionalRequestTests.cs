using System.Net;
using static Wharf.StaticManifest.Tests.Serving.Http;

namespace Wharf.StaticManifest.Tests.Serving;

/// <summary>RFC 9110 §13: If-None-Match, If-Modified-Since, If-Match, If-Unmodified-Since, and their order.</summary>
[TestClass]
public sealed class ConditionalRequestTests
{
    private const string LastModified = "Mon, 06 May 2024 07:08:09 GMT";
    private const string Earlier = "Mon, 06 May 2024 07:08:08 GMT";
    private const string Later = "Tue, 07 May 2024 00:00:00 GMT";

    [TestMethod]
    [DataRow("{0}", DisplayName = "the tag")]
    [DataRow("\"other\", {0}", DisplayName = "in a list")]
    [DataRow("\"other\",{0},\"more\"", DisplayName = "in a list without spaces")]
    [DataRow("W/{0}", DisplayName = "weak comparison ignores W/")]
    [DataRow("W/\"other\" , W/{0}", DisplayName = "weak in a list")]
    [DataRow("\"a,b\", {0}", DisplayName = "after a tag holding a comma")]
    [DataRow("*", DisplayName = "any representation")]
    [DataRow(" \t{0} ", DisplayName = "with whitespace")]
    public async Task If_None_Match_that_matches_gives_304_with_the_cache_headers(string template)
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        string tag = StaticRoot.TagOf(site.CssBytes);
        using HttpResponseMessage response = await GetAsync(site.Client, SharedSite.Site.Url(site.Css), ("If-None-Match", string.Format(System.Globalization.CultureInfo.InvariantCulture, template, tag)));

        Assert.AreEqual(HttpStatusCode.NotModified, response.StatusCode);
        Assert.AreEqual(tag, Header(response, "ETag"));
        Assert.AreEqual("public, max-age=31536000, immutable", Header(response, "Cache-Control"));
        Assert.AreEqual("Accept-Encoding", Header(response, "Vary"));
        Assert.AreEqual(LastModified, Header(response, "Last-Modified"));
        Assert.AreEqual("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.IsNull(Header(response, "Content-Type"), "§15.4.5: no representation metadata on 304.");
        Assert.IsNull(Header(response, "Content-Encoding"));
        Assert.IsEmpty(await BodyAsync(response));
    }

    [TestMethod]
    public async Task If_None_Match_over_two_header_lines_is_one_list()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, SharedSite.Site.Url(site.Css));
        request.Headers.TryAddWithoutValidation("If-None-Match", "\"other\"");
        request.Headers.TryAddWithoutValidation("If-None-Match", StaticRoot.TagOf(site.CssBytes));
        using HttpResponseMessage response = await site.Client.SendAsync(request);

        Assert.AreEqual(HttpStatusCode.NotModified, response.StatusCode);
    }

    [TestMethod]
    [DataRow("\"other\"", DisplayName = "another tag")]
    [DataRow("W/\"other\", \"more\"", DisplayName = "a list of others")]
    [DataRow("{1}", DisplayName = "the tag unquoted")]
    [DataRow("\"\"", DisplayName = "an empty tag")]
    [DataRow("{2}", DisplayName = "the gzip variant's tag, identity served")]
    [DataRow("\"{1}", DisplayName = "unterminated")]
    public async Task If_None_Match_that_does_not_match_gives_200(string template)
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        string tag = StaticRoot.TagOf(site.CssBytes);
        string value = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, tag, tag.Trim('"'), StaticRoot.TagOf(site.CssGzip));
        using HttpResponseMessage response = await GetAsync(site.Client, SharedSite.Site.Url(site.Css), ("If-None-Match", value));

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        CollectionAssert.AreEqual(site.CssBytes, await BodyAsync(response));
    }

    [TestMethod]
    [DataRow(LastModified, HttpStatusCode.NotModified, DisplayName = "equal")]
    [DataRow(Later, HttpStatusCode.NotModified, DisplayName = "later")]
    [DataRow(Earlier, HttpStatusCode.OK, DisplayName = "a second earlier")]
    [DataRow("yesterday", HttpStatusCode.OK, DisplayName = "not a date")]
    [DataRow("Monday, 06-May-24 07:08:09 GMT", HttpStatusCode.NotModified, DisplayName = "obsolete RFC 850 form")]
    [DataRow("Mon May  6 07:08:09 2024", HttpStatusCode.NotModified, DisplayName = "asctime form")]
    public async Task If_Modified_Since_alone_compares_with_Last_Modified(string date, HttpStatusCode expected)
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await GetAsync(site.Client, SharedSite.Site.Url(site.Css), ("If-Modified-Since", date));

        Assert.AreEqual(expected, response.StatusCode);
    }

    [TestMethod]
    public async Task If_Modified_Since_is_ignored_when_If_None_Match_is_present()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        string url = SharedSite.Site.Url(site.Css);
        using HttpResponseMessage mismatch = await GetAsync(site.Client, url, ("If-None-Match", "\"other\""), ("If-Modified-Since", Later));
        using HttpResponseMessage match = await GetAsync(site.Client, url, ("If-None-Match", StaticRoot.TagOf(site.CssBytes)), ("If-Modified-Since", Earlier));

        Assert.AreEqual(HttpStatusCode.OK, mismatch.StatusCode, "The date would say 304; the tag decides.");
        Assert.AreEqual(HttpStatusCode.NotModified, match.StatusCode, "The date would say 200; the tag decides.");
    }

    [TestMethod]
    [DataRow("{0}", HttpStatusCode.OK, DisplayName = "the tag")]
    [DataRow("\"other\", {0}", HttpStatusCode.OK, DisplayName = "in a list")]
    [DataRow("*", HttpStatusCode.OK, DisplayName = "any")]
    [DataRow("\"other\"", HttpStatusCode.PreconditionFailed, DisplayName = "another tag")]
    [DataRow("W/{0}", HttpStatusCode.PreconditionFailed, DisplayName = "weak never matches strongly")]
    [DataRow("{1}", HttpStatusCode.PreconditionFailed, DisplayName = "the Brotli tag, identity served")]
    public async Task If_Match_uses_strong_comparison(string template, HttpStatusCode expected)
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        string value = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, StaticRoot.TagOf(site.CssBytes), StaticRoot.TagOf(site.CssBrotli));
        using HttpResponseMessage response = await GetAsync(site.Client, SharedSite.Site.Url(site.Css), ("If-Match", value));

        Assert.AreEqual(expected, response.StatusCode);
        if (expected == HttpStatusCode.PreconditionFailed)
        {
            Assert.IsEmpty(await BodyAsync(response));
            Assert.IsNull(Header(response, "Cache-Control"), "An error must not become storable for a year.");
        }
    }

    [TestMethod]
    [DataRow(Earlier, HttpStatusCode.PreconditionFailed, DisplayName = "modified since")]
    [DataRow(LastModified, HttpStatusCode.OK, DisplayName = "equal")]
    [DataRow(Later, HttpStatusCode.OK, DisplayName = "not modified since")]
    [DataRow("not a date", HttpStatusCode.OK, DisplayName = "not a date is ignored")]
    public async Task If_Unmodified_Since_alone_compares_with_Last_Modified(string date, HttpStatusCode expected)
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await GetAsync(site.Client, SharedSite.Site.Url(site.Css), ("If-Unmodified-Since", date));

        Assert.AreEqual(expected, response.StatusCode);
    }

    [TestMethod]
    public async Task If_Unmodified_Since_is_ignored_when_If_Match_is_present()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await GetAsync(site.Client, SharedSite.Site.Url(site.Css), ("If-Match", StaticRoot.TagOf(site.CssBytes)), ("If-Unmodified-Since", Earlier));

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [TestMethod]
    public async Task A_failed_If_Match_wins_over_a_matching_If_None_Match()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await GetAsync(site.Client, SharedSite.Site.Url(site.Css), ("If-Match", "\"other\""), ("If-None-Match", StaticRoot.TagOf(site.CssBytes)));

        Assert.AreEqual(HttpStatusCode.PreconditionFailed, response.StatusCode);
    }

    [TestMethod]
    public async Task HEAD_is_conditional_too()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage notModified = await SendAsync(site.Client, HttpMethod.Head, SharedSite.Site.Url(site.Css), ("If-None-Match", StaticRoot.TagOf(site.CssBytes)));
        using HttpResponseMessage failed = await SendAsync(site.Client, HttpMethod.Head, SharedSite.Site.Url(site.Css), ("If-Match", "\"other\""));

        Assert.AreEqual(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.AreEqual(HttpStatusCode.PreconditionFailed, failed.StatusCode);
    }

    [TestMethod]
    public async Task A_304_for_a_short_lived_file_carries_its_short_Cache_Control_and_no_Vary()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage first = await GetAsync(site.Client, "/static/robots.txt");
        using HttpResponseMessage response = await GetAsync(site.Client, "/static/robots.txt", ("If-None-Match", Header(first, "ETag")!));

        Assert.AreEqual(HttpStatusCode.NotModified, response.StatusCode);
        Assert.AreEqual("public, max-age=60", Header(response, "Cache-Control"));
        Assert.IsNull(Header(response, "Vary"));
    }
}
