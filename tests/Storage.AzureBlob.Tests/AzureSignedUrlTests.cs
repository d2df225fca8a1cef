using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Wharf.Storage.AzureBlob.Internal;

namespace Wharf.Storage.AzureBlob.Tests;

/// <summary>
/// Service SAS URLs (signed with the account key) against Azurite, fetched with a plain <see cref="HttpClient"/>:
/// they read exactly one blob, for reading only, until they expire, and any edit breaks them.
/// </summary>
[TestClass]
public sealed class AzureSignedUrlTests : AzureTestBase
{
    private static readonly byte[] Content = Encoding.UTF8.GetBytes("signed content \u00e9\n");

    [TestMethod]
    public async Task A_signed_url_reads_the_exact_bytes_of_a_private_blob_anonymously()
    {
        AzureBlobStorage storage = CreateStorage();
        SaveResult saved = await storage.SaveBytesAsync("docs/report 1.txt", Content, new SaveOptions { ContentType = "text/plain" }, Ct);

        Uri url = await storage.GetSignedUrlAsync(saved.Name, cancellationToken: Ct);

        Assert.AreEqual("http", url.Scheme, "the test server is plain HTTP");
        Assert.AreEqual(storage.GetPublicUrl(saved.Name).AbsoluteUri, url.GetLeftPart(UriPartial.Path), "the SAS is on the blob's own URL");
        StringAssert.Contains(url.Query, "sr=b");
        StringAssert.Contains(url.Query, "sp=r&");
        StringAssert.Contains(url.Query, "sig=");
        using (HttpResponseMessage response = await Anonymous.GetAsync(url, Ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"GET {url}");
            CollectionAssert.AreEqual(Content, await response.Content.ReadAsByteArrayAsync(Ct));
            Assert.AreEqual("text/plain", response.Content.Headers.ContentType?.MediaType);
        }

        // The blob itself stays private: without the SAS an anonymous GET gets nothing.
        using HttpResponseMessage unsigned = await Anonymous.GetAsync(storage.GetPublicUrl(saved.Name), Ct);
        byte[] body = await unsigned.Content.ReadAsByteArrayAsync(Ct);
        Assert.AreNotEqual(HttpStatusCode.OK, unsigned.StatusCode, "an anonymous GET of a private blob");
        Assert.IsTrue(unsigned.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Unauthorized, $"answered {(int)unsigned.StatusCode}");
        Assert.AreEqual(-1, body.AsSpan().IndexOf(Content), "the content must not leak into the error answer");
    }

    [TestMethod]
    public async Task A_signed_url_with_response_overrides_returns_those_headers()
    {
        AzureBlobStorage storage = CreateStorage();
        SaveResult saved = await storage.SaveBytesAsync("docs/data.bin", Content, new SaveOptions { ContentType = "application/octet-stream" }, Ct);
        const string Disposition = "attachment; filename=\"report 2024.pdf\"";

        Uri url = await storage.GetSignedUrlAsync(saved.Name, new SignedUrlOptions
        {
            ResponseContentDisposition = Disposition,
            ResponseContentType = "application/pdf",
        }, Ct);

        StringAssert.Contains(url.Query, "rscd=");
        StringAssert.Contains(url.Query, "rsct=");
        using (HttpResponseMessage response = await Anonymous.GetAsync(url, Ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"GET {url}");
            Assert.AreEqual("application/pdf", response.Content.Headers.ContentType?.MediaType);
            Assert.AreEqual(Disposition, string.Join(", ", response.Content.Headers.GetValues("Content-Disposition")));
            Assert.AreEqual("report 2024.pdf", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
            CollectionAssert.AreEqual(Content, await response.Content.ReadAsByteArrayAsync(Ct));
        }

        // The overrides are signed: dropping or changing one breaks the URL.
        await AssertRefusedAsync(RemoveParameter(url.AbsoluteUri, "rsct"), "the rsct override removed");
        await AssertRefusedAsync(ReplaceParameter(url.AbsoluteUri, "rsct", "text%2Fhtml"), "the rsct override changed");
        await AssertRefusedAsync(url.AbsoluteUri + "&rscc=no-store", "an unsigned rscc override added");

        // Without overrides the stored type comes back, and no disposition.
        Uri plain = await storage.GetSignedUrlAsync(saved.Name, cancellationToken: Ct);
        using HttpResponseMessage plainResponse = await Anonymous.GetAsync(plain, Ct);
        Assert.AreEqual(HttpStatusCode.OK, plainResponse.StatusCode);
        Assert.AreEqual("application/octet-stream", plainResponse.Content.Headers.ContentType?.MediaType);
        Assert.IsNull(plainResponse.Content.Headers.ContentDisposition);
    }

    [TestMethod]
    public async Task A_tampered_signed_url_is_refused()
    {
        AzureBlobStorage storage = CreateStorage();
        await storage.SaveBytesAsync("a.txt", Content, cancellationToken: Ct);
        await storage.SaveBytesAsync("b.txt", Encoding.UTF8.GetBytes("the other blob"), cancellationToken: Ct);
        string url = (await storage.GetSignedUrlAsync("a.txt", new SignedUrlOptions { ExpiresIn = TimeSpan.FromMinutes(10) }, Ct)).AbsoluteUri;
        await AssertReadsAsync(url, "the untouched URL");

        // One bit of the signature changed.
        string signature = Uri.UnescapeDataString(Parameter(url, "sig"));
        byte[] bytes = Convert.FromBase64String(signature);
        bytes[^1] ^= 0x01;
        await AssertRefusedAsync(ReplaceParameter(url, "sig", Uri.EscapeDataString(Convert.ToBase64String(bytes))), "a changed signature");

        // The URL of blob a edited to point at blob b (which exists).
        string otherBlob = url.Replace("/a.txt?", "/b.txt?", StringComparison.Ordinal);
        Assert.AreNotEqual(url, otherBlob);
        await AssertRefusedAsync(otherBlob, "another blob's path");

        // Wider permissions.
        Assert.AreEqual("r", Parameter(url, "sp"));
        foreach (string wider in new[] { "rw", "rwd", "racwdl", "w" })
        {
            await AssertRefusedAsync(ReplaceParameter(url, "sp", wider), $"sp=r widened to sp={wider}");
        }

        // A later expiry.
        DateTimeOffset expiry = ExpiryOf(new Uri(url));
        string later = Uri.EscapeDataString(expiry.AddHours(1).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        await AssertRefusedAsync(ReplaceParameter(url, "se", later), "se extended by an hour");

        // A container-wide resource instead of the blob.
        await AssertRefusedAsync(ReplaceParameter(url, "sr", "c"), "sr=b changed to sr=c");

        // The signature removed altogether.
        await AssertRefusedAsync(RemoveParameter(url, "sig"), "no signature");

        // The untouched URL still works: the refusals were about the edits.
        await AssertReadsAsync(url, "the untouched URL, again");
    }

    [TestMethod]
    public async Task A_signed_url_grants_reading_only()
    {
        AzureBlobStorage storage = CreateStorage();
        await storage.SaveBytesAsync("ro.txt", Content, cancellationToken: Ct);
        Uri url = await storage.GetSignedUrlAsync("ro.txt", cancellationToken: Ct);

        using (var put = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes("overwritten")) })
        {
            put.Headers.Add("x-ms-blob-type", "BlockBlob");
            using HttpResponseMessage response = await Anonymous.SendAsync(put, Ct);
            Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode, "a PUT through a read SAS");
        }

        using (HttpResponseMessage response = await Anonymous.DeleteAsync(url, Ct))
        {
            Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode, "a DELETE through a read SAS");
        }

        CollectionAssert.AreEqual(Content, await storage.ReadAllBytesAsync("ro.txt", Ct), "the blob is untouched");
    }

    [TestMethod]
    public async Task An_expired_signed_url_is_refused()
    {
        AzureBlobStorage storage = CreateStorage();
        await storage.SaveBytesAsync("soon.txt", Content, cancellationToken: Ct);

        Uri url = await storage.GetSignedUrlAsync("soon.txt", new SignedUrlOptions { ExpiresIn = TimeSpan.FromSeconds(3) }, Ct);
        DateTimeOffset expiry = ExpiryOf(url);
        Assert.IsLessThanOrEqualTo(DateTimeOffset.UtcNow.AddSeconds(3), expiry, "the URL must not live longer than asked");
        Assert.IsGreaterThan(DateTimeOffset.UtcNow, expiry, "the URL is still valid");
        await AssertReadsAsync(url.AbsoluteUri, "the URL within its lifetime");

        await Task.Delay(expiry - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1.2), Ct);

        await AssertRefusedAsync(url.AbsoluteUri, "the URL after its lifetime");
    }

    /// <summary>A correctly signed SAS whose expiry is already past (crafted with the backend's own signer): refused for its expiry alone.</summary>
    [TestMethod]
    public async Task A_correctly_signed_but_already_expired_url_is_refused_and_the_same_signer_with_a_future_expiry_works()
    {
        AzureBlobStorage storage = CreateStorage();
        await storage.SaveBytesAsync("past.txt", Content, cancellationToken: Ct);
        byte[] key = Convert.FromBase64String(AzuriteServer.AccountKey);
        string blobName = storage.GetBlobName("past.txt");
        string blobUrl = storage.GetPublicUrl("past.txt").AbsoluteUri;

        string future = BlobSas.ForServiceKey(AzuriteServer.AccountName, Container, blobName, key, new SasParameters("r", DateTimeOffset.UtcNow.AddMinutes(5)));
        await AssertReadsAsync($"{blobUrl}?{future}", "a crafted SAS valid for 5 minutes");

        string past = BlobSas.ForServiceKey(AzuriteServer.AccountName, Container, blobName, key, new SasParameters("r", DateTimeOffset.UtcNow.AddMinutes(-1)));
        await AssertRefusedAsync($"{blobUrl}?{past}", "a crafted SAS that expired a minute ago");
    }

    [TestMethod]
    public async Task Signed_urls_work_for_names_with_spaces_unicode_and_reserved_characters_under_a_location()
    {
        AzureBlobStorage storage = CreateStorage(o => o.Location = "media/up loads");
        string[] names = ["a b/c d.txt", "ünï/çødé €.txt", "plus+sign.txt", "per%cent.txt", "hash#tag.txt", "q?mark&amp=1;x.txt", "日本語/ファイル.txt", "emoji-😀.txt"];
        foreach (string name in names)
        {
            byte[] content = Encoding.UTF8.GetBytes("content of " + name);
            SaveResult saved = await storage.SaveBytesAsync(name, content, cancellationToken: Ct);
            Assert.AreEqual(name, saved.Name);

            Uri url = await storage.GetSignedUrlAsync(name, cancellationToken: Ct);
            using HttpResponseMessage response = await Anonymous.GetAsync(url, Ct);
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"GET {url} for '{name}': {await response.Content.ReadAsStringAsync(Ct)}");
            CollectionAssert.AreEqual(content, await response.Content.ReadAsByteArrayAsync(Ct), name);
        }
    }

    [TestMethod]
    public async Task A_signed_url_for_a_missing_blob_answers_404()
    {
        AzureBlobStorage storage = CreateStorage();
        Uri url = await storage.GetSignedUrlAsync("nothing-here.txt", cancellationToken: Ct);

        using HttpResponseMessage response = await Anonymous.GetAsync(url, Ct);

        Assert.AreEqual(HttpStatusCode.NotFound, response.StatusCode, "a valid signature for a missing blob");
    }

    [TestMethod]
    public async Task The_default_lifetime_is_the_configured_SignedUrlLifetime()
    {
        AzureBlobStorage storage = CreateStorage(o => o.SignedUrlLifetime = TimeSpan.FromMinutes(7));

        DateTimeOffset before = DateTimeOffset.UtcNow;
        Uri url = await storage.GetSignedUrlAsync("x.txt", cancellationToken: Ct);
        DateTimeOffset expiry = ExpiryOf(url);

        Assert.IsGreaterThanOrEqualTo(before.AddMinutes(7).AddSeconds(-1), expiry);
        Assert.IsLessThanOrEqualTo(DateTimeOffset.UtcNow.AddMinutes(7), expiry);
    }

    private static DateTimeOffset ExpiryOf(Uri url) =>
        DateTimeOffset.ParseExact(Uri.UnescapeDataString(Parameter(url.AbsoluteUri, "se")), "yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static string Parameter(string url, string name)
    {
        Match match = Regex.Match(url, $"[?&]{name}=([^&]*)");
        Assert.IsTrue(match.Success, $"no {name} in {url}");
        return match.Groups[1].Value;
    }

    private static string ReplaceParameter(string url, string name, string value)
    {
        string replaced = Regex.Replace(url, $"([?&]{name}=)[^&]*", m => m.Groups[1].Value + value);
        Assert.AreNotEqual(url, replaced, $"{name} was not replaced");
        return replaced;
    }

    private static string RemoveParameter(string url, string name)
    {
        string removed = Regex.Replace(url, $"&{name}=[^&]*", string.Empty);
        Assert.AreNotEqual(url, removed, $"{name} was not removed");
        return removed;
    }

    private async Task AssertReadsAsync(string url, string what)
    {
        using HttpResponseMessage response = await Anonymous.GetAsync(new Uri(url), Ct);
        byte[] body = await response.Content.ReadAsByteArrayAsync(Ct);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"{what}: GET {url} answered {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
        CollectionAssert.AreEqual(Content, body, what);
    }

    private async Task AssertRefusedAsync(string url, string what)
    {
        using HttpResponseMessage response = await Anonymous.GetAsync(new Uri(url), Ct);
        byte[] body = await response.Content.ReadAsByteArrayAsync(Ct);
        Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode, $"{what}: GET {url} answered {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
        Assert.AreEqual(-1, body.AsSpan().IndexOf(Content), $"{what}: the content must not be in the refusal");
    }
}
