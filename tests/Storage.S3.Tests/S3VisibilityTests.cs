using System.Net;
using System.Text;

namespace Wharf.Storage.S3.Tests;

/// <summary>Object ACLs against the real server: what an anonymous client (a browser) can read at the public URL.</summary>
[TestClass]
public sealed class S3VisibilityTests : S3TestBase
{
    [TestMethod]
    public async Task An_object_saved_with_the_public_read_default_acl_is_readable_anonymously_until_made_private()
    {
        S3Storage storage = CreateStorage(o => o.DefaultAcl = S3Acl.PublicRead);
        byte[] content = Encoding.UTF8.GetBytes("public hello");
        SaveResult saved = await storage.SaveBytesAsync("pub/hello.txt", content, cancellationToken: Ct);
        Uri url = storage.GetPublicUrl(saved.Name);

        using (HttpResponseMessage response = await Anonymous.GetAsync(url, Ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"anonymous GET {url}");
            CollectionAssert.AreEqual(content, await response.Content.ReadAsByteArrayAsync(Ct));
        }

        await storage.SetVisibilityAsync(saved.Name, ObjectVisibility.Private, Ct);

        using (HttpResponseMessage response = await Anonymous.GetAsync(url, Ct))
        {
            Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode, $"anonymous GET {url} after SetVisibilityAsync(Private)");
        }

        // The owner still reads it.
        CollectionAssert.AreEqual(content, await storage.ReadAllBytesAsync(saved.Name, Ct));
    }

    [TestMethod]
    public async Task An_object_saved_with_the_default_private_acl_is_denied_anonymously_until_made_public()
    {
        S3Storage storage = CreateStorage();
        Assert.AreEqual(S3Acl.Private, new S3StorageOptions().DefaultAcl, "Private is the default ACL.");
        Assert.IsTrue(storage.Capabilities.Visibility);
        byte[] content = Encoding.UTF8.GetBytes("private hello");
        SaveResult saved = await storage.SaveBytesAsync("priv/hello.txt", content, cancellationToken: Ct);
        Uri url = storage.GetPublicUrl(saved.Name);

        using (HttpResponseMessage response = await Anonymous.GetAsync(url, Ct))
        {
            Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode, $"anonymous GET {url} of a private object");
        }

        await storage.SetVisibilityAsync(saved.Name, ObjectVisibility.Public, Ct);

        using (HttpResponseMessage response = await Anonymous.GetAsync(url, Ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"anonymous GET {url} after SetVisibilityAsync(Public)");
            CollectionAssert.AreEqual(content, await response.Content.ReadAsByteArrayAsync(Ct));
        }

        await storage.SetVisibilityAsync(saved.Name, ObjectVisibility.Private, Ct);

        using (HttpResponseMessage response = await Anonymous.GetAsync(url, Ct))
        {
            Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode, $"anonymous GET {url} after SetVisibilityAsync(Private)");
        }
    }

    [TestMethod]
    public async Task A_multipart_object_gets_the_default_acl_too()
    {
        S3Storage storage = CreateStorage(o =>
        {
            o.DefaultAcl = S3Acl.PublicRead;
            o.MultipartThreshold = 5 * 1024 * 1024;
            o.PartSize = 5 * 1024 * 1024;
        });
        const long Length = 6 * 1024 * 1024;
        await using (var content = new Testing.PatternStream(Length, seed: 11))
        {
            await storage.SaveAsync("pub/big.bin", content, cancellationToken: Ct);
        }

        using HttpResponseMessage response = await Anonymous.GetAsync(storage.GetPublicUrl("pub/big.bin"), HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, "anonymous GET of a public multipart object");
        Assert.AreEqual(Length, response.Content.Headers.ContentLength);
    }

    [TestMethod]
    public async Task SetVisibility_of_a_missing_object_throws_not_found()
    {
        S3Storage storage = CreateStorage();

        ObjectNotFoundException exception = await Assert.ThrowsExactlyAsync<ObjectNotFoundException>(
            async () => await storage.SetVisibilityAsync("missing.txt", ObjectVisibility.Public, Ct));

        Assert.AreEqual("missing.txt", exception.ObjectName);
    }
}
