using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Wharf.Storage.S3;

namespace Wharf.Benchmarks;

/// <summary>
/// The real S3 server the S3 benchmarks run against (Ceph RGW started by eng/servers/rgw/start.sh), found through
/// the <c>WHARF_S3_*</c> environment variables its <c>env</c> file exports. Without them the benchmarks fail with a
/// message that says how to start the server: they never skip.
/// </summary>
/// <remarks>
/// Each benchmark process works in a bucket of its own (<c>wharf-bench-…</c>), created in its global setup and
/// deleted, with everything in it, in its global cleanup. Saved objects are deleted as the run goes, so the
/// server's memory (memstore) never holds more than a few dozen of them.
/// </remarks>
internal static class S3BenchServer
{
    /// <summary>The endpoint, such as <c>http://127.0.0.1:7480</c>.</summary>
    public static string Endpoint => Require("WHARF_S3_ENDPOINT");

    private static string AccessKey => Require("WHARF_S3_ACCESS_KEY");

    private static string SecretKey => Require("WHARF_S3_SECRET_KEY");

    private static string Region => Environment.GetEnvironmentVariable("WHARF_S3_REGION") is { Length: > 0 } region ? region : "us-east-1";

    /// <summary>A bucket name no other process uses.</summary>
    public static string NewBucketName() => "wharf-bench-" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>Options for a storage in <paramref name="bucket"/>, as the S3 tests build them for the same server.</summary>
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

    /// <summary>
    /// A client configured as <see cref="S3Storage.CreateClient"/> configures one from <see cref="Options"/> (service
    /// URL, authentication region, path style, checksums only when required, the access keys), with
    /// <paramref name="httpClientFactory"/> as its HTTP stack; for the request counts, which need their own handler.
    /// </summary>
    public static AmazonS3Client CreateClient(HttpClientFactory httpClientFactory)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = Endpoint,
            AuthenticationRegion = Region,
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            HttpClientFactory = httpClientFactory,
        };
        return new AmazonS3Client(new BasicAWSCredentials(AccessKey, SecretKey), config);
    }

    /// <summary>Creates <paramref name="bucket"/>.</summary>
    public static void CreateBucket(IAmazonS3 client, string bucket) =>
        client.PutBucketAsync(new PutBucketRequest { BucketName = bucket }).GetAwaiter().GetResult();

    /// <summary>Deletes objects by key, a thousand per request (S3's limit); nothing when the list is empty.</summary>
    public static async Task DeleteObjectsAsync(IAmazonS3 client, string bucket, IReadOnlyList<string> keys)
    {
        for (int start = 0; start < keys.Count; start += 1000)
        {
            var request = new DeleteObjectsRequest { BucketName = bucket, Quiet = true };
            for (int i = start; i < Math.Min(keys.Count, start + 1000); i++)
            {
                request.AddKey(keys[i]);
            }

            DeleteObjectsResponse response = await client.DeleteObjectsAsync(request);
            if (response.DeleteErrors is { Count: > 0 } errors)
            {
                throw new InvalidOperationException($"Could not delete {errors.Count} objects from bucket '{bucket}': {errors[0].Key}: {errors[0].Code} {errors[0].Message}");
            }
        }
    }

    /// <summary>Deletes a bucket and everything in it, incomplete multipart uploads included.</summary>
    public static async Task DeleteBucketAsync(IAmazonS3 client, string bucket)
    {
        ListMultipartUploadsResponse uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket });
        foreach (MultipartUpload upload in uploads.MultipartUploads ?? [])
        {
            await client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = upload.Key, UploadId = upload.UploadId });
        }

        string? token = null;
        do
        {
            ListObjectsV2Response page = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, ContinuationToken = token });
            await DeleteObjectsAsync(client, bucket, (page.S3Objects ?? []).Select(item => item.Key).ToList());
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        await client.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucket });
    }

    private static string Require(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException(
            $"{variable} is not set: the S3 benchmarks need a real S3 server; they never skip. Start one and export its settings: " +
            "bash eng/servers/rgw/install.sh && bash eng/servers/rgw/start.sh && set -a && . artifacts/servers/rgw/env && set +a " +
            "(exports WHARF_S3_ENDPOINT, WHARF_S3_ACCESS_KEY, WHARF_S3_SECRET_KEY and WHARF_S3_REGION).");
}
