using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Wharf.Storage.AzureBlob.Tests;

/// <summary>Start-up validation of Azure storages in a real host: every problem named by its key, before any request.</summary>
[TestClass]
public sealed class AzureStartupValidationTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task A_storage_with_no_credential_and_no_TokenCredential_service_fails_at_start_up()
    {
        using IHost host = BuildHost(
        [
            new("Wharf:Storages:documents:Backend", "AzureBlob"),
            new("Wharf:Storages:documents:AccountName", "mysite"),
            new("Wharf:Storages:documents:Container", "documents"),
        ]);

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync(TestContext.CancellationToken));

        Assert.Contains("Wharf:Storages:documents:AccountKey: no credential is configured", exception.Message);
        Assert.Contains("TokenCredential", exception.Message);
    }

    [TestMethod]
    public async Task Every_bad_key_is_reported_at_once_and_no_secret_is_repeated()
    {
        const string secretKey = "c2VjcmV0LWtleS10aGF0LW11c3Qtbm90LWxlYWs=";
        using IHost host = BuildHost(
        [
            new("Wharf:Storages:media:Backend", "AzureBlob"),
            new("Wharf:Storages:media:ConnectionString", $"AccountName=mysite;AccountKey={secretKey};Nonsense"),
            new("Wharf:Storages:media:Container", "Media_Files"),
            new("Wharf:Storages:media:BlockSize", "10"),
            new("Wharf:Storages:media:SignedUrlLifetime", "30.00:00:00"),
        ]);

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync(TestContext.CancellationToken));

        Assert.Contains("Wharf:Storages:media:ConnectionString", exception.Message);
        Assert.Contains("Wharf:Storages:media:Container", exception.Message);
        Assert.Contains("Wharf:Storages:media:BlockSize", exception.Message);
        Assert.Contains("Wharf:Storages:media:SignedUrlLifetime", exception.Message);
        Assert.DoesNotContain(secretKey, exception.Message);
    }

    [TestMethod]
    public async Task A_development_storage_connection_string_starts()
    {
        using IHost host = BuildHost(
        [
            new("Wharf:Storages:dev:Backend", "AzureBlob"),
            new("Wharf:Storages:dev:ConnectionString", "UseDevelopmentStorage=true"),
            new("Wharf:Storages:dev:Container", "media"),
        ]);

        await host.StartAsync(TestContext.CancellationToken);
        var storage = (AzureBlobStorage)host.Services.GetRequiredKeyedService<IStorage>("dev");
        Assert.AreEqual(new Uri("http://127.0.0.1:10000/devstoreaccount1"), storage.ServiceUri);
        Assert.AreEqual("devstoreaccount1", storage.AccountName);
        Assert.AreEqual("http://127.0.0.1:10000/devstoreaccount1/media/a%20b/c.txt", storage.GetPublicUrl("a b/c.txt").AbsoluteUri);
        await host.StopAsync(TestContext.CancellationToken);
    }

    [TestMethod]
    public async Task A_storage_bound_from_a_custom_section_is_named_by_its_own_keys_when_it_has_no_credential()
    {
        using IHost host = BuildHostFromSection(
            "App:Blobs",
            [
                new("App:Blobs:documents:Backend", "AzureBlob"),
                new("App:Blobs:documents:AccountName", "mysite"),
                new("App:Blobs:documents:Container", "documents"),
            ],
            credential: null);

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync(TestContext.CancellationToken));

        Assert.Contains("App:Blobs:documents:AccountKey: no credential is configured", exception.Message);
        Assert.DoesNotContain("Wharf:Storages", exception.Message);
    }

    [TestMethod]
    public async Task A_storage_bound_from_a_custom_section_is_named_by_its_own_keys_when_a_token_would_go_over_http()
    {
        var credential = new Support.FakeJwtCredential();
        using IHost host = BuildHostFromSection(
            "App:Blobs",
            [
                new("App:Blobs:media:Backend", "AzureBlob"),
                new("App:Blobs:media:ServiceUri", "http://127.0.0.1:10000/devstoreaccount1"),
                new("App:Blobs:media:Container", "media"),
            ],
            credential);

        OptionsValidationException resolve = Assert.ThrowsExactly<OptionsValidationException>(() => host.Services.GetRequiredKeyedService<IStorage>("media"));
        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync(TestContext.CancellationToken));

        foreach (OptionsValidationException failure in new[] { resolve, exception })
        {
            Assert.Contains("App:Blobs:media:ServiceUri: 'http://127.0.0.1:10000/devstoreaccount1' is not https", failure.Message);
            Assert.DoesNotContain("Wharf:Storages", failure.Message);
        }

        Assert.AreEqual(0, credential.Calls);
    }

    private static IHost BuildHostFromSection(string sectionPath, IEnumerable<KeyValuePair<string, string?>> settings, Azure.Core.TokenCredential? credential)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        if (credential is not null)
        {
            builder.Services.AddSingleton(credential);
        }

        builder.Services.AddWharfStorage().AddAzureBlob().BindConfiguration(builder.Configuration.GetSection(sectionPath));
        return builder.Build();
    }

    private static IHost BuildHost(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddWharfStorage(builder.Configuration).AddAzureBlob();
        return builder.Build();
    }
}
