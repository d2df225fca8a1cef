using System.Diagnostics;
using Azure.Core;
using Wharf.Storage.AzureBlob.Tests.Support;
using Wharf.Storage.S3.Tests.Support;
using Wharf.Storage.Testing;

namespace Wharf.Storage.AzureBlob.Tests;

/// <summary>
/// The server goes away: a private Azurite (its own directory, port and disk persistence) is stopped in the middle of
/// a block upload and started again; a server that is down from the start; a server that hangs.
/// </summary>
[TestClass]
public sealed class AzureOutageTests
{
    private const int Block = 256 * 1024;

    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    /// <remarks>
    /// The failed save's cleanup (delete the reservation, which discards the staged blocks) runs while the server is
    /// down, so it cannot happen: the test asserts that no blob with content exists under the name, that a leftover,
    /// if any, is the empty reservation marked <c>wharf_reservation=pending</c>, and that saving again works.
    /// </remarks>
    [TestMethod]
    public async Task A_block_upload_fails_as_unavailable_when_Azurite_stops_and_leaves_no_content_under_the_name()
    {
        const string Name = "outage/big.bin";
        const long Length = 512L * 1024 * 1024;
        await using PrivateAzurite server = await PrivateAzurite.StartAsync(Ct);
        await using var admin = new AzureBlobStorage("outage-admin", server.Options("outage"));
        Assert.IsTrue(await admin.CreateContainerAsync(cancellationToken: Ct));
        using var transport = new RecordingTransport();
        AzureBlobStorageOptions options = server.Options("outage", "loc/");
        options.SingleUploadThreshold = Block;
        options.BlockSize = Block;
        options.ConfigureClient = client =>
        {
            FailFast(client);
            client.Transport = transport.Transport;
        };
        await using var storage = new AzureBlobStorage("outage", options);

        // A slow client: the upload runs until some blocks have gone through, then the server stops.
        var content = new SlowPatternStream(Length, seed: 64, delayPerRead: TimeSpan.FromMilliseconds(2), chunk: 64 * 1024);
        Task<SaveResult> save = Task.Run(async () => await storage.SaveAsync(Name, content, cancellationToken: Ct), Ct);
        while (transport.Requests.Count(r => r.Contains("comp=block&", StringComparison.Ordinal)) < 4 && !save.IsCompleted)
        {
            await Task.Delay(5, Ct);
        }

        Assert.IsFalse(save.IsCompleted, $"the save ended before the outage: {save.Status} {save.Exception?.GetBaseException().Message}");
        var clock = Stopwatch.StartNew();
        await server.StopAsync(Ct);
        TimeSpan stopTime = clock.Elapsed;
        long readBeforeFailure = content.BytesRead;

        Exception failure = await Assert.ThrowsAsync<Exception>(async () => await save.WaitAsync(TimeSpan.FromSeconds(60), Ct));
        TestContext.WriteLine($"stop took {stopTime.TotalSeconds:F1} s; the save failed {clock.Elapsed.TotalSeconds:F1} s after the stop began, after reading {readBeforeFailure} bytes: {failure.GetType().FullName}: {failure.Message}");
        Assert.IsNotInstanceOfType<TimeoutException>(failure, "the save must fail promptly when the server goes away");
        Assert.IsLessThan(TimeSpan.FromSeconds(30), clock.Elapsed, "the save must fail within a bounded time of the outage");
        Assert.IsLessThan(Length, content.BytesRead, "the outage came mid-upload");

        // The server comes back with what it had persisted: no blob with content under the name.
        await server.RestartAsync(Ct);
        await using var top = new AzureBlobStorage("outage-top", server.Options("outage"));
        StorageObjectInfo? leftover = await top.GetInfoOrNullAsync("loc/" + Name, Ct);
        if (leftover is not null)
        {
            Assert.AreEqual(0, leftover.Length, "only the empty reservation may be left under the name, never (part of) the content");
            Assert.AreEqual("pending", leftover.Metadata[AzureBlobStorage.ReservationMetadataKey], "a leftover must be the marked reservation");
            TestContext.WriteLine("the empty reservation was left (its cleanup ran during the outage)");
        }

        var all = new List<StorageEntry>();
        await foreach (StorageEntry entry in top.ListAsync(options: new ListOptions { Recursive = true }, cancellationToken: Ct))
        {
            all.Add(entry);
        }

        Assert.IsTrue(all.All(e => e.Length == 0), $"no blob with content was stored by the failed save: {string.Join(", ", all.Select(e => $"{e.Name}={e.Length}"))}");

        // The same storage saves again, once the server is back.
        SaveResult again = await storage.SaveAsync(Name, new PatternStream(3L * Block, seed: 65), cancellationToken: Ct);
        if (leftover is null)
        {
            Assert.AreEqual(Name, again.Name, "with no reservation left, the name itself is free");
        }
        else
        {
            Assert.AreNotEqual(Name, again.Name, "the leftover reservation holds the name, so the save takes an alternative");
        }

        await AssertPatternAsync(storage, again.Name, 3L * Block, seed: 65);

        // Overwriting the name itself works too, and replaces a leftover reservation.
        SaveResult replaced = await storage.SaveAsync(Name, new PatternStream(Block + 1, seed: 66), new SaveOptions { Overwrite = true }, Ct);
        Assert.AreEqual(Name, replaced.Name);
        await AssertPatternAsync(storage, Name, Block + 1, seed: 66);
        Assert.IsFalse((await storage.GetInfoAsync(Name, Ct)).Metadata.ContainsKey(AzureBlobStorage.ReservationMetadataKey));

        // Checked last, so that the state checks above run whatever the failure's type: the caller did not cancel,
        // so an outage must surface as the typed, retry-later error naming the storage and the object.
        Assert.IsInstanceOfType<StorageUnavailableException>(failure,
            $"a save cut off by an outage must fail as StorageUnavailableException, not {failure.GetType().FullName}: {failure}");
        var unavailable = (StorageUnavailableException)failure;
        Assert.AreEqual("outage", unavailable.StorageName);
        Assert.AreEqual(Name, unavailable.ObjectName);
        Assert.Contains("object 'outage/big.bin'", unavailable.Message);
    }

    /// <summary>Nothing listens (a server that is down from the start): a small save (one Put Blob), a read and exists fail fast, typed.</summary>
    [TestMethod]
    public async Task Operations_on_a_server_that_is_down_fail_as_unavailable_and_work_once_it_is_up()
    {
        await using PrivateAzurite server = await PrivateAzurite.StartAsync(Ct);
        await using (var admin = new AzureBlobStorage("outage-admin", server.Options("down")))
        {
            await admin.CreateContainerAsync(cancellationToken: Ct);
        }

        await server.StopAsync(Ct);
        using var transport = new RecordingTransport();
        AzureBlobStorageOptions options = server.Options("down");
        options.ConfigureClient = client =>
        {
            FailFast(client);
            client.Transport = transport.Transport;
        };
        await using var storage = new AzureBlobStorage("down", options);

        var clock = Stopwatch.StartNew();
        StorageUnavailableException save = await Assert.ThrowsExactlyAsync<StorageUnavailableException>(
            async () => await storage.SaveTextAsync("during.txt", "down", cancellationToken: Ct));
        TestContext.WriteLine($"{clock.Elapsed.TotalMilliseconds:F0} ms: {save.Message}");
        Assert.IsLessThan(TimeSpan.FromSeconds(10), clock.Elapsed);
        Assert.AreEqual("down", save.StorageName);
        Assert.AreEqual("during.txt", save.ObjectName);
        Assert.Contains($"127.0.0.1:{server.Port}", save.Message);
        Assert.HasCount(2, transport.Requests, $"one try and one retry (MaxRetries = 1): {string.Join(", ", transport.Requests)}");

        StorageUnavailableException read = await Assert.ThrowsExactlyAsync<StorageUnavailableException>(
            async () => await storage.ReadAllTextAsync("before.txt", cancellationToken: Ct));
        Assert.AreEqual("before.txt", read.ObjectName);
        StorageUnavailableException exists = await Assert.ThrowsExactlyAsync<StorageUnavailableException>(
            async () => await storage.ExistsAsync("before.txt", Ct));
        Assert.AreEqual("before.txt", exists.ObjectName);
        await Assert.ThrowsExactlyAsync<StorageUnavailableException>(async () =>
        {
            await foreach (StorageEntry entry in storage.ListAsync(cancellationToken: Ct))
            {
                Assert.Fail($"listed {entry.Name} from a server that is down");
            }
        });

        // Up again (with the container it had): the same storage works.
        await server.RestartAsync(Ct);
        Assert.AreEqual("during.txt", (await storage.SaveTextAsync("during.txt", "up again", cancellationToken: Ct)).Name);
        Assert.AreEqual("up again", await storage.ReadAllTextAsync("during.txt", cancellationToken: Ct));
    }

    /// <summary>
    /// A hung server (connections accepted, nothing answered): Azure.Core's NetworkTimeout ends each try, and the
    /// caller — who did not cancel — gets the typed, retry-later error, not a cancellation.
    /// </summary>
    [TestMethod]
    [DataRow(0, DisplayName = "no retries")]
    [DataRow(1, DisplayName = "one retry")]
    public async Task An_operation_on_a_hung_server_times_out_as_unavailable(int maxRetries)
    {
        string container = await AzuriteServer.CreateContainerAsync(Ct);
        try
        {
            await using var proxy = new TcpForwardingProxy(AzuriteServer.EndpointUri);
            proxy.Start();
            AzureBlobStorageOptions options = AzuriteServer.Options(container);
            options.ServiceUri = $"{proxy.Url}{AzuriteServer.EndpointUri.AbsolutePath}";
            using var transport = new RecordingTransport();
            options.ConfigureClient = client =>
            {
                client.Retry.MaxRetries = maxRetries;
                client.Retry.Delay = TimeSpan.FromMilliseconds(50);
                client.Retry.NetworkTimeout = TimeSpan.FromSeconds(1);
                client.Transport = transport.Transport;
            };
            await using var storage = new AzureBlobStorage("hung", options);
            await storage.SaveTextAsync("there.txt", "x", cancellationToken: Ct);
            proxy.Hang();

            var clock = Stopwatch.StartNew();
            Exception exists = await Assert.ThrowsAsync<Exception>(async () => await storage.ExistsAsync("there.txt", Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct));
            Exception save = await Assert.ThrowsAsync<Exception>(async () => await storage.SaveTextAsync("new.txt", "y", cancellationToken: Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct));
            TestContext.WriteLine($"after {clock.Elapsed.TotalSeconds:F1} s: {exists.GetType().FullName}: {exists.Message} / {save.GetType().FullName}: {save.Message}");

            Assert.IsLessThan(TimeSpan.FromSeconds(20), clock.Elapsed, "the 1-second network timeout must end the calls");
            foreach ((Exception failure, string name) in new[] { (exists, "there.txt"), (save, "new.txt") })
            {
                Assert.IsInstanceOfType<StorageUnavailableException>(failure,
                    $"a timeout the caller did not ask for must fail as StorageUnavailableException, not {failure.GetType().FullName}: {failure}");
                Assert.AreEqual(name, ((StorageException)failure).ObjectName);
            }
        }
        finally
        {
            await AzuriteServer.DeleteContainerAsync(container);
        }
    }

    /// <summary>One retry, soon, and a short network timeout, so an outage fails the operation at once.</summary>
    private static void FailFast(ClientOptions client)
    {
        client.Retry.MaxRetries = 1;
        client.Retry.Delay = TimeSpan.FromMilliseconds(100);
        client.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        client.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
    }

    private async Task AssertPatternAsync(IStorage storage, string name, long length, int seed)
    {
        Stream stream = await storage.OpenReadAsync(name, cancellationToken: Ct);
        await using (stream)
        {
            byte[] hash = await System.Security.Cryptography.SHA256.HashDataAsync(stream, Ct);
            CollectionAssert.AreEqual(PatternStream.ComputeHash(length, seed), hash, $"The content of '{name}' differs from what was saved.");
        }

        Assert.AreEqual(length, (await storage.GetInfoAsync(name, Ct)).Length);
    }
}
