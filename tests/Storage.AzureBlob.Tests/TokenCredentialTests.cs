using System.Collections.Specialized;
using System.Globalization;
using System.Net;
using System.Text;
using System.Web;
using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Wharf.Storage.AzureBlob.Tests.Support;

namespace Wharf.Storage.AzureBlob.Tests;

/// <summary>
/// The <see cref="TokenCredential"/> path (Microsoft Entra ID, managed identity) against a private Azurite over HTTPS
/// with <c>--oauth basic</c>: bearer-token requests through Azure.Core's <c>BearerTokenAuthenticationPolicy</c>, and
/// user-delegation SAS URLs signed with a key from Get User Delegation Key, which Azurite verifies. No account key is
/// used anywhere here, except where a test shows that a configured key wins over a token.
/// </summary>
[TestClass]
public sealed class TokenCredentialTests
{
    private static readonly byte[] Content = Encoding.UTF8.GetBytes("token content \u00e9\n");
    private static HttpsAzurite? s_server;
    private static HttpClient? s_anonymous;
    private static string? s_container;
    private readonly List<IAsyncDisposable> _disposables = [];

    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    private static HttpsAzurite Server => s_server ?? throw new InvalidOperationException("The HTTPS Azurite is not running.");

    private static HttpClient Anonymous => s_anonymous ?? throw new InvalidOperationException("The HTTPS Azurite is not running.");

    private static string Container => s_container ?? throw new InvalidOperationException("The container was not created.");

    [ClassInitialize]
    public static async Task StartHttpsAzuriteAsync(TestContext context)
    {
        s_server = await HttpsAzurite.StartAsync(context.CancellationToken);
        try
        {
            s_anonymous = s_server.CreateAnonymousClient();

            // The container is made with a token too.
            string container = "wharf-tok-" + Guid.NewGuid().ToString("N")[..16];
            await using var admin = new AzureBlobStorage("tok-admin", new AzureBlobStorageOptions
            {
                ServiceUri = s_server.Endpoint.AbsoluteUri,
                Container = container,
                Credential = new FakeJwtCredential(),
                ConfigureClient = s_server.ConfigureClient(new RequestRecorder()),
            });
            Assert.IsTrue(await admin.CreateContainerAsync(cancellationToken: context.CancellationToken), "Create Container with a bearer token");
            s_container = container;
        }
        catch
        {
            await StopHttpsAzuriteAsync();
            throw;
        }
    }

    [ClassCleanup]
    public static async Task StopHttpsAzuriteAsync()
    {
        s_anonymous?.Dispose();
        s_anonymous = null;
        if (s_server is { } server)
        {
            s_server = null;
            await server.DisposeAsync();
        }
    }

    [TestCleanup]
    public async Task DisposeStoragesAsync()
    {
        foreach (IAsyncDisposable disposable in Enumerable.Reverse(_disposables))
        {
            await disposable.DisposeAsync();
        }

        _disposables.Clear();
    }

    [TestMethod]
    public async Task A_storage_with_only_a_token_credential_saves_reads_lists_and_deletes()
    {
        var credential = new FakeJwtCredential();
        var requests = new RequestRecorder();
        AzureBlobStorage storage = CreateStorage(credential, requests);

        Assert.IsTrue(storage.Capabilities.SignedUrls, "a token can sign (user-delegation SAS)");
        await storage.SaveTextAsync("docs/a.txt", "from a token", cancellationToken: Ct);
        await storage.SaveBytesAsync("docs/sub/b.bin", Content, new SaveOptions { ContentType = "application/x-test" }, Ct);

        Assert.AreEqual("from a token", await storage.ReadAllTextAsync("docs/a.txt", cancellationToken: Ct));
        CollectionAssert.AreEqual(Content, await storage.ReadAllBytesAsync("docs/sub/b.bin", Ct));
        StorageObjectInfo info = await storage.GetInfoAsync("docs/sub/b.bin", Ct);
        Assert.AreEqual(Content.Length, info.Length);
        Assert.AreEqual("application/x-test", info.ContentType);

        List<StorageEntry> top = await ToListAsync(storage.ListAsync("docs/", cancellationToken: Ct));
        CollectionAssert.AreEqual(new[] { "docs/a.txt", "docs/sub/" }, top.Select(e => e.Name).ToArray());
        Assert.IsTrue(top[1].IsDirectory);
        List<StorageEntry> all = await ToListAsync(storage.ListAsync(null, new ListOptions { Recursive = true }, Ct));
        CollectionAssert.AreEqual(new[] { "docs/a.txt", "docs/sub/b.bin" }, all.Select(e => e.Name).ToArray());

        Assert.IsTrue(await storage.DeleteAsync("docs/a.txt", Ct));
        Assert.IsFalse(await storage.ExistsAsync("docs/a.txt", Ct));
        Assert.IsFalse(await storage.DeleteAsync("docs/a.txt", Ct));
        Assert.IsTrue(await storage.ExistsAsync("docs/sub/b.bin", Ct));

        // Every request carried a bearer token, over https; Azure.Core asked for one token and cached it.
        Assert.IsGreaterThanOrEqualTo(10, requests.Requests.Count, requests.ToString());
        foreach (RecordedRequest request in requests.Requests)
        {
            Assert.AreEqual("Bearer", request.AuthorizationScheme, $"{request.Method} {request.Uri}");
            Assert.AreEqual(Uri.UriSchemeHttps, request.Uri.Scheme);
        }

        Assert.AreEqual(1, credential.Calls, "the token is cached by BearerTokenAuthenticationPolicy");
        AssertStorageScope(credential);
    }

    [TestMethod]
    public async Task A_signed_url_is_a_user_delegation_SAS_that_an_anonymous_client_can_read()
    {
        var credential = new FakeJwtCredential();
        AzureBlobStorage storage = CreateStorage(credential, new RequestRecorder());
        const string Name = "docs/report \u00e9 1.bin";
        await storage.SaveBytesAsync(Name, Content, new SaveOptions { ContentType = "application/octet-stream" }, Ct);
        const string Disposition = "attachment; filename=\"report.pdf\"";

        Uri url = await storage.GetSignedUrlAsync(Name, new SignedUrlOptions
        {
            ExpiresIn = TimeSpan.FromMinutes(30),
            ResponseContentDisposition = Disposition,
            ResponseContentType = "application/pdf",
        }, Ct);

        Assert.AreEqual(Uri.UriSchemeHttps, url.Scheme);
        NameValueCollection query = HttpUtility.ParseQueryString(url.Query);
        Assert.AreEqual("2025-01-05", query["sv"]);
        Assert.AreEqual("b", query["sr"]);
        Assert.AreEqual("r", query["sp"]);
        Assert.AreEqual(credential.ObjectId, query["skoid"], "skoid is the token's oid");
        Assert.AreEqual(credential.TenantId, query["sktid"], "sktid is the token's tid");
        Assert.AreEqual("b", query["sks"]);
        Assert.IsFalse(string.IsNullOrEmpty(query["skv"]), "skv");
        Assert.IsFalse(string.IsNullOrEmpty(query["sig"]), "sig");
        Assert.AreEqual(Disposition, query["rscd"]);
        Assert.AreEqual("application/pdf", query["rsct"]);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        DateTimeOffset expiry = ParseTime(query["se"]);
        DateTimeOffset keyStart = ParseTime(query["skt"]);
        DateTimeOffset keyExpiry = ParseTime(query["ske"]);
        Assert.IsTrue(expiry > now.AddMinutes(28) && expiry <= now.AddMinutes(31), $"se {expiry:O}");
        Assert.IsTrue(keyStart <= now, $"skt {keyStart:O}");
        Assert.IsTrue(keyExpiry >= expiry && keyExpiry <= now.AddDays(7), $"ske {keyExpiry:O} (at most 7 days ahead)");

        using (HttpResponseMessage response = await Anonymous.GetAsync(url, Ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"GET {url}: {await response.Content.ReadAsStringAsync(Ct)}");
            CollectionAssert.AreEqual(Content, await response.Content.ReadAsByteArrayAsync(Ct));
            Assert.AreEqual("application/pdf", response.Content.Headers.ContentType?.MediaType);
            Assert.AreEqual(Disposition, string.Join(", ", response.Content.Headers.GetValues("Content-Disposition")));
        }

        // Without overrides the stored headers come back.
        Uri plain = await storage.GetSignedUrlAsync(Name, cancellationToken: Ct);
        using (HttpResponseMessage response = await Anonymous.GetAsync(plain, Ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"GET {plain}");
            Assert.AreEqual("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
            Assert.IsNull(response.Content.Headers.ContentDisposition);
            CollectionAssert.AreEqual(Content, await response.Content.ReadAsByteArrayAsync(Ct));
        }

        // The blob itself stays private.
        using HttpResponseMessage unsigned = await Anonymous.GetAsync(storage.GetPublicUrl(Name), Ct);
        Assert.IsFalse(unsigned.IsSuccessStatusCode, $"an unsigned GET must fail; got {unsigned.StatusCode}");
    }

    [TestMethod]
    public async Task A_tampered_user_delegation_SAS_is_refused()
    {
        AzureBlobStorage storage = CreateStorage(new FakeJwtCredential(), new RequestRecorder());
        await storage.SaveBytesAsync("a.txt", Content, cancellationToken: Ct);
        await storage.SaveBytesAsync("b.txt", Encoding.UTF8.GetBytes("the other object"), cancellationToken: Ct);
        string url = (await storage.GetSignedUrlAsync("a.txt", new SignedUrlOptions { ExpiresIn = TimeSpan.FromMinutes(10) }, Ct)).AbsoluteUri;
        NameValueCollection query = HttpUtility.ParseQueryString(new Uri(url).Query);
        await AssertStatusAsync(url, HttpStatusCode.OK, "the untouched URL");

        string signature = query["sig"]!;
        await AssertStatusAsync(WithParameter(url, "sig", (signature[0] == 'A' ? 'B' : 'A') + signature[1..]), HttpStatusCode.Forbidden, "a changed signature");
        await AssertStatusAsync(url.Replace("/a.txt?", "/b.txt?", StringComparison.Ordinal), HttpStatusCode.Forbidden, "another blob's path");
        await AssertStatusAsync(WithParameter(url, "se", FormatTime(ParseTime(query["se"]).AddDays(1))), HttpStatusCode.Forbidden, "a later expiry");
        await AssertStatusAsync(WithParameter(url, "skoid", Guid.NewGuid().ToString()), HttpStatusCode.Forbidden, "another principal (skoid)");
        await AssertStatusAsync(WithParameter(url, "ske", FormatTime(ParseTime(query["ske"]).AddMinutes(-1))), HttpStatusCode.Forbidden, "another key expiry (ske)");
        await AssertStatusAsync(WithParameter(url, "sp", "rw"), HttpStatusCode.Forbidden, "more permissions");
        await AssertStatusAsync(url + "&rsct=text%2Fhtml", HttpStatusCode.Forbidden, "an added response type override");
    }

    [TestMethod]
    public async Task The_user_delegation_key_is_fetched_once_for_many_signed_urls()
    {
        var credential = new FakeJwtCredential();
        var requests = new RequestRecorder();
        AzureBlobStorage storage = CreateStorage(credential, requests);
        for (int i = 0; i < 8; i++)
        {
            await storage.SaveTextAsync($"f{i}.txt", $"file {i}", cancellationToken: Ct);
        }

        requests.Clear();

        // At once, on a storage without a key yet: one Get User Delegation Key for all.
        Uri[] parallel = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => storage.GetSignedUrlAsync($"f{i}.txt", cancellationToken: Ct).AsTask()));
        // Then one after another, with lifetimes from a minute to days: the same cached key.
        var sequential = new List<Uri>();
        foreach (TimeSpan lifetime in new[] { TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(6) })
        {
            sequential.Add(await storage.GetSignedUrlAsync("f0.txt", new SignedUrlOptions { ExpiresIn = lifetime }, Ct));
        }

        Assert.AreEqual(1, requests.UserDelegationKeyRequests, requests.ToString());
        Assert.HasCount(1, requests.Requests, requests.ToString());
        Assert.AreEqual("Bearer", requests.Requests[0].AuthorizationScheme);
        Assert.AreEqual(200, requests.Requests[0].Status);
        Uri[] urls = [.. parallel, .. sequential];
        NameValueCollection first = HttpUtility.ParseQueryString(urls[0].Query);
        foreach (Uri url in urls)
        {
            NameValueCollection query = HttpUtility.ParseQueryString(url.Query);
            Assert.AreEqual(first["skt"], query["skt"], "one key");
            Assert.AreEqual(first["ske"], query["ske"], "one key");
        }

        for (int i = 0; i < parallel.Length; i++)
        {
            using HttpResponseMessage response = await Anonymous.GetAsync(parallel[i], Ct);
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"GET {parallel[i]}");
            Assert.AreEqual($"file {i}", await response.Content.ReadAsStringAsync(Ct));
        }

        foreach (Uri url in sequential)
        {
            await AssertStatusAsync(url.AbsoluteUri, HttpStatusCode.OK, "a URL signed with the cached key");
        }

        Assert.AreEqual(1, credential.Calls, "one token for everything");
    }

    [TestMethod]
    public async Task The_longest_signed_url_lifetime_the_options_allow_works_with_a_token()
    {
        // SignedUrlLifetime accepts up to 7 days, a user delegation key's limit.
        AzureBlobStorage storage = CreateStorage(new FakeJwtCredential(), new RequestRecorder(), options => options.SignedUrlLifetime = TimeSpan.FromDays(7));
        await storage.SaveBytesAsync("week.txt", Content, cancellationToken: Ct);

        Uri url = await storage.GetSignedUrlAsync("week.txt", cancellationToken: Ct);

        NameValueCollection query = HttpUtility.ParseQueryString(url.Query);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        DateTimeOffset expiry = ParseTime(query["se"]);
        DateTimeOffset keyExpiry = ParseTime(query["ske"]);
        Assert.IsTrue(expiry > now.AddDays(7).AddMinutes(-10) && expiry <= keyExpiry && keyExpiry <= now.AddDays(7), $"se {expiry:O}, ske {keyExpiry:O}");
        await AssertStatusAsync(url.AbsoluteUri, HttpStatusCode.OK, "a 7-day user-delegation URL");

        // Longer than a key can live: refused up front.
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await storage.GetSignedUrlAsync("week.txt", new SignedUrlOptions { ExpiresIn = TimeSpan.FromDays(8) }, Ct));
    }

    [TestMethod]
    public async Task A_credential_that_cannot_get_a_token_fails_operations_with_access_denied()
    {
        var credential = new FakeJwtCredential { Failure = () => new FakeJwtAuthenticationFailedException() };
        var requests = new RequestRecorder();
        AzureBlobStorage storage = CreateStorage(credential, requests, name: "tok-broken");

        await AssertCredentialFailureAsync(async () => await storage.SaveTextAsync("x.txt", "x", cancellationToken: Ct), "x.txt");
        await AssertCredentialFailureAsync(async () => await storage.ExistsAsync("x.txt", Ct), "x.txt");
        await AssertCredentialFailureAsync(async () => await ToListAsync(storage.ListAsync("docs/", cancellationToken: Ct)), objectName: null);
        await AssertCredentialFailureAsync(async () => await storage.GetSignedUrlAsync("x.txt", cancellationToken: Ct), "x.txt");

        // Nothing was sent without a token.
        Assert.IsEmpty(requests.Requests, requests.ToString());
        Assert.IsGreaterThanOrEqualTo(4, credential.Calls);
        AssertStorageScope(credential);
    }

    [TestMethod]
    public async Task A_token_the_service_rejects_is_access_denied()
    {
        // A token for another resource (Key Vault): Azurite answers 403 "Invalid token audience", as Azure would refuse it.
        var credential = new FakeJwtCredential(audience: "https://vault.azure.net");
        AzureBlobStorage storage = CreateStorage(credential, new RequestRecorder(), name: "tok-wrong-audience");

        StorageException saveFailure = await Assert.ThrowsAsync<StorageException>(async () => await storage.SaveTextAsync("x.txt", "x", cancellationToken: Ct));
        StorageException readFailure = await Assert.ThrowsAsync<StorageException>(async () => await storage.ExistsAsync("x.txt", Ct));
        StorageException signFailure = await Assert.ThrowsAsync<StorageException>(async () => await storage.GetSignedUrlAsync("x.txt", cancellationToken: Ct));

        foreach (StorageException failure in new[] { saveFailure, readFailure, signFailure })
        {
            Assert.IsInstanceOfType<StorageAccessDeniedException>(failure, failure.ToString());
            Assert.AreEqual("tok-wrong-audience", failure.StorageName);
            Assert.Contains(Container, failure.Message);
        }
    }

    [TestMethod]
    public async Task Requests_fail_as_unavailable_without_trusting_the_servers_certificate()
    {
        // The system's trust store does not know the test certificate: this is real TLS, and only the handler trusts it.
        var credential = new FakeJwtCredential();
        AzureBlobStorage storage = Track(new AzureBlobStorage("tok-untrusted", new AzureBlobStorageOptions
        {
            ServiceUri = Server.Endpoint.AbsoluteUri,
            Container = Container,
            Credential = credential,
            ConfigureClient = options => options.Retry.MaxRetries = 0,
        }));

        StorageException failure = await Assert.ThrowsAsync<StorageException>(async () => await storage.ExistsAsync("x.txt", Ct));

        Assert.IsInstanceOfType<StorageUnavailableException>(failure, failure.ToString());
        Assert.AreEqual("tok-untrusted", failure.StorageName);
        Assert.IsTrue(Chain(failure).Any(e => e is System.Security.Authentication.AuthenticationException), $"a TLS failure: {failure}");
    }

    [TestMethod]
    public void A_token_credential_on_an_http_endpoint_is_refused()
    {
        var credential = new FakeJwtCredential();
        var options = new AzureBlobStorageOptions { ServiceUri = "http://127.0.0.1:10000/devstoreaccount1", Container = "media", Credential = credential };

        ArgumentException inOptions = Assert.ThrowsExactly<ArgumentException>(() => new AzureBlobStorage("tok-http", options));
        ArgumentException fromHost = Assert.ThrowsExactly<ArgumentException>(() => new AzureBlobStorage(
            "tok-http", new AzureBlobStorageOptions { ServiceUri = "http://127.0.0.1:10000/devstoreaccount1", Container = "media" }, credential));

        foreach (ArgumentException exception in new[] { inOptions, fromHost })
        {
            Assert.Contains("Wharf:Storages:tok-http:ServiceUri", exception.Message);
            Assert.Contains("https", exception.Message);
        }

        Assert.AreEqual(0, credential.Calls);
    }

    [TestMethod]
    public async Task A_keyed_TokenCredential_service_is_used_by_its_storage_and_the_unkeyed_one_by_the_others()
    {
        var keyed = new FakeJwtCredential();
        var unkeyed = new FakeJwtCredential();
        var mediaRequests = new RequestRecorder();
        var otherRequests = new RequestRecorder();
        var services = new ServiceCollection();
        services.AddKeyedSingleton<TokenCredential>("media", keyed);
        services.AddSingleton<TokenCredential>(unkeyed);
        services.AddWharfStorage(Configuration([.. StorageSettings("media"), .. StorageSettings("other")])).AddAzureBlob();
        services.Configure<AzureBlobStorageOptions>("media", options => options.ConfigureClient = Server.ConfigureClient(mediaRequests));
        services.Configure<AzureBlobStorageOptions>("other", options => options.ConfigureClient = Server.ConfigureClient(otherRequests));
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        IStorage media = provider.GetRequiredKeyedService<IStorage>("media");
        await media.SaveBytesAsync("m.txt", Content, cancellationToken: Ct);
        Uri mediaUrl = await media.GetSignedUrlAsync("m.txt", cancellationToken: Ct);

        Assert.AreEqual(1, keyed.Calls);
        Assert.AreEqual(0, unkeyed.Calls, "the keyed credential is preferred for its storage");
        Assert.AreEqual(keyed.ObjectId, HttpUtility.ParseQueryString(mediaUrl.Query)["skoid"]);
        await AssertStatusAsync(mediaUrl.AbsoluteUri, HttpStatusCode.OK, "the DI storage's user-delegation URL");

        IStorage other = provider.GetRequiredKeyedService<IStorage>("other");
        await other.SaveBytesAsync("o.txt", Content, cancellationToken: Ct);
        Uri otherUrl = await other.GetSignedUrlAsync("o.txt", cancellationToken: Ct);

        Assert.AreEqual(1, unkeyed.Calls);
        Assert.AreEqual(1, keyed.Calls);
        Assert.AreEqual(unkeyed.ObjectId, HttpUtility.ParseQueryString(otherUrl.Query)["skoid"]);
        await AssertStatusAsync(otherUrl.AbsoluteUri, HttpStatusCode.OK, "the other storage's user-delegation URL");
        foreach (RecordedRequest request in mediaRequests.Requests.Concat(otherRequests.Requests))
        {
            Assert.AreEqual("Bearer", request.AuthorizationScheme, $"{request.Method} {request.Uri}");
        }

        AssertStorageScope(keyed);
        AssertStorageScope(unkeyed);
    }

    [TestMethod]
    public async Task A_host_with_an_unkeyed_TokenCredential_starts_and_its_configured_storage_uses_the_token()
    {
        var credential = new FakeJwtCredential();
        var requests = new RequestRecorder();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(StorageSettings("media"));
        builder.Services.AddSingleton<TokenCredential>(credential);
        builder.Services.AddWharfStorage(builder.Configuration).AddAzureBlob();
        builder.Services.Configure<AzureBlobStorageOptions>("media", options => options.ConfigureClient = Server.ConfigureClient(requests));
        using IHost host = builder.Build();

        await host.StartAsync(Ct);
        IStorage media = host.Services.GetRequiredKeyedService<IStorage>("media");
        await media.SaveTextAsync("hosted.txt", "ok", cancellationToken: Ct);
        Assert.AreEqual("ok", await media.ReadAllTextAsync("hosted.txt", cancellationToken: Ct));
        Assert.IsTrue(await media.DeleteAsync("hosted.txt", Ct));
        await host.StopAsync(Ct);

        Assert.AreEqual(1, credential.Calls);
        Assert.IsNotEmpty(requests.Requests);
        foreach (RecordedRequest request in requests.Requests)
        {
            Assert.AreEqual("Bearer", request.AuthorizationScheme, $"{request.Method} {request.Uri}");
        }
    }

    [TestMethod]
    public async Task A_configured_account_key_wins_over_a_TokenCredential_service()
    {
        var credential = new FakeJwtCredential();
        var requests = new RequestRecorder();
        var services = new ServiceCollection();
        services.AddSingleton<TokenCredential>(credential);
        services.AddWharfStorage(Configuration([
            .. StorageSettings("media"),
            new("Wharf:Storages:media:AccountName", HttpsAzurite.AccountName),
            // Azurite's documented development key (start.sh), over the same HTTPS endpoint.
            new("Wharf:Storages:media:AccountKey", "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="),
        ])).AddAzureBlob();
        services.Configure<AzureBlobStorageOptions>("media", options => options.ConfigureClient = Server.ConfigureClient(requests));
        await using ServiceProvider provider = services.BuildServiceProvider();

        IStorage media = provider.GetRequiredKeyedService<IStorage>("media");
        await media.SaveBytesAsync("k.txt", Content, cancellationToken: Ct);
        Uri url = await media.GetSignedUrlAsync("k.txt", cancellationToken: Ct);

        Assert.AreEqual(0, credential.Calls, "a key is configured: the token credential is not asked");
        Assert.IsNotEmpty(requests.Requests);
        foreach (RecordedRequest request in requests.Requests)
        {
            Assert.AreEqual("SharedKey", request.AuthorizationScheme, $"{request.Method} {request.Uri}");
        }

        Assert.IsNull(HttpUtility.ParseQueryString(url.Query)["skoid"], "a service SAS, not a user-delegation one");
        await AssertStatusAsync(url.AbsoluteUri, HttpStatusCode.OK, "the service SAS");
    }

    [TestMethod]
    public async Task A_host_without_a_credential_for_a_configured_storage_fails_to_start_naming_AccountKey()
    {
        // No key, no SAS, no connection string, no TokenCredential service.
        using IHost host = BuildHost(StorageSettings("media"), credential: null);

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Wharf:Storages:media:AccountKey", exception.Message);
        Assert.Contains("TokenCredential", exception.Message);
    }

    [TestMethod]
    public async Task A_host_with_a_TokenCredential_service_and_an_http_endpoint_fails_to_start_naming_ServiceUri()
    {
        // Bearer tokens only go over TLS: the storage could never send a request, so the host must not start.
        var credential = new FakeJwtCredential();
        using IHost host = BuildHost([
            new("Wharf:Storages:media:Backend", "AzureBlob"),
            new("Wharf:Storages:media:ServiceUri", "http://127.0.0.1:10000/devstoreaccount1"),
            new("Wharf:Storages:media:Container", Container),
        ], credential);

        // Resolving the storage fails, naming the option (the constructor's ArgumentException, or the options validation's).
        Exception resolve = Assert.Throws<Exception>(() => host.Services.GetRequiredKeyedService<IStorage>("media"));
        Assert.IsTrue(resolve is ArgumentException or OptionsValidationException, resolve.ToString());
        Assert.Contains("Wharf:Storages:media:ServiceUri", resolve.Message);
        Assert.Contains("https", resolve.Message);

        // And so does start-up, as it does for a storage without any credential.
        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync(Ct));
        Assert.Contains("Wharf:Storages:media:ServiceUri", exception.Message);
        Assert.AreEqual(0, credential.Calls);
    }

    private AzureBlobStorage CreateStorage(FakeJwtCredential credential, RequestRecorder requests, Action<AzureBlobStorageOptions>? configure = null, string name = "tok")
    {
        var options = new AzureBlobStorageOptions
        {
            ServiceUri = Server.Endpoint.AbsoluteUri,
            Container = Container,
            Location = $"t/{Guid.NewGuid():N}/",
            Credential = credential,
            ConfigureClient = Server.ConfigureClient(requests),
        };
        configure?.Invoke(options);
        return Track(new AzureBlobStorage(name, options));
    }

    private T Track<T>(T disposable)
        where T : IAsyncDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    private static KeyValuePair<string, string?>[] StorageSettings(string name) =>
    [
        new($"Wharf:Storages:{name}:Backend", "AzureBlob"),
        new($"Wharf:Storages:{name}:ServiceUri", Server.Endpoint.AbsoluteUri),
        new($"Wharf:Storages:{name}:Container", Container),
        new($"Wharf:Storages:{name}:Location", $"di/{Guid.NewGuid():N}"),
    ];

    private static IHost BuildHost(IEnumerable<KeyValuePair<string, string?>> settings, TokenCredential? credential)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        if (credential is not null)
        {
            builder.Services.AddSingleton(credential);
        }

        builder.Services.AddWharfStorage(builder.Configuration).AddAzureBlob();
        return builder.Build();
    }

    private static IConfiguration Configuration(IEnumerable<KeyValuePair<string, string?>> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static void AssertStorageScope(FakeJwtCredential credential)
    {
        Assert.IsNotEmpty(credential.Scopes);
        foreach (string[] scopes in credential.Scopes)
        {
            CollectionAssert.AreEqual(new[] { "https://storage.azure.com/.default" }, scopes);
        }

        Assert.AreEqual("https://storage.azure.com/.default", AzureBlobStorage.TokenScope);
    }

    private static async Task AssertCredentialFailureAsync(Func<Task> operation, string? objectName)
    {
        StorageException failure = await Assert.ThrowsAsync<StorageException>(operation);
        Assert.IsInstanceOfType<StorageAccessDeniedException>(failure, $"a credential that cannot get a token: {failure}");
        Assert.AreEqual("tok-broken", failure.StorageName);
        if (objectName is not null)
        {
            Assert.AreEqual(objectName, failure.ObjectName);
        }

        Assert.Contains("managed identity endpoint", failure.Message, "the credential's own message");
        Assert.IsTrue(Chain(failure).Any(e => e is FakeJwtAuthenticationFailedException), $"the credential's exception is kept: {failure}");
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (Exception inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }

    private async Task AssertStatusAsync(string url, HttpStatusCode expected, string what)
    {
        using HttpResponseMessage response = await Anonymous.GetAsync(url, Ct);
        Assert.AreEqual(expected, response.StatusCode, $"{what}: GET {url}: {await response.Content.ReadAsStringAsync(Ct)}");
        if (expected == HttpStatusCode.OK)
        {
            Assert.IsNotEmpty(await response.Content.ReadAsByteArrayAsync(Ct));
        }
    }

    private static string WithParameter(string url, string name, string value)
    {
        var uri = new Uri(url);
        string[] parameters = uri.Query.TrimStart('?').Split('&');
        int index = Array.FindIndex(parameters, p => p.StartsWith(name + "=", StringComparison.Ordinal));
        Assert.IsGreaterThanOrEqualTo(0, index, $"{name} in {url}");
        parameters[index] = name + "=" + Uri.EscapeDataString(value);
        return uri.GetLeftPart(UriPartial.Path) + "?" + string.Join('&', parameters);
    }

    private static DateTimeOffset ParseTime(string? value) =>
        DateTimeOffset.Parse(value ?? throw new AssertFailedException("a time parameter is missing"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (T item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
