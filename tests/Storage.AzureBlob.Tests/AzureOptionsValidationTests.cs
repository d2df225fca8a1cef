namespace Wharf.Storage.AzureBlob.Tests;

/// <summary>
/// Options checked when a storage is made in code: every problem is an <see cref="ArgumentException"/> naming the
/// configuration key (<c>Wharf:Storages:{name}:{Key}</c>), all at once, and never quoting a secret.
/// </summary>
[TestClass]
public sealed class AzureOptionsValidationTests
{
    private const string Key = "c2VjcmV0LWtleS1ieXRlcy1kby1ub3QtbGVhay10aGlzLXZhbHVlIQ==";

    [TestMethod]
    [DataRow(null, "is required", DisplayName = "missing")]
    [DataRow("", "is required", DisplayName = "empty")]
    [DataRow("Media_Files", "'Media_Files' is not a container name", DisplayName = "upper case and underscore")]
    [DataRow("ab", "'ab' is not a container name", DisplayName = "too short")]
    [DataRow("a--b", "'a--b' is not a container name", DisplayName = "double hyphen")]
    [DataRow("-abc", "'-abc' is not a container name", DisplayName = "leading hyphen")]
    [DataRow("abc-", "'abc-' is not a container name", DisplayName = "trailing hyphen")]
    [DataRow("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "is not a container name", DisplayName = "64 characters")]
    public void A_missing_or_malformed_container_is_named(string? container, string message)
    {
        AzureBlobStorageOptions options = Valid();
        options.Container = container;

        AssertRefused(options, $"Wharf:Storages:media:Container: ", message);
    }

    [TestMethod]
    public void Valid_container_names_at_the_limits_are_accepted()
    {
        foreach (string container in new[] { "abc", "a-b-c", "0123456789", new string('a', 63) })
        {
            AzureBlobStorageOptions options = Valid();
            options.Container = container;
            using var storage = new AzureBlobStorage("media", options);
            Assert.AreEqual(container, storage.Container);
        }
    }

    [TestMethod]
    public void An_account_key_that_is_not_base64_is_named_and_not_repeated()
    {
        AzureBlobStorageOptions options = Valid();
        options.AccountKey = "not-base64-secret!";

        ArgumentException exception = AssertRefused(options, "Wharf:Storages:media:AccountKey: ", "is not base64");

        Assert.DoesNotContain("not-base64-secret!", exception.ToString());
        Assert.DoesNotContain("no credential", exception.Message, "a key is configured, only malformed");
    }

    [TestMethod]
    public void No_credential_at_all_is_named_under_AccountKey()
    {
        AzureBlobStorageOptions options = Valid();
        options.AccountKey = null;

        AssertRefused(options, "Wharf:Storages:media:AccountKey: ", "no credential is configured");
    }

    [TestMethod]
    public void A_key_and_a_SAS_together_are_refused()
    {
        AzureBlobStorageOptions options = Valid();
        options.SasToken = "sv=2025-01-05&sig=x";

        AssertRefused(options, "Wharf:Storages:media:SasToken: ", "cannot be combined with AccountKey");
    }

    [TestMethod]
    [DataRow("AccountKey", DisplayName = "AccountKey")]
    [DataRow("AccountName", DisplayName = "AccountName")]
    [DataRow("ServiceUri", DisplayName = "ServiceUri")]
    [DataRow("SasToken", DisplayName = "SasToken")]
    public void A_connection_string_with_an_account_option_beside_it_is_refused(string key)
    {
        var options = new AzureBlobStorageOptions
        {
            Container = "media",
            ConnectionString = $"AccountName=acct;AccountKey={Key}",
        };
        switch (key)
        {
            case "AccountKey": options.AccountKey = Key; break;
            case "AccountName": options.AccountName = "acct"; break;
            case "ServiceUri": options.ServiceUri = "https://acct.blob.core.windows.net"; break;
            default: options.SasToken = "sv=1&sig=x"; break;
        }

        ArgumentException exception = AssertRefused(options, $"Wharf:Storages:media:{key}: ", "cannot be combined with ConnectionString");

        Assert.DoesNotContain(Key, exception.ToString());
    }

    [TestMethod]
    [DataRow("ftp://acct.example.com", DisplayName = "ftp")]
    [DataRow("not a url", DisplayName = "not a URL")]
    [DataRow("/relative/path", DisplayName = "relative")]
    public void A_service_uri_that_is_not_absolute_http_is_named(string serviceUri)
    {
        AzureBlobStorageOptions options = Valid();
        options.ServiceUri = serviceUri;

        ArgumentException exception = AssertRefused(options, "Wharf:Storages:media:ServiceUri: ", "is not an absolute http(s) URL");

        Assert.DoesNotContain("no credential", exception.Message, "the key is configured: only the endpoint is wrong");
    }

    [TestMethod]
    public void Neither_a_service_uri_nor_an_account_name_is_named_under_AccountName()
    {
        AzureBlobStorageOptions options = Valid();
        options.ServiceUri = null;
        options.AccountName = null;

        AssertRefused(options, "Wharf:Storages:media:AccountName: ", "is required");
    }

    [TestMethod]
    public void A_path_style_endpoint_without_an_account_needs_AccountName()
    {
        AzureBlobStorageOptions options = Valid();
        options.ServiceUri = "http://127.0.0.1:10000/";
        options.AccountName = null;

        AssertRefused(options, "Wharf:Storages:media:AccountName: ", "cannot be read from the endpoint");
    }

    [TestMethod]
    [DataRow("BlockSize", DisplayName = "BlockSize below 64 KiB")]
    [DataRow("UploadConcurrency", DisplayName = "UploadConcurrency 0")]
    [DataRow("SingleUploadThreshold", DisplayName = "SingleUploadThreshold 0")]
    [DataRow("SignedUrlLifetime", DisplayName = "SignedUrlLifetime of 8 days")]
    [DataRow("UrlProtocol", DisplayName = "UrlProtocol ftp")]
    [DataRow("PublicAccess", DisplayName = "PublicAccess undefined")]
    [DataRow("Location", DisplayName = "Location with a traversal")]
    [DataRow("MaxNameAttempts", DisplayName = "MaxNameAttempts 0 (a common option)")]
    public void Out_of_range_settings_are_named(string key)
    {
        AzureBlobStorageOptions options = Valid();
        switch (key)
        {
            case "BlockSize": options.BlockSize = 1024; break;
            case "UploadConcurrency": options.UploadConcurrency = 0; break;
            case "SingleUploadThreshold": options.SingleUploadThreshold = 0; break;
            case "SignedUrlLifetime": options.SignedUrlLifetime = TimeSpan.FromDays(8); break;
            case "UrlProtocol": options.UrlProtocol = "ftp"; break;
            case "PublicAccess": options.PublicAccess = (AzureBlobPublicAccess)7; break;
            case "Location": options.Location = "media/../../etc"; break;
            default: options.MaxNameAttempts = 0; break;
        }

        AssertRefused(options, $"Wharf:Storages:media:{key}: ", string.Empty);
    }

    [TestMethod]
    public void Every_problem_is_reported_at_once()
    {
        var options = new AzureBlobStorageOptions
        {
            Container = "Bad_Container",
            ServiceUri = "ftp://x",
            AccountKey = "not base64!",
            BlockSize = 10,
            UploadConcurrency = 100,
        };

        ArgumentException exception = Assert.ThrowsExactly<ArgumentException>(() => new AzureBlobStorage("media", options));

        foreach (string key in new[] { "Container", "ServiceUri", "AccountKey", "BlockSize", "UploadConcurrency" })
        {
            Assert.Contains($"Wharf:Storages:media:{key}: ", exception.Message);
        }

        Assert.AreEqual("options", exception.ParamName);
    }

    [TestMethod]
    public void The_account_comes_from_the_endpoint_or_the_name()
    {
        AzureBlobStorageOptions byName = Valid();
        byName.ServiceUri = null;
        using (var storage = new AzureBlobStorage("media", byName))
        {
            Assert.AreEqual(new Uri("https://acct.blob.core.windows.net"), storage.ServiceUri);
            Assert.AreEqual("acct", storage.AccountName);
            Assert.AreEqual("https://acct.blob.core.windows.net/media/a%20b.txt", storage.GetPublicUrl("a b.txt").AbsoluteUri);
        }

        AzureBlobStorageOptions byHost = Valid();
        byHost.AccountName = null;
        byHost.ServiceUri = "https://fromhost.blob.core.windows.net";
        using (var storage = new AzureBlobStorage("media", byHost))
        {
            Assert.AreEqual("fromhost", storage.AccountName);
        }

        AzureBlobStorageOptions byPath = Valid();
        byPath.AccountName = null;
        byPath.ServiceUri = "http://127.0.0.1:10000/devstoreaccount1";
        using (var storage = new AzureBlobStorage("media", byPath))
        {
            Assert.AreEqual("devstoreaccount1", storage.AccountName);
            Assert.AreEqual("http://127.0.0.1:10000/devstoreaccount1/media/x.txt", storage.GetPublicUrl("x.txt").AbsoluteUri);
        }
    }

    private static AzureBlobStorageOptions Valid() => new()
    {
        Container = "media",
        AccountName = "acct",
        ServiceUri = "https://acct.blob.core.windows.net",
        AccountKey = Key,
    };

    /// <summary>
    /// Asserts that making the storage throws an <see cref="ArgumentException"/> with an error line for the key that
    /// holds <paramref name="message"/>, and that <see cref="AzureBlobStorageOptions.Validate"/> — what start-up
    /// validation runs — reports the same line (except "no credential", which depends on the host's services).
    /// </summary>
    private static ArgumentException AssertRefused(AzureBlobStorageOptions options, string keyPrefix, string message)
    {
        Exception thrown = Assert.Throws<Exception>(() => new AzureBlobStorage("media", options));
        ArgumentException exception = Assert.IsInstanceOfType<ArgumentException>(thrown, $"not {thrown.GetType().Name}: {thrown.Message}");
        string[] lines = exception.Message.Split('\n');
        Assert.IsTrue(lines.Any(l => l.StartsWith(keyPrefix, StringComparison.Ordinal) && l.Contains(message, StringComparison.Ordinal)),
            $"no line '{keyPrefix}...{message}...' in:\n{exception.Message}");

        if (!message.StartsWith("no credential", StringComparison.Ordinal))
        {
            var errors = new StorageOptionsErrors("Wharf:Storages:media");
            options.Validate(errors);
            Assert.IsTrue(errors.Errors.Any(l => l.StartsWith(keyPrefix, StringComparison.Ordinal) && l.Contains(message, StringComparison.Ordinal)),
                $"Validate, which start-up validation runs, must report '{keyPrefix}...{message}...' too; it reported:\n{string.Join("\n", errors.Errors)}");
        }

        return exception;
    }
}
