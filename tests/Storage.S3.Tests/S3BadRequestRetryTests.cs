using System.Text;
using Wharf.Storage.S3.Tests.Support;
using Wharf.Storage.Testing;

namespace Wharf.Storage.S3.Tests;

/// <summary>
/// Ceph RGW under load now and then answers a request it failed to read with a 400 that has no error document: a
/// proxy in front of the real server answers the first request so, and every operation goes through after the
/// SDK's retry. A 400 that names its cause is not retried.
/// </summary>
[TestClass]
public sealed class S3BadRequestRetryTests : S3TestBase
{
    [TestMethod]
    public async Task A_HEAD_answered_with_a_bodiless_400_is_retried()
    {
        string location = NewLocation();
        await Direct(location).SaveBytesAsync("head.txt", Encoding.UTF8.GetBytes("hello"), cancellationToken: Ct);
        await using var proxy = StartProxy();
        (S3Storage storage, RecordingHttpClientFactory requests) = ThroughProxy(proxy, location);
        proxy.AnswerBadRequest(connections: 1);

        StorageObjectInfo info = await storage.GetInfoAsync("head.txt", Ct);

        Assert.AreEqual(5, info.Length);
        Assert.AreEqual(1, proxy.BadRequestsAnswered);
        string head = $"HEAD /{Bucket}/{storage.GetKey("head.txt")}";
        CollectionAssert.AreEqual(new[] { head, head }, requests.Requests.ToArray());
    }

    [TestMethod]
    public async Task A_listing_answered_with_a_bodiless_400_is_retried()
    {
        string location = NewLocation();
        S3Storage direct = Direct(location);
        await direct.SaveBytesAsync("a.txt", new byte[] { 1 }, cancellationToken: Ct);
        await direct.SaveBytesAsync("b/c.txt", new byte[] { 2 }, cancellationToken: Ct);
        await using var proxy = StartProxy();
        (S3Storage storage, RecordingHttpClientFactory requests) = ThroughProxy(proxy, location);
        proxy.AnswerBadRequest(connections: 1);

        List<StorageEntry> entries = await storage.ListAsync(cancellationToken: Ct).ToListAsync(Ct);

        CollectionAssert.AreEqual(new[] { "a.txt", "b/" }, entries.Select(e => e.IsDirectory ? e.Name.TrimEnd('/') + "/" : e.Name).ToArray());
        Assert.AreEqual(1, proxy.BadRequestsAnswered);
        Assert.HasCount(2, requests.Requests);
        Assert.StartsWith($"GET /{Bucket}", requests.Requests[0]);
        Assert.AreEqual(requests.Requests[0], requests.Requests[1], "the same listing, sent again");
    }

    [TestMethod]
    public async Task A_listing_answered_with_a_400_that_names_its_cause_is_not_retried()
    {
        string location = NewLocation();
        await using var proxy = StartProxy();
        (S3Storage storage, RecordingHttpClientFactory requests) = ThroughProxy(proxy, location);
        proxy.AnswerBadRequest(connections: 1, "InvalidArgument");

        StorageException exception = await Assert.ThrowsAsync<StorageException>(async () => await storage.ListAsync(cancellationToken: Ct).ToListAsync(Ct));

        Assert.AreEqual("InvalidArgument", exception.ErrorCode);
        Assert.AreEqual(1, proxy.BadRequestsAnswered);
        Assert.HasCount(1, requests.Requests);
    }

    /// <summary>
    /// The SDK sends a PUT's body again from where it started: the caller's seekable stream (a window of it), or the
    /// pooled copy of a stream that cannot seek.
    /// </summary>
    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public async Task A_save_answered_with_a_bodiless_400_is_retried_with_its_whole_body(bool seekable)
    {
        const int Length = 300_000;
        string location = NewLocation();
        await using var proxy = StartProxy();
        (S3Storage storage, RecordingHttpClientFactory requests) = ThroughProxy(proxy, location);
        proxy.AnswerBadRequest(connections: 1);
        Stream content = new PatternStream(Length, seed: 400);
        if (seekable)
        {
            var copy = new MemoryStream();
            await content.CopyToAsync(copy, Ct);
            copy.Position = 0;
            content = copy;
        }

        SaveResult saved;
        await using (content)
        {
            saved = await storage.SaveAsync("body.bin", content, cancellationToken: Ct);
        }

        Assert.AreEqual("body.bin", saved.Name);
        Assert.AreEqual(1, proxy.BadRequestsAnswered);
        string put = $"PUT /{Bucket}/{storage.GetKey("body.bin")}";
        CollectionAssert.AreEqual(new[] { put, put }, requests.Requests.ToArray());
        await AssertPatternAsync(Direct(location), "body.bin", Length, seed: 400);
    }

    private static string NewLocation() => $"t/{Guid.NewGuid():N}/";

    private static TcpForwardingProxy StartProxy()
    {
        var proxy = new TcpForwardingProxy(S3Server.EndpointUri);
        proxy.Start();
        return proxy;
    }

    /// <summary>A storage straight on the server.</summary>
    private S3Storage Direct(string location) => Track(new S3Storage("direct", Options(location)));

    /// <summary>A storage through the proxy, on connections of its own (so its first request opens a new one).</summary>
    private (S3Storage Storage, RecordingHttpClientFactory Requests) ThroughProxy(TcpForwardingProxy proxy, string location)
    {
        S3StorageOptions options = Options(location);
        options.ServiceUrl = proxy.Url;
        S3Storage storage = CreateIsolatedStorage("through-proxy", options, out RecordingHttpClientFactory requests);
        return (storage, requests);
    }
}
