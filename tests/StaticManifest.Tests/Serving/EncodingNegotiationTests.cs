using System.Net;
using static Wharf.StaticManifest.Tests.Serving.Http;

namespace Wharf.StaticManifest.Tests.Serving;

/// <summary>Accept-Encoding per RFC 9110 §12.5.3 over precompressed variants (whitenoise ignores q-values).</summary>
[TestClass]
public sealed class EncodingNegotiationTests
{
    [TestMethod]
    [DataRow("gzip, deflate, br", "br", DisplayName = "a browser's header: br, the smaller at equal q")]
    [DataRow("gzip, deflate, br, zstd", "br", DisplayName = "with zstd (not available)")]
    [DataRow("gzip, br", "br", DisplayName = "order does not matter")]
    [DataRow("br;q=1.0, gzip;q=1", "br", DisplayName = "explicit equal q")]
    [DataRow("br;q=0.5, gzip", "gzip", DisplayName = "higher q wins over smaller size")]
    [DataRow("br;q=0, gzip", "gzip", DisplayName = "br refused")]
    [DataRow("br;q=0.000, gzip", "gzip", DisplayName = "q=0.000 is a refusal")]
    [DataRow("gzip;q=0", "identity", DisplayName = "gzip;q=0 is a refusal, not a request (whitenoise #352)")]
    [DataRow("gzip;q=0, br;q=0", "identity", DisplayName = "both refused")]
    [DataRow("gzip;q=0.5", "gzip", DisplayName = "an unlisted identity ranks below anything asked for")]
    [DataRow("*", "br", DisplayName = "the wildcard accepts every coding")]
    [DataRow("*;q=0.5, br;q=0", "gzip", DisplayName = "the wildcard covers only codings not listed")]
    [DataRow("*;q=0", "identity", DisplayName = "everything refused: identity anyway, not 406")]
    [DataRow("identity;q=0", "identity", DisplayName = "identity refused and nothing else offered: identity anyway")]
    [DataRow("identity;q=0, gzip", "gzip", DisplayName = "identity refused, gzip accepted")]
    [DataRow("identity, br;q=0.9", "identity", DisplayName = "identity preferred by q")]
    [DataRow("identity;q=0.5, br;q=0.9", "br", DisplayName = "identity ranked lower")]
    [DataRow("identity;q=0.9, *;q=0.9", "br", DisplayName = "a tie with identity goes to the smaller variant")]
    [DataRow(" BR ; Q=0.9 ,\tGZIP;q=0.8", "br", DisplayName = "case-insensitive tokens and parameters, whitespace")]
    [DataRow("GZip", "gzip", DisplayName = "mixed case")]
    [DataRow("x-gzip", "gzip", DisplayName = "x-gzip is gzip")]
    [DataRow("br;q=2, gzip", "gzip", DisplayName = "q above 1 is invalid: the element is ignored")]
    [DataRow("br;q=0.0001, gzip;q=0.5", "gzip", DisplayName = "four decimals are invalid")]
    [DataRow("br;q=, gzip", "gzip", DisplayName = "an empty q is invalid")]
    [DataRow("br;q=1.5, gzip", "gzip", DisplayName = "1.5 is invalid")]
    [DataRow("br;level=5, gzip;q=0.1", "br", DisplayName = "unknown parameters are ignored")]
    [DataRow("br,,gzip", "br", DisplayName = "empty list elements")]
    [DataRow("deflate, compress", "identity", DisplayName = "nothing available")]
    [DataRow("", "identity", DisplayName = "an empty value: no coding wanted")]
    [DataRow("b r, g zip", "identity", DisplayName = "not tokens")]
    [DataRow("br;q=0, br", "identity", DisplayName = "the first mention counts")]
    public async Task The_representation_follows_Accept_Encoding(string acceptEncoding, string expected)
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await GetAsync(site.Client, SharedSite.Site.Url(site.Css), ("Accept-Encoding", acceptEncoding));

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("Accept-Encoding", Header(response, "Vary"));
        Assert.AreEqual(expected == "identity" ? null : expected, Header(response, "Content-Encoding"));
        byte[] body = await BodyAsync(response);
        byte[] served = expected switch { "br" => site.CssBrotli, "gzip" => site.CssGzip, _ => site.CssBytes };
        CollectionAssert.AreEqual(served, body);
        Assert.AreEqual(served.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(response, "Content-Length"));
        Assert.AreEqual(StaticRoot.TagOf(served), Header(response, "ETag"));
        Assert.AreEqual("text/css; charset=utf-8", Header(response, "Content-Type"), "The type is the content's, whatever the coding.");
        byte[] decoded = expected switch { "br" => StaticRoot.Unbrotli(body), "gzip" => StaticRoot.Ungzip(body), _ => body };
        CollectionAssert.AreEqual(site.CssBytes, decoded);
    }

    [TestMethod]
    public async Task Without_Accept_Encoding_identity_is_sent_and_Vary_still_says_why()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await GetAsync(site.Client, SharedSite.Site.Url(site.Css));

        Assert.IsNull(Header(response, "Content-Encoding"));
        Assert.AreEqual("Accept-Encoding", Header(response, "Vary"));
        CollectionAssert.AreEqual(site.CssBytes, await BodyAsync(response));
    }

    [TestMethod]
    public async Task Several_Accept_Encoding_lines_are_one_list()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, SharedSite.Site.Url(site.Css));
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip;q=0.1");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "br;q=0");
        using HttpResponseMessage response = await site.Client.SendAsync(request);

        Assert.AreEqual("gzip", Header(response, "Content-Encoding"));
    }

    [TestMethod]
    public async Task Each_encoding_has_its_own_strong_ETag_from_its_own_bytes()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        string url = SharedSite.Site.Url(site.Css);
        using HttpResponseMessage identity = await GetAsync(site.Client, url);
        using HttpResponseMessage brotli = await GetAsync(site.Client, url, ("Accept-Encoding", "br"));
        using HttpResponseMessage gzip = await GetAsync(site.Client, url, ("Accept-Encoding", "gzip"));

        string[] tags = [Header(identity, "ETag")!, Header(brotli, "ETag")!, Header(gzip, "ETag")!];
        Assert.HasCount(3, tags.Distinct());
        Assert.IsTrue(tags.All(t => t.StartsWith('"') && t.EndsWith('"')), "Strong tags.");
        Assert.AreEqual(StaticRoot.TagOf(await BodyAsync(brotli)), tags[1]);
        Assert.AreEqual(StaticRoot.TagOf(await BodyAsync(gzip)), tags[2]);

        // A cached Brotli copy revalidates as Brotli; the same tag does not revalidate the identity response.
        using HttpResponseMessage brotli304 = await GetAsync(site.Client, url, ("Accept-Encoding", "br"), ("If-None-Match", tags[1]));
        using HttpResponseMessage identity200 = await GetAsync(site.Client, url, ("If-None-Match", tags[1]));
        Assert.AreEqual(HttpStatusCode.NotModified, brotli304.StatusCode);
        Assert.AreEqual(tags[1], Header(brotli304, "ETag"));
        Assert.AreEqual("Accept-Encoding", Header(brotli304, "Vary"));
        Assert.AreEqual(HttpStatusCode.OK, identity200.StatusCode);
    }

    [TestMethod]
    [DataRow("br", null, DisplayName = "br asked, only gzip stored: identity")]
    [DataRow("br, gzip", "gzip", DisplayName = "br or gzip: gzip")]
    [DataRow("*", "gzip", DisplayName = "wildcard: gzip")]
    public async Task Only_stored_variants_are_offered(string acceptEncoding, string? expected)
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await GetAsync(site.Client, SharedSite.Site.Url(site.GzipOnly), ("Accept-Encoding", acceptEncoding));

        Assert.AreEqual(expected, Header(response, "Content-Encoding"));
        Assert.AreEqual("Accept-Encoding", Header(response, "Vary"));
    }

    [TestMethod]
    public async Task A_file_without_variants_ignores_Accept_Encoding_and_sends_no_Vary()
    {
        SharedSite.Site site = await SharedSite.GetAsync();
        using HttpResponseMessage response = await GetAsync(site.Client, SharedSite.Site.Url(site.Logo), ("Accept-Encoding", "br, gzip"));

        Assert.IsNull(Header(response, "Content-Encoding"));
        Assert.IsNull(Header(response, "Vary"));
        CollectionAssert.AreEqual(site.LogoBytes, await BodyAsync(response));
    }
}
