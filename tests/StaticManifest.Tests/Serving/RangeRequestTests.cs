using System.Globalization;
using System.Net;
using static Wharf.StaticManifest.Tests.Serving.Http;

namespace Wharf.StaticManifest.Tests.Serving;

/// <summary>RFC 9110 §14: single byte ranges, 416, ignored multi-range and malformed headers, If-Range, ranges of a variant.</summary>
[TestClass]
public sealed class RangeRequestTests
{
    [TestMethod]
    [DataRow("bytes=0-0", 0, 1, DisplayName = "first byte (whitenoise: 416)")]
    [DataRow("bytes=2999-2999", 2999, 1, DisplayName = "last byte (whitenoise: 416)")]
    [DataRow("bytes=1234-1234", 1234, 1, DisplayName = "any one byte")]
    [DataRow("bytes=10-19", 10, 10, DisplayName = "a closed range")]
    [DataRow("bytes=0-2999", 0, 3000, DisplayName = "exactly the whole file")]
    [DataRow("bytes=-1", 2999, 1, DisplayName = "suffix of one")]
    [DataRow("bytes=-500", 2500, 500, DisplayName = "suffix")]
    [DataRow("bytes=-5000", 0, 3000, DisplayName = "suffix longer than the file")]
    [DataRow("bytes=-99999999999999999999999", 0, 3000, DisplayName = "suffix past long.MaxValue")]
    [DataRow("bytes=100-", 100, 2900, DisplayName = "open-ended")]
    [DataRow("bytes=100-99999", 100, 2900, DisplayName = "end clamped")]
    [DataRow("bytes=0-99999999999999999999999", 0, 3000, DisplayName = "end past long.MaxValue clamped")]
    [DataRow("BYTES=10-19", 10, 10, DisplayName = "the unit is case-insensitive")]
    [DataRow("bytes= 10-19 ", 10, 10, DisplayName = "whitespace around the range")]
    [DataRow("bytes=10-19,", 10, 10, DisplayName = "an empty list element is no second range")]
    public async Task A_single_satisfiable_range_gets_206(string range, int start, int count)
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await GetAsync(site.Client, SharedSite.Site.Url(site.Logo), ("Range", range));

        Assert.AreEqual(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.AreEqual(string.Create(CultureInfo.InvariantCulture, $"bytes {start}-{start + count - 1}/3000"), Header(response, "Content-Range"));
        Assert.AreEqual(count.ToString(CultureInfo.InvariantCulture), Header(response, "Content-Length"));
        CollectionAssert.AreEqual(site.LogoBytes.AsSpan(start, count).ToArray(), await BodyAsync(response));
        Assert.AreEqual(StaticRoot.TagOf(site.LogoBytes), Header(response, "ETag"));
        Assert.AreEqual("public, max-age=31536000, immutable", Header(response, "Cache-Control"));
        Assert.AreEqual("image/png", Header(response, "Content-Type"));
        Assert.AreEqual("bytes", Header(response, "Accept-Ranges"));
    }

    [TestMethod]
    [DataRow("bytes=3000-", DisplayName = "starts at the end")]
    [DataRow("bytes=3000-3005", DisplayName = "wholly past the end")]
    [DataRow("bytes=99999999999999999999-", DisplayName = "start past long.MaxValue")]
    [DataRow("bytes=-0", DisplayName = "empty suffix")]
    [DataRow("bytes=5-3", DisplayName = "last before first is invalid")]
    public async Task An_unsatisfiable_range_gets_416_with_the_length(string range)
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await GetAsync(site.Client, SharedSite.Site.Url(site.Logo), ("Range", range));

        Assert.AreEqual(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.AreEqual("bytes */3000", Header(response, "Content-Range"));
        Assert.IsEmpty(await BodyAsync(response));
        Assert.IsNull(Header(response, "Cache-Control"), "A 416 must not become storable under the URL.");
    }

    [TestMethod]
    public async Task Any_range_of_an_empty_file_is_unsatisfiable()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await GetAsync(site.Client, "/static/empty.txt", ("Range", "bytes=0-"));

        Assert.AreEqual(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.AreEqual("bytes */0", Header(response, "Content-Range"));
    }

    [TestMethod]
    [DataRow("bytes=0-0,5-6", DisplayName = "two ranges")]
    [DataRow("bytes=0-1, 2-3, 4-5", DisplayName = "three ranges")]
    [DataRow("bytes=0-10,5000-6000", DisplayName = "one satisfiable of two")]
    [DataRow("bytes=abc", DisplayName = "not numbers")]
    [DataRow("bytes=1-2-3", DisplayName = "two dashes")]
    [DataRow("bytes=--1", DisplayName = "negative")]
    [DataRow("bytes=1 -2", DisplayName = "space inside")]
    [DataRow("bytes=-", DisplayName = "a lone dash")]
    [DataRow("bytes=", DisplayName = "no range")]
    [DataRow("bytes", DisplayName = "no equals sign")]
    [DataRow("0-10", DisplayName = "no unit")]
    [DataRow("items=0-10", DisplayName = "another unit")]
    [DataRow("bytes=0x10-20", DisplayName = "hex")]
    public async Task Multi_range_and_malformed_headers_get_the_whole_file(string range)
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await GetAsync(site.Client, SharedSite.Site.Url(site.Logo), ("Range", range));

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.IsNull(Header(response, "Content-Range"));
        Assert.AreEqual("3000", Header(response, "Content-Length"));
        CollectionAssert.AreEqual(site.LogoBytes, await BodyAsync(response));
    }

    [TestMethod]
    public async Task Two_Range_lines_are_a_multi_range_request()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, SharedSite.Site.Url(site.Logo));
        request.Headers.TryAddWithoutValidation("Range", "bytes=0-0");
        request.Headers.TryAddWithoutValidation("Range", "bytes=5-6");
        using HttpResponseMessage response = await site.Client.SendAsync(request);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [TestMethod]
    [DataRow("tag", HttpStatusCode.PartialContent, DisplayName = "the strong tag")]
    [DataRow("date", HttpStatusCode.PartialContent, DisplayName = "Last-Modified exactly")]
    [DataRow("\"other\"", HttpStatusCode.OK, DisplayName = "another tag")]
    [DataRow("weak", HttpStatusCode.OK, DisplayName = "the tag, weak")]
    [DataRow("Tue, 07 May 2024 00:00:00 GMT", HttpStatusCode.OK, DisplayName = "a later date")]
    [DataRow("Mon, 06 May 2024 07:08:08 GMT", HttpStatusCode.OK, DisplayName = "an earlier date")]
    [DataRow("garbage", HttpStatusCode.OK, DisplayName = "neither tag nor date")]
    public async Task If_Range_decides_between_the_range_and_the_whole_file(string ifRange, HttpStatusCode expected)
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        string tag = StaticRoot.TagOf(site.LogoBytes);
        string value = ifRange switch { "tag" => tag, "weak" => "W/" + tag, "date" => "Mon, 06 May 2024 07:08:09 GMT", _ => ifRange };
        using HttpResponseMessage response = await GetAsync(site.Client, SharedSite.Site.Url(site.Logo), ("Range", "bytes=10-19"), ("If-Range", value));

        Assert.AreEqual(expected, response.StatusCode);
        byte[] body = await BodyAsync(response);
        Assert.HasCount(expected == HttpStatusCode.OK ? 3000 : 10, body);
    }

    [TestMethod]
    public async Task If_Range_without_Range_is_ignored()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await GetAsync(site.Client, SharedSite.Site.Url(site.Logo), ("If-Range", "\"other\""));

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [TestMethod]
    public async Task Preconditions_come_before_the_range()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        string url = SharedSite.Site.Url(site.Logo);
        using HttpResponseMessage notModified = await GetAsync(site.Client, url, ("Range", "bytes=0-9"), ("If-None-Match", StaticRoot.TagOf(site.LogoBytes)));
        using HttpResponseMessage failed = await GetAsync(site.Client, url, ("Range", "bytes=0-9"), ("If-Match", "\"other\""));
        using HttpResponseMessage failedUnsatisfiable = await GetAsync(site.Client, url, ("Range", "bytes=5000-"), ("If-Match", "\"other\""));

        Assert.AreEqual(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.AreEqual(HttpStatusCode.PreconditionFailed, failed.StatusCode);
        Assert.AreEqual(HttpStatusCode.PreconditionFailed, failedUnsatisfiable.StatusCode);
    }

    [TestMethod]
    public async Task HEAD_ignores_Range()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await SendAsync(site.Client, HttpMethod.Head, SharedSite.Site.Url(site.Logo), ("Range", "bytes=0-9"));

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("3000", Header(response, "Content-Length"));
        Assert.IsNull(Header(response, "Content-Range"));
    }

    [TestMethod]
    public async Task A_range_is_over_the_negotiated_encoding_with_its_own_tag()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        byte[] brotli = site.CssBrotli;
        string url = SharedSite.Site.Url(site.Css);
        using HttpResponseMessage response = await GetAsync(site.Client, url, ("Accept-Encoding", "br"), ("Range", "bytes=0-9"));

        Assert.AreEqual(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.AreEqual("br", Header(response, "Content-Encoding"));
        Assert.AreEqual(string.Create(CultureInfo.InvariantCulture, $"bytes 0-9/{brotli.Length}"), Header(response, "Content-Range"));
        Assert.AreEqual(StaticRoot.TagOf(brotli), Header(response, "ETag"));
        Assert.AreEqual("Accept-Encoding", Header(response, "Vary"));
        CollectionAssert.AreEqual(brotli.AsSpan(0, 10).ToArray(), await BodyAsync(response));

        // Resuming the Brotli download: its tag holds; identity's does not, so the whole Brotli body comes back.
        using HttpResponseMessage resumed = await GetAsync(site.Client, url, ("Accept-Encoding", "br"), ("Range", "bytes=10-"), ("If-Range", StaticRoot.TagOf(brotli)));
        using HttpResponseMessage restarted = await GetAsync(site.Client, url, ("Accept-Encoding", "br"), ("Range", "bytes=10-"), ("If-Range", StaticRoot.TagOf(site.CssBytes)));
        Assert.AreEqual(HttpStatusCode.PartialContent, resumed.StatusCode);
        CollectionAssert.AreEqual(brotli.AsSpan(10).ToArray(), await BodyAsync(resumed));
        Assert.AreEqual(HttpStatusCode.OK, restarted.StatusCode);
        Assert.AreEqual("br", Header(restarted, "Content-Encoding"));
        CollectionAssert.AreEqual(brotli, await BodyAsync(restarted));

        // And the length a 416 reports is the variant's.
        using HttpResponseMessage unsatisfiable = await GetAsync(site.Client, url, ("Accept-Encoding", "gzip"), ("Range", "bytes=999999-"));
        Assert.AreEqual(string.Create(CultureInfo.InvariantCulture, $"bytes */{site.CssGzip.Length}"), Header(unsatisfiable, "Content-Range"));
    }
}
