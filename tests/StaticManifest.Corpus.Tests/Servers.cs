using Amazon.S3;
using Azure.Core;
using Wharf.Storage.AzureBlob;
using Wharf.Storage.S3;

namespace Wharf.StaticManifest.Corpus.Tests;

/// <summary>
/// The real S3 server (Ceph RGW) and Azure Blob service (Azurite) that eng/test.sh starts, found through the
/// <c>WHARF_S3_*</c> and <c>WHARF_AZURE_*</c> variables it exports. Without them the tests fail with a message that
/// says how to start the servers: they never skip.
/// </summary>
internal static class Servers
{
    public static S3StorageOptions S3Options(string bucket) => new()
    {
        Bucket = bucket,
        ServiceUrl = Require("WHARF_S3_ENDPOINT", S3Help),
        ForcePathStyle = true,
        Region = Environment.GetEnvironmentVariable("WHARF_S3_REGION") ?? "us-east-1",
        AccessKey = Require("WHARF_S3_ACCESS_KEY", S3Help),
        SecretKey = Require("WHARF_S3_SECRET_KEY", S3Help),
        ChecksumMode = S3ChecksumMode.WhenRequired,
    };

    public static AzureBlobStorageOptions AzureOptions(string container) => new()
    {
        Container = container,
        ServiceUri = Require("WHARF_AZURE_ENDPOINT", AzureHelp),
        AccountName = Environment.GetEnvironmentVariable("WHARF_AZURE_ACCOUNT") ?? "devstoreaccount1",
        AccountKey = Require("WHARF_AZURE_KEY", AzureHelp),
    };

    /// <summary>A fresh bucket on the S3 server.</summary>
    public static async Task<string> CreateBucketAsync(CancellationToken cancellationToken)
    {
        string bucket = "wharf-corpus-" + Guid.NewGuid().ToString("N")[..16];
        using AmazonS3Client client = S3Storage.CreateClient(S3Options(bucket));
        await client.PutBucketAsync(bucket, cancellationToken);
        return bucket;
    }

    /// <summary>Deletes a bucket and everything in it.</summary>
    public static async Task DeleteBucketAsync(string bucket)
    {
        using AmazonS3Client client = S3Storage.CreateClient(S3Options(bucket));
        string? token = null;
        do
        {
            var page = await client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = bucket, ContinuationToken = token });
            var keys = (page.S3Objects ?? []).Select(o => new Amazon.S3.Model.KeyVersion { Key = o.Key }).ToList();
            if (keys.Count > 0)
            {
                await client.DeleteObjectsAsync(new Amazon.S3.Model.DeleteObjectsRequest { BucketName = bucket, Objects = keys });
            }

            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        await client.DeleteBucketAsync(bucket);
    }

    /// <summary>A fresh container on Azurite.</summary>
    public static async Task<string> CreateContainerAsync(CancellationToken cancellationToken)
    {
        string container = "wharf-corpus-" + Guid.NewGuid().ToString("N")[..16];
        await using var storage = new AzureBlobStorage("azurite-admin", AzureOptions(container));
        await storage.CreateContainerAsync(cancellationToken: cancellationToken);
        return container;
    }

    /// <summary>Deletes a container and everything in it (Delete Container through the storage's own pipeline).</summary>
    public static async Task DeleteContainerAsync(string container)
    {
        await using var storage = new AzureBlobStorage("azurite-admin", AzureOptions(container));
        using HttpMessage message = storage.Pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Delete;
        message.Request.Uri.Reset(new Uri(storage.ServiceUri.AbsoluteUri.TrimEnd('/') + "/" + container + "?restype=container"));
        message.Request.Headers.SetValue("x-ms-version", "2025-01-05");
        await storage.Pipeline.SendAsync(message, CancellationToken.None);
        if (message.Response.Status != 202)
        {
            throw new InvalidOperationException($"Delete Container {container} answered {message.Response.Status}.");
        }
    }

    private const string S3Help =
        "the corpus tests collect to the real S3 server. Run them through eng/test.sh, which installs and starts Ceph RGW, or start it by hand " +
        "(bash eng/servers/rgw/install.sh && bash eng/servers/rgw/start.sh && source artifacts/servers/rgw/env), which exports " +
        "WHARF_S3_ENDPOINT, WHARF_S3_ACCESS_KEY and WHARF_S3_SECRET_KEY.";

    private const string AzureHelp =
        "the corpus tests collect to Azurite. Run them through eng/test.sh, which installs and starts it, or start it by hand " +
        "(bash eng/servers/azurite/install.sh && bash eng/servers/azurite/start.sh && source artifacts/servers/azurite/env), which exports " +
        "WHARF_AZURE_ENDPOINT and WHARF_AZURE_KEY.";

    private static string Require(string variable, string help) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: {help}");
}
