using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Wharf.Storage.Testing;

namespace Wharf.Storage.AzureBlob.Tests;

/// <summary>
/// A storage that authenticates with a container SAS (<see cref="AzureBlobStorageOptions.SasToken"/>), crafted here
/// with the account key as an administrator would: it works within the SAS's permissions and cannot mint signed URLs.
/// </summary>
[TestClass]
public sealed class AzureSasTokenTests : AzureTestBase
{
    [TestMethod]
    public async Task A_storage_with_a_full_container_SAS_saves_reads_lists_and_deletes()
    {
        AzureBlobStorage storage = CreateSasStorage(ContainerSas.Create(Container, "racwdl", DateTimeOffset.UtcNow.AddHours(1)), o =>
        {
            o.SingleUploadThreshold = 64 * 1024;
            o.BlockSize = 64 * 1024;
        });

        SaveResult small = await storage.SaveTextAsync("dir/small file.txt", "small", cancellationToken: Ct);
        SaveResult taken = await storage.SaveTextAsync("dir/small file.txt", "taken", cancellationToken: Ct);
        SaveResult big = await storage.SaveAsync("dir/big.bin", new PatternStream((3 * 64 * 1024) + 1, seed: 21), cancellationToken: Ct);

        Assert.AreEqual("dir/small file.txt", small.Name);
        Assert.AreNotEqual(small.Name, taken.Name, "the conditional Put Blob works with a SAS too");
        Assert.AreEqual("dir/big.bin", big.Name);
        Assert.AreEqual("small", await storage.ReadAllTextAsync("dir/small file.txt", cancellationToken: Ct));
        Assert.AreEqual("taken", await storage.ReadAllTextAsync(taken.Name, cancellationToken: Ct));
        await AssertPatternAsync(storage, "dir/big.bin", (3 * 64 * 1024) + 1, seed: 21);
        Assert.IsTrue(await storage.ExistsAsync("dir/big.bin", Ct));
        Assert.IsFalse(await storage.ExistsAsync("dir/none.bin", Ct));
        Assert.AreEqual(5, (await storage.GetInfoAsync("dir/small file.txt", Ct)).Length);
        CollectionAssert.AreEquivalent(new[] { "dir/big.bin", "dir/small file.txt", taken.Name }, (await ListAsync(storage, "dir/", pageSize: 2)).Select(e => e.Name).ToArray());
        await storage.SetHttpHeadersAsync("dir/big.bin", new AzureBlobHttpHeaders { ContentType = "application/x-big" }, Ct);
        Assert.AreEqual("application/x-big", (await storage.GetInfoAsync("dir/big.bin", Ct)).ContentType);
        Assert.IsTrue(await storage.DeleteAsync("dir/big.bin", Ct));
        Assert.IsFalse(await storage.DeleteAsync("dir/big.bin", Ct));

        // Seen with the key: the blobs are where the SAS storage put them.
        Assert.AreEqual("small", await CreateStorage(o => o.Location = storage.Options.Location).ReadAllTextAsync("dir/small file.txt", cancellationToken: Ct));
    }

    [TestMethod]
    public async Task A_SAS_storage_cannot_sign_urls_and_says_so_in_its_capabilities()
    {
        AzureBlobStorage storage = CreateSasStorage(ContainerSas.Create(Container, "racwdl", DateTimeOffset.UtcNow.AddHours(1)));
        await storage.SaveTextAsync("x.txt", "x", cancellationToken: Ct);

        Assert.IsFalse(storage.Capabilities.SignedUrls);
        Assert.IsTrue(storage.Capabilities.PublicUrls);
        StorageNotSupportedException refused = await Assert.ThrowsExactlyAsync<StorageNotSupportedException>(
            async () => await storage.GetSignedUrlAsync("x.txt", cancellationToken: Ct));
        Assert.AreEqual("x.txt", refused.ObjectName);
        Assert.AreEqual($"{AzuriteServer.Endpoint.TrimEnd('/')}/{Container}/{storage.GetBlobName("x.txt")}", storage.GetPublicUrl("x.txt").AbsoluteUri, "the public URL carries no SAS");
    }

    [TestMethod]
    public async Task A_read_only_SAS_reads_but_a_save_or_delete_is_access_denied()
    {
        AzureBlobStorage writer = CreateStorage();
        await writer.SaveTextAsync("there.txt", "here", cancellationToken: Ct);
        AzureBlobStorage reader = CreateSasStorage(ContainerSas.Create(Container, "rl", DateTimeOffset.UtcNow.AddHours(1)), o => o.Location = writer.Options.Location);

        Assert.AreEqual("here", await reader.ReadAllTextAsync("there.txt", cancellationToken: Ct));
        CollectionAssert.AreEqual(new[] { "there.txt" }, (await ListAsync(reader)).Select(e => e.Name).ToArray());

        StorageAccessDeniedException save = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await reader.SaveTextAsync("new.txt", "x", cancellationToken: Ct));
        Assert.AreEqual("new.txt", save.ObjectName);
        Assert.IsNotNull(save.ErrorCode, save.Message);
        TestContext.WriteLine(save.Message);
        StorageAccessDeniedException delete = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await reader.DeleteAsync("there.txt", Ct));
        Assert.AreEqual("there.txt", delete.ObjectName);

        Assert.IsFalse(await writer.ExistsAsync("new.txt", Ct));
        Assert.IsTrue(await writer.ExistsAsync("there.txt", Ct));
    }

    [TestMethod]
    public async Task An_expired_or_forged_SAS_is_access_denied_never_not_found()
    {
        AzureBlobStorage writer = CreateStorage();
        await writer.SaveTextAsync("there.txt", "here", cancellationToken: Ct);
        string forged = ContainerSas.Create(Container, "racwdl", DateTimeOffset.UtcNow.AddHours(1), key: new byte[64]);
        string expired = ContainerSas.Create(Container, "racwdl", DateTimeOffset.UtcNow.AddMinutes(-1));
        string otherContainer = ContainerSas.Create("wharf-some-other-container", "racwdl", DateTimeOffset.UtcNow.AddHours(1));

        foreach ((string sas, string what) in new[] { (forged, "forged"), (expired, "expired"), (otherContainer, "for another container") })
        {
            AzureBlobStorage storage = CreateSasStorage(sas, o => o.Location = writer.Options.Location);
            await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(async () => await storage.ReadAllTextAsync("there.txt", cancellationToken: Ct), what);
            await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(async () => await storage.ExistsAsync("there.txt", Ct), what);
            await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(async () => await storage.SaveTextAsync("new.txt", "x", cancellationToken: Ct), what);
        }

        Assert.IsFalse(await writer.ExistsAsync("new.txt", Ct));
    }

    [TestMethod]
    public async Task A_SAS_with_a_leading_question_mark_and_a_connection_string_with_SharedAccessSignature_both_work()
    {
        string sas = ContainerSas.Create(Container, "racwdl", DateTimeOffset.UtcNow.AddHours(1));
        AzureBlobStorage withMark = CreateSasStorage("?" + sas);
        Assert.AreEqual("a.txt", (await withMark.SaveTextAsync("a.txt", "a", cancellationToken: Ct)).Name);
        Assert.AreEqual("a", await withMark.ReadAllTextAsync("a.txt", cancellationToken: Ct));

        var options = new AzureBlobStorageOptions
        {
            Container = Container,
            Location = withMark.Options.Location,
            ConnectionString = $"BlobEndpoint={AzuriteServer.Endpoint};SharedAccessSignature={sas}",
        };
        AzureBlobStorage fromConnectionString = Track(new AzureBlobStorage("sas-cs", options));

        Assert.AreEqual(AzuriteServer.AccountName, fromConnectionString.AccountName);
        Assert.IsFalse(fromConnectionString.Capabilities.SignedUrls);
        Assert.AreEqual("a", await fromConnectionString.ReadAllTextAsync("a.txt", cancellationToken: Ct));
        Assert.AreEqual("b.txt", (await fromConnectionString.SaveTextAsync("b.txt", "b", cancellationToken: Ct)).Name);
        CollectionAssert.AreEqual(new[] { "a.txt", "b.txt" }, (await ListAsync(fromConnectionString)).Select(e => e.Name).ToArray());
    }

    /// <summary>Copy Blob with SAS authentication: the service must be able to read the (private) source too.</summary>
    [TestMethod]
    public async Task A_SAS_storage_copies_within_its_container()
    {
        AzureBlobStorage storage = CreateSasStorage(ContainerSas.Create(Container, "racwdl", DateTimeOffset.UtcNow.AddHours(1)));
        await storage.SaveTextAsync("src.txt", "copied", cancellationToken: Ct);

        SaveResult copied = await storage.CopyAsync("src.txt", "dst.txt", cancellationToken: Ct);

        Assert.AreEqual("dst.txt", copied.Name);
        Assert.AreEqual("copied", await storage.ReadAllTextAsync("dst.txt", cancellationToken: Ct));
    }

    [TestMethod]
    public async Task The_SAS_storage_never_sends_an_Authorization_header()
    {
        string sas = ContainerSas.Create(Container, "racwdl", DateTimeOffset.UtcNow.AddHours(1));
        AzureBlobStorageOptions options = SasOptions(sas);
        var headers = new System.Collections.Concurrent.ConcurrentQueue<string>();
        options.ConfigureClient = client => client.AddPolicy(new HeaderProbe(headers), Azure.Core.HttpPipelinePosition.BeforeTransport);
        AzureBlobStorage storage = Track(new AzureBlobStorage("sas", options));

        await storage.SaveTextAsync("x.txt", "x", cancellationToken: Ct);
        await storage.ReadAllTextAsync("x.txt", cancellationToken: Ct);

        Assert.HasCount(2, headers);
        Assert.IsTrue(headers.All(h => h.Contains("sig=", StringComparison.Ordinal) && !h.Contains("Authorization", StringComparison.Ordinal)), string.Join(Environment.NewLine, headers));
    }

    private AzureBlobStorageOptions SasOptions(string sas) => new()
    {
        Container = Container,
        Location = $"t/{Guid.NewGuid():N}/",
        ServiceUri = AzuriteServer.Endpoint,
        SasToken = sas,
    };

    private AzureBlobStorage CreateSasStorage(string sas, Action<AzureBlobStorageOptions>? configure = null)
    {
        AzureBlobStorageOptions options = SasOptions(sas);
        configure?.Invoke(options);
        return Track(new AzureBlobStorage("sas", options));
    }

    private sealed class HeaderProbe(System.Collections.Concurrent.ConcurrentQueue<string> seen) : Azure.Core.Pipeline.HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(Azure.Core.HttpMessage message) =>
            seen.Enqueue($"{message.Request.Uri} {string.Join(" ", message.Request.Headers.Select(h => h.Name))}");
    }
}

/// <summary>A container service SAS (<c>sr=c</c>), signed with the account key as Azure documents it for version 2025-01-05.</summary>
internal static class ContainerSas
{
    public const string Version = "2025-01-05";

    public static string Create(string container, string permissions, DateTimeOffset expiresOn, byte[]? key = null)
    {
        string expiry = expiresOn.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        string stringToSign = string.Join('\n',
            permissions,
            string.Empty, // st
            expiry,
            $"/blob/{AzuriteServer.AccountName}/{container}",
            string.Empty, // si
            string.Empty, // sip
            string.Empty, // spr
            Version,
            "c",
            string.Empty, // snapshot time
            string.Empty, // ses
            string.Empty, // rscc
            string.Empty, // rscd
            string.Empty, // rsce
            string.Empty, // rscl
            string.Empty); // rsct
        string signature = Convert.ToBase64String(HMACSHA256.HashData(key ?? Convert.FromBase64String(AzuriteServer.AccountKey), Encoding.UTF8.GetBytes(stringToSign)));
        return $"sv={Version}&se={WebUtility.UrlEncode(expiry)}&sr=c&sp={permissions}&sig={Uri.EscapeDataString(signature)}";
    }
}
