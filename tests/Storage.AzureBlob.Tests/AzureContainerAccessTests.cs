using System.Net;
using System.Text;
using Azure;
using Azure.Core;

namespace Wharf.Storage.AzureBlob.Tests;

/// <summary>
/// Visibility on Azure is the container's (Set Container ACL): public access levels against Azurite, checked with
/// anonymous requests; per-object visibility is not supported.
/// </summary>
[TestClass]
public sealed class AzureContainerAccessTests : AzureTestBase
{
    private static readonly byte[] Content = Encoding.UTF8.GetBytes("public content");

    [TestMethod]
    public async Task A_container_created_with_Blob_access_serves_blobs_anonymously_until_set_back_to_None()
    {
        string container = "wharf-pub-" + Guid.NewGuid().ToString("N")[..16];
        AzureBlobStorage storage = Track(new AzureBlobStorage("public", AzuriteServer.Options(container, "media/")));
        try
        {
            Assert.IsTrue(await storage.CreateContainerAsync(AzureBlobPublicAccess.Blob, Ct), "created");
            Assert.IsFalse(await storage.CreateContainerAsync(AzureBlobPublicAccess.None, Ct), "already there: not created again");
            Assert.AreEqual(AzureBlobPublicAccess.Blob, await storage.GetContainerAccessAsync(Ct), "the second create left the access level as it was");
            await storage.SaveBytesAsync("a b/ü.txt", Content, cancellationToken: Ct);
            Uri url = storage.GetPublicUrl("a b/ü.txt");

            using (HttpResponseMessage response = await Anonymous.GetAsync(url, Ct))
            {
                Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"anonymous GET {url}");
                CollectionAssert.AreEqual(Content, await response.Content.ReadAsByteArrayAsync(Ct));
            }

            // Blob access does not let anyone list the container.
            Assert.AreNotEqual(HttpStatusCode.OK, await AnonymousListStatusAsync(container));

            await storage.SetContainerAccessAsync(AzureBlobPublicAccess.None, Ct);

            Assert.AreEqual(AzureBlobPublicAccess.None, await storage.GetContainerAccessAsync(Ct));
            using (HttpResponseMessage response = await Anonymous.GetAsync(url, Ct))
            {
                byte[] body = await response.Content.ReadAsByteArrayAsync(Ct);
                Assert.IsTrue(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Unauthorized,
                    $"anonymous GET of a private blob answered {(int)response.StatusCode}");
                Assert.AreEqual(-1, body.AsSpan().IndexOf(Content), "no content in the refusal");
            }

            // The signed URL still reads it.
            using HttpResponseMessage signed = await Anonymous.GetAsync(await storage.GetSignedUrlAsync("a b/ü.txt", cancellationToken: Ct), Ct);
            Assert.AreEqual(HttpStatusCode.OK, signed.StatusCode);
        }
        finally
        {
            await AzuriteServer.DeleteContainerAsync(container);
        }
    }

    [TestMethod]
    public async Task The_access_level_round_trips_and_Container_access_allows_anonymous_listing()
    {
        AzureBlobStorage storage = CreateStorage();
        await storage.SaveBytesAsync("x.txt", Content, cancellationToken: Ct);
        Assert.AreEqual(AzureBlobPublicAccess.None, await storage.GetContainerAccessAsync(Ct), "the test's container is private");
        Assert.AreNotEqual(HttpStatusCode.OK, await AnonymousListStatusAsync(Container));

        foreach (AzureBlobPublicAccess access in new[] { AzureBlobPublicAccess.Container, AzureBlobPublicAccess.Blob, AzureBlobPublicAccess.None, AzureBlobPublicAccess.Container })
        {
            await storage.SetContainerAccessAsync(access, Ct);
            Assert.AreEqual(access, await storage.GetContainerAccessAsync(Ct));
            using HttpResponseMessage read = await Anonymous.GetAsync(storage.GetPublicUrl("x.txt"), Ct);
            Assert.AreEqual(access != AzureBlobPublicAccess.None, read.StatusCode == HttpStatusCode.OK, $"{access}: anonymous GET answered {(int)read.StatusCode}");
        }

        Assert.AreEqual(HttpStatusCode.OK, await AnonymousListStatusAsync(Container), "Container access: anyone can list");
    }

    /// <summary>Set Container ACL replaces the stored access policies with its body: changing the access level must send them back.</summary>
    [TestMethod]
    public async Task Setting_the_access_level_keeps_the_stored_access_policies()
    {
        AzureBlobStorage storage = CreateStorage();
        const string Policies = "<?xml version=\"1.0\" encoding=\"utf-8\"?><SignedIdentifiers><SignedIdentifier><Id>wharf-policy-1</Id><AccessPolicy>"
            + "<Start>2025-01-01T00:00:00.0000000Z</Start><Expiry>2030-01-01T00:00:00.0000000Z</Expiry><Permission>rl</Permission></AccessPolicy></SignedIdentifier></SignedIdentifiers>";
        using (HttpMessage set = storage.Rest.CreateContainerMessage(RequestMethod.Put, "restype=container&comp=acl"))
        {
            set.Request.Headers.SetValue("Content-Type", "application/xml");
            set.Request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(Policies));
            Response response = await storage.Rest.SendAsync(set, Ct);
            Assert.AreEqual(200, response.Status, response.Content.ToString());
        }

        await storage.SetContainerAccessAsync(AzureBlobPublicAccess.Blob, Ct);
        await storage.SetContainerAccessAsync(AzureBlobPublicAccess.Container, Ct);

        Assert.AreEqual(AzureBlobPublicAccess.Container, await storage.GetContainerAccessAsync(Ct));
        using HttpMessage get = storage.Rest.CreateContainerMessage(RequestMethod.Get, "restype=container&comp=acl");
        Response acl = await storage.Rest.SendAsync(get, Ct);
        string body = acl.Content.ToString();
        StringAssert.Contains(body, "<Id>wharf-policy-1</Id>", "the stored access policy survived");
        StringAssert.Contains(body, "<Permission>rl</Permission>");

        // The control: a bare Set Container ACL (no body) does drop them on this server, so the check above can fail.
        using (HttpMessage bare = storage.Rest.CreateContainerMessage(RequestMethod.Put, "restype=container&comp=acl"))
        {
            Assert.AreEqual(200, (await storage.Rest.SendAsync(bare, Ct)).Status);
        }

        using HttpMessage again = storage.Rest.CreateContainerMessage(RequestMethod.Get, "restype=container&comp=acl");
        StringAssert.DoesNotMatch((await storage.Rest.SendAsync(again, Ct)).Content.ToString(), new System.Text.RegularExpressions.Regex("wharf-policy-1"));
    }

    [TestMethod]
    public async Task Per_object_visibility_is_not_supported_and_the_capabilities_say_so()
    {
        AzureBlobStorage storage = CreateStorage(o => o.Location = "ünï/");
        await storage.SaveBytesAsync("x.txt", Content, cancellationToken: Ct);

        Assert.IsFalse(storage.Capabilities.Visibility);
        Assert.IsTrue(storage.Capabilities.PublicUrls);
        Assert.IsTrue(storage.Capabilities.SignedUrls, "a storage with the account key signs URLs");
        Assert.IsTrue(storage.Capabilities.StoresContentType);
        Assert.IsTrue(storage.Capabilities.StoresCacheControl);
        Assert.IsTrue(storage.Capabilities.CustomMetadata);
        Assert.AreEqual(1024 - Encoding.UTF8.GetByteCount("ünï/"), storage.Capabilities.MaxNameBytes, "Azure's 1024-byte blob names, less the location");
        Assert.IsNull(storage.GetLocalPath("x.txt"));

        foreach (ObjectVisibility visibility in new[] { ObjectVisibility.Public, ObjectVisibility.Private })
        {
            StorageNotSupportedException refused = await Assert.ThrowsExactlyAsync<StorageNotSupportedException>(
                async () => await storage.SetVisibilityAsync("x.txt", visibility, Ct));
            Assert.AreEqual("x.txt", refused.ObjectName);
        }

        Assert.AreEqual(AzureBlobPublicAccess.None, await storage.GetContainerAccessAsync(Ct), "nothing was made public");
    }

    [TestMethod]
    public async Task A_name_longer_than_the_limit_under_the_location_is_refused_before_any_request()
    {
        AzureBlobStorage storage = CreateStorage(o => o.Location = "loc/");
        string longest = new string('a', 200) + "/" + new string('b', 1024 - 4 - 201);

        Assert.AreEqual(longest, (await storage.SaveBytesAsync(longest, Content, cancellationToken: Ct)).Name, "exactly 1024 bytes with the location");
        CollectionAssert.AreEqual(Content, await storage.ReadAllBytesAsync(longest, Ct));
        await Assert.ThrowsExactlyAsync<InvalidObjectNameException>(async () => await storage.ExistsAsync(longest + "c", Ct));
    }

    private async Task<HttpStatusCode> AnonymousListStatusAsync(string container)
    {
        using HttpResponseMessage response = await Anonymous.GetAsync(new Uri($"{AzuriteServer.Endpoint.TrimEnd('/')}/{container}?restype=container&comp=list"), Ct);
        return response.StatusCode;
    }
}
