using System.Net;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;

namespace Wharf.Storage.S3.Tests;

/// <summary>Public URL shapes and the location (key prefix), checked against the real server where a request can tell.</summary>
[TestClass]
public sealed class S3UrlAndLocationTests : S3TestBase
{
    [TestMethod]
    public async Task A_path_style_public_url_is_the_endpoint_bucket_location_and_escaped_name_and_serves_the_object()
    {
        const string Location = "media/up loads";
        const string Name = "a b/ü+x#1.txt";
        S3Storage storage = CreateStorage(o =>
        {
            o.Location = Location;
            o.DefaultAcl = S3Acl.PublicRead;
        });

        Uri url = storage.GetPublicUrl(Name);

        string expected = $"{S3Server.Endpoint.TrimEnd('/')}/{Bucket}/media/up%20loads/a%20b/%C3%BC%2Bx%231.txt";
        Assert.AreEqual(expected, url.AbsoluteUri);
        Assert.AreEqual(new Uri(S3Server.Endpoint).Authority, url.Authority, "path style: the bucket is not in the host");

        // The URL is the object's real address: an anonymous GET of it returns the content.
        byte[] content = Encoding.UTF8.GetBytes("escaped");
        SaveResult saved = await storage.SaveBytesAsync(Name, content, cancellationToken: Ct);
        Assert.AreEqual(Name, saved.Name);
        using HttpResponseMessage response = await Anonymous.GetAsync(url, Ct);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"anonymous GET {url}");
        CollectionAssert.AreEqual(content, await response.Content.ReadAsByteArrayAsync(Ct));
    }

    [TestMethod]
    public void A_custom_domain_public_url_is_the_domain_location_and_name()
    {
        S3Storage storage = CreateStorage(o =>
        {
            o.Location = "/media/";
            o.CustomDomain = "cdn.example.com";
        });

        Assert.AreEqual("https://cdn.example.com/media/photos/cat%201.jpg", storage.GetPublicUrl("photos/cat 1.jpg").AbsoluteUri);

        S3Storage http = CreateStorage(o =>
        {
            o.Location = null;
            o.CustomDomain = "cdn.example.com/";
            o.UrlProtocol = "http";
        });

        Assert.AreEqual("http://cdn.example.com/photos/cat.jpg", http.GetPublicUrl("photos/cat.jpg").AbsoluteUri);
    }

    [TestMethod]
    public void A_virtual_host_style_public_url_puts_the_bucket_in_the_host()
    {
        S3Storage storage = CreateStorage(o =>
        {
            o.Location = "m";
            o.ForcePathStyle = false;
        });

        var endpoint = new Uri(S3Server.Endpoint);
        Assert.AreEqual($"{endpoint.Scheme}://{Bucket}.{endpoint.Host}:{endpoint.Port}/m/x.txt", storage.GetPublicUrl("x.txt").AbsoluteUri);
    }

    [TestMethod]
    public async Task Objects_are_kept_under_the_location_and_listed_without_it()
    {
        string location = $"loc-{Guid.NewGuid():N}"[..12];
        S3Storage storage = CreateStorage(o => o.Location = location + "/");
        S3Storage bucketTop = CreateStorage(o => o.Location = null);
        await storage.SaveTextAsync("b.txt", "b", cancellationToken: Ct);
        await storage.SaveTextAsync("dir/c.txt", "c", cancellationToken: Ct);
        await storage.SaveTextAsync("dir/sub/d.txt", "d", cancellationToken: Ct);
        await bucketTop.SaveTextAsync("outside.txt", "o", cancellationToken: Ct);
        await bucketTop.SaveTextAsync(location + "x/not-mine.txt", "n", cancellationToken: Ct);

        // The keys on the server carry the location.
        using AmazonS3Client direct = S3Server.CreateDirectClient();
        ListObjectsV2Response keys = await direct.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket }, Ct);
        CollectionAssert.AreEquivalent(
            new[] { $"{location}/b.txt", $"{location}/dir/c.txt", $"{location}/dir/sub/d.txt", "outside.txt", $"{location}x/not-mine.txt" },
            keys.S3Objects.Select(o => o.Key).ToArray());

        // The storage lists its own objects only, by name, without the location.
        List<StorageEntry> top = await ListAsync(storage, null, recursive: false);
        CollectionAssert.AreEqual(new[] { "b.txt", "dir/" }, top.Select(e => e.Name).ToArray());
        Assert.IsFalse(top[0].IsDirectory);
        Assert.AreEqual(1, top[0].Length);
        Assert.IsTrue(top[1].IsDirectory);

        List<StorageEntry> all = await ListAsync(storage, null, recursive: true);
        CollectionAssert.AreEqual(new[] { "b.txt", "dir/c.txt", "dir/sub/d.txt" }, all.Select(e => e.Name).ToArray());

        List<StorageEntry> dir = await ListAsync(storage, "dir/", recursive: false);
        CollectionAssert.AreEqual(new[] { "dir/c.txt", "dir/sub/" }, dir.Select(e => e.Name).ToArray());

        // Every operation addresses names below the location.
        Assert.AreEqual("c", await storage.ReadAllTextAsync("dir/c.txt", cancellationToken: Ct));
        Assert.IsFalse(await storage.ExistsAsync("outside.txt", Ct));
        Assert.IsTrue(await bucketTop.ExistsAsync(location + "/b.txt", Ct));
        Assert.IsTrue(await storage.DeleteAsync("b.txt", Ct));
        Assert.IsFalse(await bucketTop.ExistsAsync(location + "/b.txt", Ct));
    }

    private async Task<List<StorageEntry>> ListAsync(IStorage storage, string? prefix, bool recursive)
    {
        var entries = new List<StorageEntry>();
        await foreach (StorageEntry entry in storage.ListAsync(prefix, new ListOptions { Recursive = recursive }, Ct))
        {
            entries.Add(entry);
        }

        return entries;
    }
}
