using System.Diagnostics;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Wharf.Storage.S3.Tests.Support;
using Wharf.Storage.Testing;

namespace Wharf.Storage.S3.Tests;

/// <summary>
/// The server goes away in the middle of a multipart upload: a forwarding proxy in front of RGW drops every connection
/// and refuses new ones, then comes back.
/// </summary>
[TestClass]
public sealed class S3OutageTests : S3TestBase
{
    private const int FiveMiB = 5 * 1024 * 1024;

    /// <remarks>
    /// The failed save's cleanup (abort the upload, delete the zero-byte reservation) runs while the server is still
    /// unreachable, so it cannot happen: the test asserts only that no object with content exists under the name, and
    /// that the leftover (if any) is the empty, marked reservation.
    /// </remarks>
    [TestMethod]
    public async Task A_multipart_save_fails_as_unavailable_when_the_server_goes_away_and_leaves_no_content_under_the_name()
    {
        const long Length = 64L * 1024 * 1024;
        const string Name = "outage/big.bin";
        await using var proxy = new TcpForwardingProxy(S3Server.EndpointUri);
        proxy.Start();
        S3StorageOptions options = Options();
        options.ServiceUrl = proxy.Url;
        options.MultipartThreshold = FiveMiB;
        options.PartSize = FiveMiB;
        S3Storage storage = CreateIsolatedStorage("outage", options, FailFast);
        using AmazonS3Client direct = S3Server.CreateDirectClient();
        string key = storage.GetKey(Name);

        // The upload runs until some parts have gone through, then the server "dies".
        var clock = Stopwatch.StartNew();
        Task<SaveResult> save = Task.Run(async () => await storage.SaveAsync(Name, new PatternStream(Length, seed: 64), cancellationToken: Ct), Ct);
        while (proxy.BytesUpstream < 12L * 1024 * 1024 && !save.IsCompleted)
        {
            await Task.Delay(5, Ct);
        }

        Assert.IsFalse(save.IsCompleted, $"the save ended before the outage: {save.Status} {save.Exception?.GetBaseException().Message}");
        await proxy.StopAsync();
        long sentBeforeOutage = proxy.BytesUpstream;

        Exception failure = await Assert.ThrowsAsync<Exception>(async () => await save.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        TestContext.WriteLine($"after {sentBeforeOutage} bytes and {clock.Elapsed.TotalSeconds:F1} s: {failure.GetType().FullName}: {failure.Message}");
        Assert.IsNotInstanceOfType<TimeoutException>(failure, "the save must fail promptly when the server goes away");
        Assert.IsLessThan(Length, sentBeforeOutage, "the outage came mid-upload");

        // With the server reachable again (directly): no object with content under the name.
        GetObjectMetadataResponse? head = await HeadOrNullAsync(direct, key);
        if (head is not null)
        {
            Assert.AreEqual(0, head.ContentLength, "only the empty reservation may be left under the name, never (part of) the content");
            Assert.AreEqual("pending", head.Metadata["x-amz-meta-wharf-reservation"], "a leftover must be the marked reservation");
            TestContext.WriteLine("the zero-byte reservation was left (its cleanup ran during the outage)");
        }

        ListObjectsV2Response all = await direct.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = storage.GetKey(string.Empty) }, Ct);
        Assert.IsTrue((all.S3Objects ?? []).All(o => o.Size == 0), "no object with content was stored by the failed save");

        // The proxy comes back on the same address; the same storage (and client) saves again.
        proxy.Start();
        SaveResult again = await storage.SaveAsync(Name, new PatternStream(Length / 4, seed: 65), cancellationToken: Ct);
        if (head is null)
        {
            Assert.AreEqual(Name, again.Name, "with the reservation cleaned up, the name itself is free");
        }
        else
        {
            Assert.AreNotEqual(Name, again.Name, "the leftover reservation holds the name, so the save takes an alternative");
        }

        await AssertPatternAsync(storage, again.Name, Length / 4, seed: 65);

        // Overwriting the name itself works too and replaces a leftover reservation.
        SaveResult replaced = await storage.SaveAsync(Name, new PatternStream(FiveMiB + 1, seed: 66), new SaveOptions { Overwrite = true }, Ct);
        Assert.AreEqual(Name, replaced.Name);
        await AssertPatternAsync(storage, Name, FiveMiB + 1, seed: 66);

        // Checked last, so that the state checks above run whatever the failure's type: the caller did not cancel,
        // so an outage must surface as the typed, retry-later error naming the storage and the object.
        Assert.IsInstanceOfType<StorageUnavailableException>(failure,
            $"a save cut off by an outage must fail as StorageUnavailableException, not {failure.GetType().FullName}: {failure}");
        var unavailable = (StorageUnavailableException)failure;
        Assert.AreEqual("outage", unavailable.StorageName);
        Assert.AreEqual(Name, unavailable.ObjectName);
        Assert.Contains("object 'outage/big.bin'", unavailable.Message);
    }

    [TestMethod]
    public async Task A_save_to_a_server_that_refuses_connections_fails_as_unavailable_and_works_once_it_is_back()
    {
        await using var proxy = new TcpForwardingProxy(S3Server.EndpointUri);
        proxy.Start();
        S3StorageOptions options = Options();
        options.ServiceUrl = proxy.Url;
        S3Storage storage = CreateIsolatedStorage("outage", options, FailFast);
        await storage.SaveTextAsync("before.txt", "up", cancellationToken: Ct);
        await proxy.StopAsync();

        StorageUnavailableException save = await Assert.ThrowsExactlyAsync<StorageUnavailableException>(
            async () => await storage.SaveTextAsync("during.txt", "down", cancellationToken: Ct));
        Assert.AreEqual("during.txt", save.ObjectName);
        StorageUnavailableException read = await Assert.ThrowsExactlyAsync<StorageUnavailableException>(
            async () => await storage.ReadAllTextAsync("before.txt", cancellationToken: Ct));
        Assert.AreEqual("before.txt", read.ObjectName);
        StorageUnavailableException exists = await Assert.ThrowsExactlyAsync<StorageUnavailableException>(
            async () => await storage.ExistsAsync("before.txt", Ct));
        Assert.AreEqual("before.txt", exists.ObjectName);

        proxy.Start();
        Assert.AreEqual("during.txt", (await storage.SaveTextAsync("during.txt", "up again", cancellationToken: Ct)).Name);
        Assert.AreEqual("up again", await storage.ReadAllTextAsync("during.txt", cancellationToken: Ct));
    }

    [TestMethod]
    public async Task An_operation_on_a_hung_server_times_out_as_unavailable()
    {
        await using var proxy = new TcpForwardingProxy(S3Server.EndpointUri);
        proxy.Start();
        S3StorageOptions options = Options();
        options.ServiceUrl = proxy.Url;
        S3Storage storage = CreateIsolatedStorage("hung", options, config =>
        {
            config.MaxErrorRetry = 0;
            config.Timeout = TimeSpan.FromSeconds(2);
        });
        await storage.SaveTextAsync("there.txt", "x", cancellationToken: Ct);
        proxy.Hang();

        var clock = Stopwatch.StartNew();
        Exception failure = await Assert.ThrowsAsync<Exception>(async () => await storage.ExistsAsync("there.txt", Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct));
        TestContext.WriteLine($"after {clock.Elapsed.TotalSeconds:F1} s: {failure.GetType().FullName}: {failure.Message}");

        Assert.IsLessThan(TimeSpan.FromSeconds(20), clock.Elapsed, "the client's 2-second timeout must end the call");
        Assert.IsInstanceOfType<StorageUnavailableException>(failure,
            $"a timeout the caller did not ask for must fail as StorageUnavailableException, not {failure.GetType().FullName}: {failure}");
        Assert.AreEqual("there.txt", ((StorageException)failure).ObjectName);
    }

    /// <summary>No retries and a short timeout, so an outage fails the operation at once.</summary>
    private static void FailFast(AmazonS3Config config)
    {
        config.MaxErrorRetry = 0;
        config.Timeout = TimeSpan.FromSeconds(5);
    }

    private async Task<GetObjectMetadataResponse?> HeadOrNullAsync(AmazonS3Client client, string key)
    {
        try
        {
            return await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = key }, Ct);
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
