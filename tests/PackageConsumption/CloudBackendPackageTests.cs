using Amazon.S3;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Storage;
using Wharf.Storage.AzureBlob;
using Wharf.Storage.S3;

namespace Wharf.PackageConsumption.Tests;

/// <summary>
/// The packed S3 and Azure Blob backends, configured as an app would configure them and run against the real servers
/// eng/test.sh starts (Ceph RGW, Azurite; found through the WHARF_S3_* and WHARF_AZURE_* variables). Their
/// dependencies (AWSSDK.S3, Azure.Core) come from the packages' own dependency lists.
/// </summary>
[TestClass]
public sealed class CloudBackendPackageTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task The_packed_Azure_backend_creates_its_container_and_round_trips_through_configuration()
    {
        string container = "wharf-pkg-" + Guid.NewGuid().ToString("N")[..16];
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Wharf:Storages:default:Backend"] = "AzureBlob",
                ["Wharf:Storages:default:ServiceUri"] = Require("WHARF_AZURE_ENDPOINT"),
                ["Wharf:Storages:default:AccountName"] = Environment.GetEnvironmentVariable("WHARF_AZURE_ACCOUNT") ?? "devstoreaccount1",
                ["Wharf:Storages:default:AccountKey"] = Require("WHARF_AZURE_KEY"),
                ["Wharf:Storages:default:Container"] = container,
                ["Wharf:Storages:default:CreateContainer"] = "true",
                ["Wharf:Storages:default:Location"] = "media",
            })
            .Build();
        var services = new ServiceCollection();
        services.AddWharfStorage(configuration).AddAzureBlob();
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        IStorage storage = provider.GetRequiredService<IStorage>();
        Assert.IsInstanceOfType<AzureBlobStorage>(storage);

        await RoundTripAsync(storage);
        Assert.AreEqual(AzureBlobPublicAccess.None, await ((AzureBlobStorage)storage).GetContainerAccessAsync(TestContext.CancellationToken), "CreateContainer makes a private container by default.");
    }

    [TestMethod]
    public async Task The_packed_S3_backend_round_trips_through_configuration()
    {
        string bucket = "wharf-pkg-" + Guid.NewGuid().ToString("N")[..16];
        var options = new S3StorageOptions
        {
            Bucket = bucket,
            ServiceUrl = Require("WHARF_S3_ENDPOINT"),
            ForcePathStyle = true,
            Region = Environment.GetEnvironmentVariable("WHARF_S3_REGION") ?? "us-east-1",
            AccessKey = Require("WHARF_S3_ACCESS_KEY"),
            SecretKey = Require("WHARF_S3_SECRET_KEY"),
            ChecksumMode = S3ChecksumMode.WhenRequired,
        };
        using (AmazonS3Client admin = S3Storage.CreateClient(options))
        {
            await admin.PutBucketAsync(bucket, TestContext.CancellationToken);
        }

        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Wharf:Storages:default:Backend"] = "S3",
                ["Wharf:Storages:default:Bucket"] = bucket,
                ["Wharf:Storages:default:ServiceUrl"] = options.ServiceUrl,
                ["Wharf:Storages:default:ForcePathStyle"] = "true",
                ["Wharf:Storages:default:Region"] = options.Region,
                ["Wharf:Storages:default:AccessKey"] = options.AccessKey,
                ["Wharf:Storages:default:SecretKey"] = options.SecretKey,
                ["Wharf:Storages:default:ChecksumMode"] = "WhenRequired",
                ["Wharf:Storages:default:Location"] = "media",
            })
            .Build();
        var services = new ServiceCollection();
        services.AddWharfStorage(configuration).AddS3();
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        IStorage storage = provider.GetRequiredService<IStorage>();
        Assert.IsInstanceOfType<S3Storage>(storage);

        await RoundTripAsync(storage);
        using AmazonS3Client cleanup = S3Storage.CreateClient(options);
        await cleanup.DeleteBucketAsync(bucket, TestContext.CancellationToken);
    }

    /// <summary>Two saves of one name give two objects; both read back; both are deleted.</summary>
    private async Task RoundTripAsync(IStorage storage)
    {
        CancellationToken ct = TestContext.CancellationToken;
        SaveResult first = await storage.SaveTextAsync("docs/report.txt", "first", cancellationToken: ct);
        SaveResult second = await storage.SaveTextAsync("docs/report.txt", "second", cancellationToken: ct);
        Assert.AreEqual("docs/report.txt", first.Name);
        Assert.AreNotEqual(first.Name, second.Name, "A taken name gets an alternative, never an overwrite.");
        Assert.AreEqual("first", await storage.ReadAllTextAsync(first.Name, cancellationToken: ct));
        Assert.AreEqual("second", await storage.ReadAllTextAsync(second.Name, cancellationToken: ct));
        var listed = new List<string>();
        await foreach (StorageEntry entry in storage.ListAsync("docs/", cancellationToken: ct))
        {
            listed.Add(entry.Name);
        }

        CollectionAssert.AreEquivalent(new[] { first.Name, second.Name }, listed);
        Assert.IsTrue(await storage.DeleteAsync(first.Name, ct));
        Assert.IsTrue(await storage.DeleteAsync(second.Name, ct));
        Assert.IsFalse(await storage.ExistsAsync(first.Name, ct));
    }

    private static string Require(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: run the package tests through eng/test.sh, which starts the servers.");
}
