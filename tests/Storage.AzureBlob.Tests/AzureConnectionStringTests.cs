using System.Net;

namespace Wharf.Storage.AzureBlob.Tests;

/// <summary>
/// Connection strings: one end to end against Azurite, and the parser (<see cref="AzureBlobConnectionString"/>) on the
/// forms Azure documents, including malformed ones, whose errors never repeat the secret.
/// </summary>
[TestClass]
public sealed class AzureConnectionStringTests : AzureTestBase
{
    /// <summary>Azurite's (and the old emulator's) published development key, as Microsoft documents it.</summary>
    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const string Secret = "c2VjcmV0LWtleS1ieXRlcy1kby1ub3QtbGVhay10aGlzLXZhbHVlIQ==";

    [TestMethod]
    public async Task A_connection_string_with_BlobEndpoint_and_AccountKey_works_end_to_end()
    {
        var options = new AzureBlobStorageOptions
        {
            Container = Container,
            Location = "cs/",
            ConnectionString = $"DefaultEndpointsProtocol=http;AccountName={AzuriteServer.AccountName};AccountKey={AzuriteServer.AccountKey};BlobEndpoint={AzuriteServer.Endpoint};",
        };
        AzureBlobStorage storage = Track(new AzureBlobStorage("cs", options));

        Assert.AreEqual(AzuriteServer.AccountName, storage.AccountName);
        Assert.AreEqual(AzuriteServer.EndpointUri, storage.ServiceUri);
        SaveResult saved = await storage.SaveTextAsync("hello.txt", "from a connection string", cancellationToken: Ct);
        Assert.AreEqual("hello.txt", saved.Name);
        Assert.AreEqual("from a connection string", await storage.ReadAllTextAsync("hello.txt", cancellationToken: Ct));
        CollectionAssert.AreEqual(new[] { "hello.txt" }, (await ListAsync(storage)).Select(e => e.Name).ToArray());
        Assert.IsTrue(storage.Capabilities.SignedUrls, "the key in the connection string signs URLs");
        using HttpResponseMessage response = await Anonymous.GetAsync(await storage.GetSignedUrlAsync("hello.txt", cancellationToken: Ct), Ct);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("from a connection string", await response.Content.ReadAsStringAsync(Ct));
        Assert.IsTrue(await CreateContainerTopStorage().ExistsAsync("cs/hello.txt", Ct));
    }

    /// <summary>
    /// <c>UseDevelopmentStorage=true</c> cannot be used against the test server (its port is not 10000), so the test
    /// checks what it stands for, and that its key is the one Azurite accepts (a request signed with it succeeds).
    /// </summary>
    [TestMethod]
    public async Task UseDevelopmentStorage_is_Azurite_on_port_10000_with_the_published_key()
    {
        Assert.IsTrue(AzureBlobConnectionString.TryParse("UseDevelopmentStorage=true", out AzureBlobConnectionString? parsed, out string? error), error);

        Assert.AreEqual("http://127.0.0.1:10000/devstoreaccount1", parsed.BlobEndpoint.AbsoluteUri);
        Assert.AreEqual("devstoreaccount1", parsed.AccountName);
        Assert.IsNull(parsed.SasToken);
        Assert.AreEqual(DevelopmentKey, parsed.AccountKey, "the development key must be the published one that Azurite accepts");

        // The parsed key, used against the test server, signs requests Azurite accepts.
        AzureBlobStorageOptions options = Options();
        options.AccountKey = parsed.AccountKey;
        AzureBlobStorage storage = Track(new AzureBlobStorage("devstorage", options));
        Assert.AreEqual("dev.txt", (await storage.SaveTextAsync("dev.txt", "dev", cancellationToken: Ct)).Name);
    }

    [TestMethod]
    public void UseDevelopmentStorage_with_a_proxy_uri_keeps_the_proxy_host_on_port_10000()
    {
        Assert.IsTrue(AzureBlobConnectionString.TryParse("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://myproxy.local", out AzureBlobConnectionString? parsed, out string? error), error);

        Assert.AreEqual("http://myproxy.local:10000/devstoreaccount1", parsed.BlobEndpoint.AbsoluteUri);
        Assert.AreEqual("devstoreaccount1", parsed.AccountName);

        Assert.IsTrue(AzureBlobConnectionString.TryParse("usedevelopmentstorage=TRUE", out parsed, out error), "keys and the value are case-insensitive: " + error);
        Assert.AreEqual("http://127.0.0.1:10000/devstoreaccount1", parsed.BlobEndpoint.AbsoluteUri);
    }

    [TestMethod]
    [DataRow("DefaultEndpointsProtocol=https;AccountName=myaccount;AccountKey=" + Secret + ";EndpointSuffix=core.windows.net", "https://myaccount.blob.core.windows.net/", "myaccount")]
    [DataRow("AccountName=myaccount;AccountKey=" + Secret, "https://myaccount.blob.core.windows.net/", "myaccount")]
    [DataRow("DefaultEndpointsProtocol=http;AccountName=cn;AccountKey=" + Secret + ";EndpointSuffix=core.chinacloudapi.cn", "http://cn.blob.core.chinacloudapi.cn/", "cn")]
    [DataRow("accountname=lower;accountkey=" + Secret + ";endpointsuffix=.core.usgovcloudapi.net.", "https://lower.blob.core.usgovcloudapi.net/", "lower")]
    [DataRow("BlobEndpoint=https://custom.example.com;AccountName=acct;AccountKey=" + Secret, "https://custom.example.com/", "acct")]
    [DataRow("BlobEndpoint=https://named.blob.core.windows.net/;AccountKey=" + Secret, "https://named.blob.core.windows.net/", "named")]
    [DataRow(" BlobEndpoint = http://127.0.0.1:10200/devstoreaccount1 ; AccountKey = " + Secret + " ;; ", "http://127.0.0.1:10200/devstoreaccount1", "devstoreaccount1")]
    [DataRow("BlobEndpoint=http://localhost:10000/devstoreaccount1;AccountKey=" + Secret, "http://localhost:10000/devstoreaccount1", "devstoreaccount1")]
    public void Account_key_connection_strings_give_the_endpoint_account_and_key(string connectionString, string endpoint, string account)
    {
        Assert.IsTrue(AzureBlobConnectionString.TryParse(connectionString, out AzureBlobConnectionString? parsed, out string? error), error);

        Assert.AreEqual(endpoint, parsed.BlobEndpoint.AbsoluteUri);
        Assert.AreEqual(account, parsed.AccountName);
        Assert.AreEqual(Secret, parsed.AccountKey, "the key keeps its '=' padding");
        Assert.IsNull(parsed.SasToken);
    }

    [TestMethod]
    public void A_SharedAccessSignature_connection_string_keeps_the_whole_token()
    {
        const string Sas = "sv=2025-01-05&se=2030-01-01T00%3A00%3A00Z&sr=c&sp=racwdl&sig=abc%2Bdef%3D";

        Assert.IsTrue(AzureBlobConnectionString.TryParse($"BlobEndpoint=https://acct.blob.core.windows.net;SharedAccessSignature={Sas}", out AzureBlobConnectionString? parsed, out string? error), error);

        Assert.AreEqual(Sas, parsed.SasToken, "every '=' after the first belongs to the value");
        Assert.IsNull(parsed.AccountKey);
        Assert.AreEqual("acct", parsed.AccountName);
    }

    [TestMethod]
    [DataRow("", DisplayName = "empty")]
    [DataRow("garbage", DisplayName = "no key=value")]
    [DataRow("AccountKey=" + Secret, DisplayName = "no account or endpoint")]
    [DataRow("AccountName=acct", DisplayName = "no credential")]
    [DataRow("AccountName=acct;AccountKey=" + Secret + ";AccountKey=" + Secret, DisplayName = "a key given twice")]
    [DataRow("AccountName=acct;AccountKey=" + Secret + ";SharedAccessSignature=sv=1&sig=" + Secret, DisplayName = "both a key and a SAS")]
    [DataRow("BlobEndpoint=not a url;AccountKey=" + Secret, DisplayName = "BlobEndpoint not a URL")]
    [DataRow("BlobEndpoint=ftp://host/x;AccountKey=" + Secret, DisplayName = "BlobEndpoint not http(s)")]
    [DataRow("DefaultEndpointsProtocol=ftp;AccountName=acct;AccountKey=" + Secret, DisplayName = "bad protocol")]
    [DataRow("BlobEndpoint=https://127.0.0.1:10000/;AccountKey=" + Secret, DisplayName = "no account in an IP endpoint")]
    [DataRow("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=no proxy", DisplayName = "bad proxy URI")]
    [DataRow(Secret + ";AccountName=acct", DisplayName = "the secret as a bare setting")]
    public void Malformed_connection_strings_are_refused_without_repeating_the_secret(string connectionString)
    {
        Assert.IsFalse(AzureBlobConnectionString.TryParse(connectionString, out AzureBlobConnectionString? parsed, out string? error));

        Assert.IsNull(parsed);
        Assert.IsFalse(string.IsNullOrWhiteSpace(error));
        Assert.DoesNotContain(Secret, error, "the error must not quote the key");
        Assert.DoesNotContain("c2VjcmV0", error, "not even part of it");

        // Start-up validation names the key, and still not the secret.
        var errors = new StorageOptionsErrors("Wharf:Storages:media");
        new AzureBlobStorageOptions { Container = "media", ConnectionString = connectionString }.Validate(errors);
        Assert.HasCount(1, errors.Errors);
        Assert.StartsWith("Wharf:Storages:media:ConnectionString: ", errors.Errors[0]);
        Assert.DoesNotContain("c2VjcmV0", errors.Errors[0]);
    }

    /// <summary>
    /// A storage made in code with a malformed connection string fails like any other bad option: an
    /// <see cref="ArgumentException"/> naming <c>Wharf:Storages:{name}:ConnectionString</c>, without the secret.
    /// </summary>
    [TestMethod]
    [DataRow("garbage", DisplayName = "no key=value")]
    [DataRow("AccountName=acct", DisplayName = "no credential")]
    [DataRow("AccountName=acct;AccountKey=" + Secret + ";SharedAccessSignature=sv=1&sig=" + Secret, DisplayName = "both a key and a SAS")]
    public void A_storage_with_a_malformed_connection_string_is_an_argument_error_naming_the_key(string connectionString)
    {
        var options = new AzureBlobStorageOptions { Container = "media", ConnectionString = connectionString };

        Exception exception = Assert.Throws<Exception>(() => new AzureBlobStorage("media", options));

        Assert.IsInstanceOfType<ArgumentException>(exception, $"not {exception.GetType().Name}: {exception.Message}");
        Assert.Contains("Wharf:Storages:media:ConnectionString", exception.Message);
        Assert.DoesNotContain("c2VjcmV0", exception.ToString());
    }

    /// <summary>A key in a connection string that is not base64 must be a configuration error naming the setting, not a FormatException at construction.</summary>
    [TestMethod]
    public void A_connection_string_whose_AccountKey_is_not_base64_is_an_options_error()
    {
        const string NotBase64 = "not-base64-secret!!";
        var options = new AzureBlobStorageOptions { Container = "media", ConnectionString = $"AccountName=acct;AccountKey={NotBase64}" };

        var errors = new StorageOptionsErrors("Wharf:Storages:media");
        options.Validate(errors);
        Assert.IsNotEmpty(errors.Errors, "Validate (start-up validation) must catch it");
        Assert.Contains("Wharf:Storages:media:ConnectionString", string.Join("\n", errors.Errors));
        Assert.DoesNotContain(NotBase64, string.Join("\n", errors.Errors));

        Exception exception = Assert.Throws<Exception>(() => new AzureBlobStorage("media", options));
        Assert.IsInstanceOfType<ArgumentException>(exception, $"not {exception.GetType().Name}: {exception.Message}");
        Assert.Contains("Wharf:Storages:media:ConnectionString", exception.Message);
        Assert.DoesNotContain(NotBase64, exception.ToString());
    }
}
