using Amazon.S3;

namespace Wharf.Storage.S3.Tests;

/// <summary>
/// The real S3 server the tests use (Ceph RGW started by eng/servers/rgw/start.sh), found through the
/// <c>WHARF_S3_*</c> environment variables that eng/test.sh exports. Without them every test fails with a message
/// that says how to start the server: S3 tests never skip.
/// </summary>
internal static class S3Server
{
    public static string Endpoint => Require("WHARF_S3_ENDPOINT");

    public static string AccessKey => Require("WHARF_S3_ACCESS_KEY");

    public static string SecretKey => Require("WHARF_S3_SECRET_KEY");

    public static string Region => Environment.GetEnvironmentVariable("WHARF_S3_REGION") ?? "us-east-1";

    /// <summary>Options for a storage in <paramref name="bucket"/> on the test server.</summary>
    public static S3StorageOptions Options(string bucket, string? location = null) => new()
    {
        Bucket = bucket,
        Location = location,
        ServiceUrl = Endpoint,
        ForcePathStyle = true,
        Region = Region,
        AccessKey = AccessKey,
        SecretKey = SecretKey,
        ChecksumMode = S3ChecksumMode.WhenRequired,
    };

    /// <summary>The test server's endpoint as a URI (host and port of the real server).</summary>
    public static Uri EndpointUri => new(Endpoint);

    /// <summary>
    /// A client configured as <see cref="S3Storage.CreateClient(S3StorageOptions)"/> builds it from <paramref name="options"/>
    /// (with its retry policy), after which <paramref name="configure"/> adjusts the config (timeouts, retries, an HTTP
    /// client factory).
    /// </summary>
    public static AmazonS3Client CreateClient(S3StorageOptions options, Action<AmazonS3Config>? configure = null)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            ServiceURL = options.ServiceUrl,
            AuthenticationRegion = options.Region ?? "us-east-1",
            RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
        };
        configure?.Invoke(config);
        return S3Storage.CreateClient(config, new Amazon.Runtime.BasicAWSCredentials(options.AccessKey, options.SecretKey));
    }

    /// <summary>A client with the server's own credentials, independent of any storage under test.</summary>
    public static AmazonS3Client CreateDirectClient() => S3Storage.CreateClient(Options("wharf-direct-client"));

    /// <summary>A fresh bucket on the test server.</summary>
    public static async Task<string> CreateBucketAsync(CancellationToken cancellationToken)
    {
        string bucket = "wharf-" + Guid.NewGuid().ToString("N")[..20];
        using AmazonS3Client client = S3Storage.CreateClient(Options(bucket));
        await client.PutBucketAsync(bucket, cancellationToken);
        return bucket;
    }

    /// <summary>Deletes a bucket and everything in it, including incomplete multipart uploads.</summary>
    public static async Task DeleteBucketAsync(string bucket)
    {
        using AmazonS3Client client = S3Storage.CreateClient(Options(bucket));
        var uploads = await client.ListMultipartUploadsAsync(bucket);
        foreach (var upload in uploads.MultipartUploads ?? [])
        {
            await client.AbortMultipartUploadAsync(bucket, upload.Key, upload.UploadId);
        }

        string? token = null;
        do
        {
            var page = await client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = bucket, ContinuationToken = token });
            foreach (var item in page.S3Objects ?? [])
            {
                await client.DeleteObjectAsync(bucket, item.Key);
            }

            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        await client.DeleteBucketAsync(bucket);
    }

    private static string Require(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException(
            $"{variable} is not set: the S3 tests need the real S3 server. Run them through eng/test.sh, which installs and starts Ceph RGW " +
            "(eng/servers/rgw/install.sh, start.sh) and exports WHARF_S3_ENDPOINT, WHARF_S3_ACCESS_KEY and WHARF_S3_SECRET_KEY.");
}
