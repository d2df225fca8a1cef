using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Wharf.Storage.S3.Tests;

/// <summary>Presigned GET URLs against the real server, fetched with a plain <see cref="HttpClient"/>.</summary>
[TestClass]
public sealed partial class S3SignedUrlTests : S3TestBase
{
    private static readonly byte[] Content = Encoding.UTF8.GetBytes("signed content \u00e9\n");

    [TestMethod]
    public async Task A_signed_url_reads_the_exact_bytes_of_a_private_object()
    {
        S3Storage storage = CreateStorage();
        SaveResult saved = await storage.SaveBytesAsync("docs/report 1.txt", Content, cancellationToken: Ct);

        Uri url = await storage.GetSignedUrlAsync(saved.Name, cancellationToken: Ct);

        Assert.AreEqual("http", url.Scheme, "the test server is plain HTTP");
        Assert.Contains("X-Amz-Signature=", url.Query);
        using (HttpResponseMessage response = await Anonymous.GetAsync(url, Ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"GET {url}");
            CollectionAssert.AreEqual(Content, await response.Content.ReadAsByteArrayAsync(Ct));
        }

        // The object itself stays private.
        using HttpResponseMessage unsigned = await Anonymous.GetAsync(storage.GetPublicUrl(saved.Name), Ct);
        Assert.AreEqual(HttpStatusCode.Forbidden, unsigned.StatusCode);
    }

    [TestMethod]
    public async Task A_signed_url_with_response_overrides_returns_those_headers()
    {
        S3Storage storage = CreateStorage();
        SaveResult saved = await storage.SaveBytesAsync("docs/data.bin", Content, new SaveOptions { ContentType = "application/octet-stream" }, Ct);
        const string Disposition = "attachment; filename=\"report.pdf\"";

        Uri url = await storage.GetSignedUrlAsync(saved.Name, new SignedUrlOptions
        {
            ResponseContentDisposition = Disposition,
            ResponseContentType = "application/pdf",
        }, Ct);

        using HttpResponseMessage response = await Anonymous.GetAsync(url, Ct);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"GET {url}");
        Assert.AreEqual("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.AreEqual("report.pdf", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.AreEqual(Disposition, string.Join(", ", response.Content.Headers.GetValues("Content-Disposition")));
        CollectionAssert.AreEqual(Content, await response.Content.ReadAsByteArrayAsync(Ct));

        // Without overrides the stored type comes back.
        Uri plain = await storage.GetSignedUrlAsync(saved.Name, cancellationToken: Ct);
        using HttpResponseMessage plainResponse = await Anonymous.GetAsync(plain, Ct);
        Assert.AreEqual("application/octet-stream", plainResponse.Content.Headers.ContentType?.MediaType);
        Assert.IsNull(plainResponse.Content.Headers.ContentDisposition);
    }

    [TestMethod]
    public async Task A_tampered_signed_url_is_refused()
    {
        S3Storage storage = CreateStorage();
        await storage.SaveBytesAsync("a.txt", Content, cancellationToken: Ct);
        await storage.SaveBytesAsync("b.txt", Encoding.UTF8.GetBytes("the other object"), cancellationToken: Ct);
        string url = (await storage.GetSignedUrlAsync("a.txt", new SignedUrlOptions { ExpiresIn = TimeSpan.FromMinutes(10) }, Ct)).AbsoluteUri;
        await AssertStatusAsync(url, HttpStatusCode.OK, "the untouched URL");

        // One character of the signature changed.
        Match signature = SignatureParameter().Match(url);
        Assert.IsTrue(signature.Success, url);
        char last = signature.Groups[1].Value[^1];
        string otherSignature = url[..(signature.Groups[1].Index + signature.Groups[1].Length - 1)] + (last == '0' ? '1' : '0') + url[(signature.Groups[1].Index + signature.Groups[1].Length)..];
        await AssertStatusAsync(otherSignature, HttpStatusCode.Forbidden, "a changed signature");

        // Another (existing) object's key in the path.
        string otherKey = url.Replace("/a.txt?", "/b.txt?", StringComparison.Ordinal);
        Assert.AreNotEqual(url, otherKey);
        await AssertStatusAsync(otherKey, HttpStatusCode.Forbidden, "another key");

        // A longer lifetime.
        Match expires = ExpiresParameter().Match(url);
        Assert.IsTrue(expires.Success, url);
        string longer = url.Replace(expires.Value, $"X-Amz-Expires={int.Parse(expires.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1}", StringComparison.Ordinal);
        await AssertStatusAsync(longer, HttpStatusCode.Forbidden, "a changed X-Amz-Expires");

        // A response override added after signing.
        await AssertStatusAsync(url + "&response-content-type=text%2Fhtml", HttpStatusCode.Forbidden, "an added response-content-type");
    }

    [TestMethod]
    public async Task An_expired_signed_url_is_refused()
    {
        S3Storage storage = CreateStorage();
        await storage.SaveBytesAsync("soon.txt", Content, cancellationToken: Ct);

        var clock = Stopwatch.StartNew();
        Uri url = await storage.GetSignedUrlAsync("soon.txt", new SignedUrlOptions { ExpiresIn = TimeSpan.FromSeconds(2) }, Ct);
        await AssertStatusAsync(url.AbsoluteUri, HttpStatusCode.OK, "the URL within its lifetime");
        Assert.IsLessThan(TimeSpan.FromSeconds(1), clock.Elapsed, "the first GET must run well within the lifetime");

        // The SDK counts X-Amz-Expires from X-Amz-Date, which is truncated to the second, so a 2-second URL says 2 or 3.
        DateTimeOffset expiry = ExpiryOf(url);
        Assert.IsLessThanOrEqualTo(DateTimeOffset.UtcNow.AddSeconds(3), expiry, "the URL must not live much longer than asked");
        await Task.Delay(expiry - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1), Ct);

        await AssertStatusAsync(url.AbsoluteUri, HttpStatusCode.Forbidden, "the URL after its lifetime");
    }

    [TestMethod]
    public async Task A_one_second_signed_url_is_refused_after_it_expires()
    {
        S3Storage storage = CreateStorage();
        await storage.SaveBytesAsync("one.txt", Content, cancellationToken: Ct);
        Uri url = await storage.GetSignedUrlAsync("one.txt", new SignedUrlOptions { ExpiresIn = TimeSpan.FromSeconds(1) }, Ct);
        Assert.IsLessThanOrEqualTo(DateTimeOffset.UtcNow.AddSeconds(2), ExpiryOf(url));

        await Task.Delay(TimeSpan.FromSeconds(2.5), Ct);

        await AssertStatusAsync(url.AbsoluteUri, HttpStatusCode.Forbidden, "a 1-second URL 2.5 s later");
    }

    /// <summary>When a presigned URL stops working: X-Amz-Date plus X-Amz-Expires.</summary>
    private static DateTimeOffset ExpiryOf(Uri url)
    {
        Match date = DateParameter().Match(url.Query);
        Match expires = ExpiresParameter().Match(url.Query);
        Assert.IsTrue(date.Success && expires.Success, url.AbsoluteUri);
        return DateTimeOffset.ParseExact(date.Groups[1].Value, "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal)
            .AddSeconds(int.Parse(expires.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [TestMethod]
    public async Task A_signed_url_for_a_missing_object_answers_404()
    {
        S3Storage storage = CreateStorage();
        Uri url = await storage.GetSignedUrlAsync("nothing-here.txt", cancellationToken: Ct);
        await AssertStatusAsync(url.AbsoluteUri, HttpStatusCode.NotFound, "a valid signature for a missing object");
    }

    private async Task AssertStatusAsync(string url, HttpStatusCode expected, string what)
    {
        using HttpResponseMessage response = await Anonymous.GetAsync(new Uri(url), Ct);
        string body = await response.Content.ReadAsStringAsync(Ct);
        Assert.AreEqual(expected, response.StatusCode, $"{what}: GET {url} answered {(int)response.StatusCode} {body}");
        if (expected == HttpStatusCode.OK)
        {
            CollectionAssert.AreEqual(Content, Encoding.UTF8.GetBytes(body));
        }
    }

    [GeneratedRegex("[?&]X-Amz-Signature=([0-9a-f]+)")]
    private static partial Regex SignatureParameter();

    [GeneratedRegex("X-Amz-Date=([0-9]{8}T[0-9]{6}Z)")]
    private static partial Regex DateParameter();

    [GeneratedRegex("X-Amz-Expires=([0-9]+)")]
    private static partial Regex ExpiresParameter();
}
