using System.Net;
using System.Text;

namespace Wharf.Storage.S3.Tests;

/// <summary>
/// <see cref="S3Storage.ReserveUploadAsync"/> against the real server: the reserved name, and a browser-style PUT to
/// the presigned URL with exactly the required headers.
/// </summary>
[TestClass]
public sealed class S3ReserveUploadTests : S3TestBase
{
    [TestMethod]
    public async Task A_free_name_is_reserved_as_an_empty_object_and_the_url_uploads_the_content_once()
    {
        S3Storage storage = CreateStorage();

        S3UploadReservation reservation = await storage.ReserveUploadAsync("uploads/photo.png", cancellationToken: Ct);

        Assert.AreEqual("uploads/photo.png", reservation.Name);
        Assert.AreEqual("image/png", reservation.RequiredHeaders["Content-Type"]);
        Assert.AreEqual(S3Storage.EmptyETag, reservation.RequiredHeaders["If-Match"]);
        Assert.HasCount(2, reservation.RequiredHeaders);
        StorageObjectInfo reserved = await storage.GetInfoAsync(reservation.Name, Ct);
        Assert.AreEqual(0, reserved.Length, "the reservation is an empty object");

        byte[] content = Enumerable.Range(0, 70_000).Select(i => (byte)(i * 31)).ToArray();
        using (HttpResponseMessage first = await PutAsync(reservation, content))
        {
            Assert.AreEqual(HttpStatusCode.OK, first.StatusCode, $"the upload: {await first.Content.ReadAsStringAsync(Ct)}");
        }

        CollectionAssert.AreEqual(content, await storage.ReadAllBytesAsync(reservation.Name, Ct));
        StorageObjectInfo uploaded = await storage.GetInfoAsync(reservation.Name, Ct);
        Assert.AreEqual(content.Length, uploaded.Length);
        Assert.AreEqual("image/png", uploaded.ContentType);

        // Replaying the URL must not overwrite the finished upload: the object is no longer the empty reservation.
        byte[] other = Encoding.UTF8.GetBytes("a replayed upload");
        using (HttpResponseMessage second = await PutAsync(reservation, other))
        {
            Assert.AreEqual(HttpStatusCode.PreconditionFailed, second.StatusCode,
                $"a second PUT with the same URL and headers: {await second.Content.ReadAsStringAsync(Ct)}");
        }

        CollectionAssert.AreEqual(content, await storage.ReadAllBytesAsync(reservation.Name, Ct), "the replay must leave the upload intact");
    }

    [TestMethod]
    public async Task A_taken_name_is_reserved_under_an_alternative()
    {
        S3Storage storage = CreateStorage();
        await storage.SaveTextAsync("uploads/doc.pdf", "the first", cancellationToken: Ct);

        S3UploadReservation reservation = await storage.ReserveUploadAsync("uploads/doc.pdf", "application/pdf", TimeSpan.FromMinutes(5), Ct);

        Assert.AreNotEqual("uploads/doc.pdf", reservation.Name);
        Assert.StartsWith("uploads/doc_", reservation.Name);
        Assert.EndsWith(".pdf", reservation.Name);
        Assert.Contains(Uri.EscapeDataString(reservation.Name.Split('/')[^1]), reservation.UploadUrl.AbsolutePath);
        Assert.AreEqual(0, (await storage.GetInfoAsync(reservation.Name, Ct)).Length);
        Assert.AreEqual("the first", await storage.ReadAllTextAsync("uploads/doc.pdf", cancellationToken: Ct), "the taken name is untouched");

        byte[] content = Encoding.UTF8.GetBytes("%PDF-1.7 the second");
        using (HttpResponseMessage response = await PutAsync(reservation, content))
        {
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
        }

        CollectionAssert.AreEqual(content, await storage.ReadAllBytesAsync(reservation.Name, Ct));
        Assert.AreEqual("application/pdf", (await storage.GetInfoAsync(reservation.Name, Ct)).ContentType);
        Assert.AreEqual("the first", await storage.ReadAllTextAsync("uploads/doc.pdf", cancellationToken: Ct));
    }

    [TestMethod]
    public async Task The_url_refuses_an_upload_without_the_signed_headers()
    {
        S3Storage storage = CreateStorage();
        S3UploadReservation reservation = await storage.ReserveUploadAsync("uploads/a.txt", "text/plain", cancellationToken: Ct);
        byte[] content = Encoding.UTF8.GetBytes("no if-match");

        // Without If-Match (which would let a replay overwrite a finished upload) and with another Content-Type.
        // Each refused PUT gets its own connection: RGW leaves a keep-alive connection broken after refusing a PUT.
        using (HttpResponseMessage response = await PutAsync(reservation, content, omit: "If-Match", ownConnection: true))
        {
            Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode, $"a PUT without If-Match: {await response.Content.ReadAsStringAsync(Ct)}");
        }

        using (HttpResponseMessage response = await PutAsync(reservation, content, contentType: "text/html", ownConnection: true))
        {
            Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode, $"a PUT with another Content-Type: {await response.Content.ReadAsStringAsync(Ct)}");
        }

        Assert.AreEqual(0, (await storage.GetInfoAsync(reservation.Name, Ct)).Length, "the reservation is still empty");
    }

    /// <summary>
    /// What RGW itself does with <c>If-Match</c> on a (presigned) PUT, independent of the backend: it honours the
    /// condition, but matches the header against the ETag <em>without</em> its quotes — the RFC 7232 form
    /// <c>If-Match: "d41d8…"</c> never matches, even when the object's ETag is exactly that, and answers 412.
    /// </summary>
    [TestMethod]
    public async Task Rgw_honours_If_Match_on_a_presigned_PUT_but_only_with_an_unquoted_ETag()
    {
        S3Storage storage = CreateStorage();
        S3UploadReservation reservation = await storage.ReserveUploadAsync("probe/a.bin", "application/octet-stream", cancellationToken: Ct);
        StorageObjectInfo reserved = await storage.GetInfoAsync(reservation.Name, Ct);
        string unquoted = S3Storage.EmptyETag;
        string quotedETag = "\"" + unquoted + "\"";
        Assert.AreEqual(quotedETag, reserved.ETag, "the reservation's ETag is the quoted MD5 of nothing");
        Assert.AreEqual(unquoted, reservation.RequiredHeaders["If-Match"], "the reservation signs the form RGW honours");

        // The quoted ETag, exactly as the object reports it: refused.
        using (HttpResponseMessage quoted = await PutAsync(await PresignPutAsync(storage, reservation.Name, quotedETag), [1, 2, 3]))
        {
            Assert.AreEqual(HttpStatusCode.PreconditionFailed, quoted.StatusCode, "RGW: If-Match with the quoted, matching ETag");
        }

        // The same ETag without quotes: accepted once, then the replay is refused because the object changed.
        S3UploadReservation unquotedUpload = await PresignPutAsync(storage, reservation.Name, unquoted);
        using (HttpResponseMessage first = await PutAsync(unquotedUpload, [1, 2, 3]))
        {
            Assert.AreEqual(HttpStatusCode.OK, first.StatusCode, "RGW: If-Match with the unquoted, matching ETag");
        }

        using (HttpResponseMessage replay = await PutAsync(unquotedUpload, [4, 5, 6, 7]))
        {
            Assert.AreEqual(HttpStatusCode.PreconditionFailed, replay.StatusCode, "RGW: the replay, whose If-Match no longer matches");
        }

        CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, await storage.ReadAllBytesAsync(reservation.Name, Ct));
    }

    private static async Task<S3UploadReservation> PresignPutAsync(S3Storage storage, string name, string ifMatch)
    {
        var request = new Amazon.S3.Model.GetPreSignedUrlRequest
        {
            BucketName = storage.Bucket,
            Key = storage.GetKey(name),
            Verb = Amazon.S3.HttpVerb.PUT,
            Expires = DateTime.UtcNow.AddMinutes(5),
            ContentType = "application/octet-stream",
            Protocol = Amazon.S3.Protocol.HTTP,
        };
        request.Headers["If-Match"] = ifMatch;
        string url = await storage.Client.GetPreSignedURLAsync(request);
        return new S3UploadReservation(name, new Uri(url), new Dictionary<string, string> { ["Content-Type"] = "application/octet-stream", ["If-Match"] = ifMatch });
    }

    /// <summary>A browser-style PUT: the required headers exactly, and nothing else the signature covers.</summary>
    private async Task<HttpResponseMessage> PutAsync(S3UploadReservation reservation, byte[] content, string? omit = null, string? contentType = null, bool ownConnection = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, reservation.UploadUrl) { Content = new ByteArrayContent(content) };
        foreach ((string header, string value) in reservation.RequiredHeaders)
        {
            if (string.Equals(header, omit, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (string.Equals(header, "Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                Assert.IsTrue(request.Content.Headers.TryAddWithoutValidation(header, contentType ?? value));
            }
            else
            {
                Assert.IsTrue(request.Headers.TryAddWithoutValidation(header, value));
            }
        }

        if (!ownConnection)
        {
            return await Anonymous.SendAsync(request, Ct);
        }

        request.Headers.ConnectionClose = true;
        using var client = new HttpClient();
        return await client.SendAsync(request, Ct);
    }
}
