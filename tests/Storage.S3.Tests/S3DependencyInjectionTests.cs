using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Wharf.Storage.S3.Tests;

/// <summary><c>AddWharfStorage(configuration).AddS3()</c> with configuration, against the real server.</summary>
[TestClass]
public sealed class S3DependencyInjectionTests : S3TestBase
{
    [TestMethod]
    public async Task A_configured_S3_storage_resolves_and_round_trips()
    {
        string location = $"media-{Guid.NewGuid():N}"[..14];
        var services = new ServiceCollection();
        services.AddWharfStorage(Configuration(MediaSettings(location))).AddS3();
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        IStorage media = provider.GetRequiredKeyedService<IStorage>("media");

        S3Storage s3 = Assert.IsInstanceOfType<S3Storage>(media);
        Assert.AreEqual("media", s3.Name);
        Assert.AreEqual(Bucket, s3.Bucket);
        Assert.AreSame(media, provider.GetRequiredService<IStorageProvider>().GetStorage("media"));
        SaveResult saved = await media.SaveTextAsync("hello.txt", "from configuration", cancellationToken: Ct);
        Assert.AreEqual("hello.txt", saved.Name);
        Assert.AreEqual("from configuration", await media.ReadAllTextAsync("hello.txt", cancellationToken: Ct));
        Assert.AreEqual($"{S3Server.Endpoint.TrimEnd('/')}/{Bucket}/{location}/hello.txt", media.GetPublicUrl("hello.txt").AbsoluteUri);

        // The options reached the client: path style at the configured endpoint, the key under the location.
        using AmazonS3Client direct = S3Server.CreateDirectClient();
        GetObjectMetadataResponse head = await direct.GetObjectMetadataAsync(Bucket, $"{location}/hello.txt", Ct);
        Assert.AreEqual(18, head.ContentLength);
    }

    [TestMethod]
    public async Task A_host_IAmazonS3_in_DI_is_used_instead_of_building_a_client()
    {
        using AmazonS3Client hostClient = S3Server.CreateClient(S3Server.Options(Bucket));
        var services = new ServiceCollection();
        services.AddSingleton<IAmazonS3>(hostClient);
        services.AddWharfStorage(Configuration(MediaSettings("host")
            .Where(setting => !setting.Key.EndsWith(":AccessKey", StringComparison.Ordinal) && !setting.Key.EndsWith(":SecretKey", StringComparison.Ordinal))
            .ToArray())).AddS3();
        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            var media = (S3Storage)provider.GetRequiredKeyedService<IStorage>("media");

            Assert.IsTrue(ReferenceEquals(hostClient, media.Client), "the storage must use the host's IAmazonS3");
            await media.SaveTextAsync("via-host.txt", "host client", cancellationToken: Ct);
            Assert.AreEqual("host client", await media.ReadAllTextAsync("via-host.txt", cancellationToken: Ct));
        }

        // The storage did not own the host's client: disposing the container leaves it usable.
        GetObjectMetadataResponse head = await hostClient.GetObjectMetadataAsync(Bucket, "host/via-host.txt", Ct);
        Assert.AreEqual(11, head.ContentLength);
    }

    [TestMethod]
    public async Task A_keyed_host_IAmazonS3_is_preferred_for_its_storage()
    {
        using AmazonS3Client unkeyed = S3Server.CreateClient(S3Server.Options(Bucket));
        using AmazonS3Client keyed = S3Server.CreateClient(S3Server.Options(Bucket));
        var services = new ServiceCollection();
        services.AddSingleton<IAmazonS3>(unkeyed);
        services.AddKeyedSingleton<IAmazonS3>("media", keyed);
        IConfiguration configuration = Configuration([
            .. MediaSettings("keyed"),
            new("Wharf:Storages:other:Backend", "S3"),
            new("Wharf:Storages:other:Bucket", Bucket),
        ]);
        services.AddWharfStorage(configuration).AddS3();
        await using ServiceProvider provider = services.BuildServiceProvider();

        Assert.IsTrue(ReferenceEquals(keyed, ((S3Storage)provider.GetRequiredKeyedService<IStorage>("media")).Client));
        Assert.IsTrue(ReferenceEquals(unkeyed, ((S3Storage)provider.GetRequiredKeyedService<IStorage>("other")).Client));
    }

    [TestMethod]
    public async Task Start_up_fails_for_a_storage_without_a_bucket()
    {
        using IHost host = BuildHost(MediaSettings("x").Where(setting => !setting.Key.EndsWith(":Bucket", StringComparison.Ordinal)));

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Wharf:Storages:media:Bucket", exception.Message);
    }

    [TestMethod]
    public async Task Start_up_fails_for_a_misspelt_S3_key()
    {
        using IHost host = BuildHost([.. MediaSettings("x"), new("Wharf:Storages:media:ForcePathStlye", "true")]);

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("ForcePathStlye", exception.Message);
    }

    [TestMethod]
    public async Task Start_up_fails_for_a_part_size_below_the_S3_minimum()
    {
        using IHost host = BuildHost([.. MediaSettings("x").Where(s => !s.Key.EndsWith(":Location", StringComparison.Ordinal)), new("Wharf:Storages:media:PartSize", "1024")]);

        OptionsValidationException exception = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Wharf:Storages:media:PartSize", exception.Message);
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

    private KeyValuePair<string, string?>[] MediaSettings(string location) =>
    [
        new("Wharf:Storages:media:Backend", "S3"),
        new("Wharf:Storages:media:Bucket", Bucket),
        new("Wharf:Storages:media:ServiceUrl", S3Server.Endpoint),
        new("Wharf:Storages:media:Region", S3Server.Region),
        new("Wharf:Storages:media:ForcePathStyle", "true"),
        new("Wharf:Storages:media:AccessKey", S3Server.AccessKey),
        new("Wharf:Storages:media:SecretKey", S3Server.SecretKey),
        new("Wharf:Storages:media:ChecksumMode", "WhenRequired"),
        new("Wharf:Storages:media:Location", location),
    ];

    private static IHost BuildHost(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddWharfStorage(builder.Configuration).AddS3();
        return builder.Build();
    }

    private static IConfiguration Configuration(IEnumerable<KeyValuePair<string, string?>> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
