using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Wharf.Storage.AzureBlob.Tests;

/// <summary><c>AddWharfStorage(configuration).AddAzureBlob()</c> with configuration, against Azurite.</summary>
[TestClass]
public sealed class AzureDependencyInjectionTests : AzureTestBase
{
    [TestMethod]
    public async Task A_configured_Azure_storage_resolves_as_a_keyed_IStorage_and_round_trips()
    {
        string location = $"media-{Guid.NewGuid():N}"[..14];
        var services = new ServiceCollection();
        services.AddWharfStorage(Configuration(MediaSettings(location))).AddAzureBlob();
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        IStorage media = provider.GetRequiredKeyedService<IStorage>("media");

        AzureBlobStorage azure = Assert.IsInstanceOfType<AzureBlobStorage>(media);
        Assert.AreEqual("media", azure.Name);
        Assert.AreEqual(Container, azure.Container);
        Assert.AreEqual(AzuriteServer.AccountName, azure.AccountName);
        Assert.AreSame(media, provider.GetRequiredService<IStorageProvider>().GetStorage("media"));
        Assert.AreSame(media, provider.GetRequiredKeyedService<IStorage>("media"), "one instance per name");
        SaveResult saved = await media.SaveTextAsync("hello world.txt", "from configuration", cancellationToken: Ct);
        Assert.AreEqual("hello world.txt", saved.Name);
        Assert.AreEqual("from configuration", await media.ReadAllTextAsync("hello world.txt", cancellationToken: Ct));
        Assert.AreEqual($"{AzuriteServer.Endpoint.TrimEnd('/')}/{Container}/{location}/hello%20world.txt", media.GetPublicUrl("hello world.txt").AbsoluteUri);

        // The options reached the storage: the blob is under the location, in the configured container.
        StorageObjectInfo? info = await CreateContainerTopStorage().GetInfoOrNullAsync($"{location}/hello world.txt", Ct);
        Assert.IsNotNull(info);
        Assert.AreEqual(18, info.Length);
        Assert.AreEqual("max-age=600", info.CacheControl, "CacheControl from configuration");
    }

    [TestMethod]
    public async Task A_storage_configured_with_a_connection_string_and_block_settings_works()
    {
        var services = new ServiceCollection();
        services.AddWharfStorage(Configuration(
        [
            new("Wharf:Storages:files:Backend", "AzureBlob"),
            new("Wharf:Storages:files:ConnectionString", $"DefaultEndpointsProtocol=http;AccountName={AzuriteServer.AccountName};AccountKey={AzuriteServer.AccountKey};BlobEndpoint={AzuriteServer.Endpoint};"),
            new("Wharf:Storages:files:Container", Container),
            new("Wharf:Storages:files:Location", "files"),
            new("Wharf:Storages:files:SingleUploadThreshold", "65536"),
            new("Wharf:Storages:files:BlockSize", "65536"),
            new("Wharf:Storages:files:UploadConcurrency", "2"),
            new("Wharf:Storages:files:SignedUrlLifetime", "00:05:00"),
        ])).AddAzureBlob();
        await using ServiceProvider provider = services.BuildServiceProvider();

        var files = (AzureBlobStorage)provider.GetRequiredKeyedService<IStorage>("files");

        Assert.AreEqual(65536, files.Options.BlockSize);
        Assert.AreEqual(2, files.Options.UploadConcurrency);
        SaveResult saved = await files.SaveAsync("big.bin", new Testing.PatternStream(200_000, seed: 3), cancellationToken: Ct);
        Assert.AreEqual(200_000, saved.Length);
        await AssertPatternAsync(files, "big.bin", 200_000, seed: 3);
        Uri url = await files.GetSignedUrlAsync("big.bin", cancellationToken: Ct);
        using HttpResponseMessage response = await Anonymous.GetAsync(url, Ct);
        Assert.AreEqual(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [TestMethod]
    public async Task A_valid_configuration_starts_and_the_storage_works_in_the_host()
    {
        using IHost host = BuildHost(MediaSettings("hosted"));

        await host.StartAsync(Ct);
        IStorage media = host.Services.GetRequiredKeyedService<IStorage>("media");
        await media.SaveTextAsync("started.txt", "ok", cancellationToken: Ct);
        Assert.IsTrue(await media.ExistsAsync("started.txt", Ct));
        await host.StopAsync(Ct);
    }

    [TestMethod]
    public async Task Start_up_fails_for_a_storage_without_a_container()
    {
        using IHost host = BuildHost(MediaSettings("x").Where(setting => !setting.Key.EndsWith(":Container", StringComparison.Ordinal)));

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Wharf:Storages:media:Container: is required", exception.Message);
    }

    [TestMethod]
    public async Task Start_up_fails_for_a_misspelt_key()
    {
        using IHost host = BuildHost([.. MediaSettings("x"), new("Wharf:Storages:media:Containr", "typo")]);

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Containr", exception.Message);
        Assert.Contains("Wharf:Storages:media", exception.Message);
    }

    [TestMethod]
    public async Task Start_up_fails_for_a_bad_account_key_without_repeating_it()
    {
        const string BadKey = "not-base64-but-secret!";
        using IHost host = BuildHost([.. MediaSettings("x").Where(s => !s.Key.EndsWith(":AccountKey", StringComparison.Ordinal)), new("Wharf:Storages:media:AccountKey", BadKey)]);

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Wharf:Storages:media:AccountKey: is not base64", exception.Message);
        Assert.DoesNotContain(BadKey, exception.Message);
    }

    [TestMethod]
    public async Task Start_up_fails_for_a_connection_string_beside_an_account_key()
    {
        using IHost host = BuildHost(
        [
            .. MediaSettings("x").Where(s => !s.Key.EndsWith(":ServiceUri", StringComparison.Ordinal) && !s.Key.EndsWith(":AccountName", StringComparison.Ordinal)),
            new("Wharf:Storages:media:ConnectionString", $"AccountName=acct;AccountKey={AzuriteServer.AccountKey}"),
        ]);

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Wharf:Storages:media:AccountKey: cannot be combined with ConnectionString", exception.Message);
        Assert.DoesNotContain(AzuriteServer.AccountKey, exception.Message);
    }

    [TestMethod]
    public async Task A_wrong_account_key_starts_but_every_operation_is_access_denied()
    {
        using IHost host = BuildHost([.. MediaSettings("x").Where(s => !s.Key.EndsWith(":AccountKey", StringComparison.Ordinal)), new("Wharf:Storages:media:AccountKey", Convert.ToBase64String(new byte[64]))]);

        await host.StartAsync(Ct);
        IStorage media = host.Services.GetRequiredKeyedService<IStorage>("media");

        StorageAccessDeniedException denied = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(async () => await media.SaveTextAsync("a.txt", "x", cancellationToken: Ct));
        Assert.AreEqual("media", denied.StorageName);
        await host.StopAsync(Ct);
    }

    private KeyValuePair<string, string?>[] MediaSettings(string location) =>
    [
        new("Wharf:Storages:media:Backend", "AzureBlob"),
        new("Wharf:Storages:media:ServiceUri", AzuriteServer.Endpoint),
        new("Wharf:Storages:media:AccountName", AzuriteServer.AccountName),
        new("Wharf:Storages:media:AccountKey", AzuriteServer.AccountKey),
        new("Wharf:Storages:media:Container", Container),
        new("Wharf:Storages:media:Location", location),
        new("Wharf:Storages:media:CacheControl", "max-age=600"),
    ];

    private static IHost BuildHost(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddWharfStorage(builder.Configuration).AddAzureBlob();
        return builder.Build();
    }

    private static IConfiguration Configuration(IEnumerable<KeyValuePair<string, string?>> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
