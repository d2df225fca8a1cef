using System.Text;
using Wharf.Storage.Testing;

namespace Wharf.Storage.S3.Tests;

/// <summary>
/// Wrong credentials and a missing bucket against the real server: typed errors that name the storage, the object
/// and the cause, and never an answer (exists, not found) in place of an error.
/// </summary>
/// <remarks>
/// Each wrong-credential or missing-bucket storage has a client with connections of its own: RGW refuses such a PUT
/// before reading its body and leaves that keep-alive connection broken for the next request on it, and by default
/// the SDK shares one connection pool among all clients with equal settings (a separate client is not enough).
/// </remarks>
[TestClass]
public sealed class S3ErrorTests : S3TestBase
{
    private const string StorageName = "badcreds";

    /// <summary>A HEAD's 403 has no body, so no S3 error code: the SDK reports the status, <c>Forbidden</c>.</summary>
    private const string HeadErrorCode = "Forbidden";

    [TestMethod]
    public async Task A_wrong_secret_key_is_access_denied_for_reads_and_exists_never_answers()
    {
        S3Storage good = CreateStorage();
        await good.SaveTextAsync("there.txt", "here", cancellationToken: Ct);
        S3Storage bad = WithCredentials(good, S3Server.AccessKey, "wrong-secret-key-0123456789");

        // GET: RGW's error body carries the code.
        StorageAccessDeniedException open = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await bad.OpenReadAsync("there.txt", cancellationToken: Ct));
        AssertNamed(open, "there.txt", "SignatureDoesNotMatch");
        StorageAccessDeniedException openMissing = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await bad.OpenReadAsync("not-there.txt", cancellationToken: Ct));
        AssertNamed(openMissing, "not-there.txt", "SignatureDoesNotMatch");

        // HEAD: a 403 without a body (no SignatureDoesNotMatch code); still access denied, for an existing and a
        // missing object alike: never "exists", never "not found".
        StorageAccessDeniedException info = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await bad.GetInfoAsync("there.txt", Ct));
        AssertNamed(info, "there.txt", HeadErrorCode);
        StorageAccessDeniedException exists = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await bad.ExistsAsync("there.txt", Ct));
        AssertNamed(exists, "there.txt", HeadErrorCode);
        StorageAccessDeniedException existsMissing = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await bad.ExistsAsync("not-there.txt", Ct));
        AssertNamed(existsMissing, "not-there.txt", HeadErrorCode);
        StorageAccessDeniedException delete = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await bad.DeleteAsync("there.txt", Ct));
        AssertNamed(delete, "there.txt", HeadErrorCode);

        // LIST: a GET with a body.
        StorageAccessDeniedException list = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(async () =>
        {
            await foreach (StorageEntry entry in bad.ListAsync(cancellationToken: Ct))
            {
                Assert.Fail($"listed {entry.Name} with a wrong secret key");
            }
        });
        Assert.AreEqual("SignatureDoesNotMatch", list.ErrorCode);
        Assert.Contains($"Storage '{StorageName}'", list.Message);

        Assert.AreEqual("here", await good.ReadAllTextAsync("there.txt", cancellationToken: Ct), "the object is untouched");
    }

    [TestMethod]
    public async Task A_wrong_secret_key_is_access_denied_for_a_save()
    {
        S3Storage good = CreateStorage();
        S3Storage bad = WithCredentials(good, S3Server.AccessKey, "wrong-secret-key-0123456789");

        StorageAccessDeniedException save = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await bad.SaveBytesAsync("new.txt", Encoding.UTF8.GetBytes("x"), cancellationToken: Ct));

        AssertNamed(save, "new.txt", "SignatureDoesNotMatch");
        Assert.IsFalse(await good.ExistsAsync("new.txt", Ct), "nothing was stored");
    }

    [TestMethod]
    public async Task A_wrong_secret_key_is_access_denied_for_a_multipart_save_and_reads_nothing_of_the_content()
    {
        S3Storage good = CreateStorage();
        S3Storage bad = WithCredentials(good, S3Server.AccessKey, "wrong-secret-key-0123456789", o => Multipart(o));

        StorageAccessDeniedException save = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await bad.SaveAsync("big.bin", new PatternStream(6 * 1024 * 1024, seed: 6), cancellationToken: Ct));

        AssertNamed(save, "big.bin", "SignatureDoesNotMatch");
        Assert.IsFalse(await good.ExistsAsync("big.bin", Ct), "nothing was stored");
    }

    [TestMethod]
    public async Task An_unknown_access_key_is_access_denied_with_InvalidAccessKeyId()
    {
        S3Storage good = CreateStorage();
        await good.SaveTextAsync("there.txt", "here", cancellationToken: Ct);
        S3Storage unknown = WithCredentials(good, "WHARFUNKNOWNKEY00000", "whatever-secret");

        StorageAccessDeniedException open = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await unknown.OpenReadAsync("there.txt", cancellationToken: Ct));
        AssertNamed(open, "there.txt", "InvalidAccessKeyId");

        StorageAccessDeniedException exists = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await unknown.ExistsAsync("there.txt", Ct));
        AssertNamed(exists, "there.txt", HeadErrorCode);

        S3Storage unknownForSave = WithCredentials(good, "WHARFUNKNOWNKEY00000", "whatever-secret");
        StorageAccessDeniedException save = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(
            async () => await unknownForSave.SaveTextAsync("new.txt", "x", cancellationToken: Ct));
        AssertNamed(save, "new.txt", "InvalidAccessKeyId");
    }

    [TestMethod]
    public async Task A_missing_bucket_is_unavailable_with_NoSuchBucket_for_saves_reads_and_lists()
    {
        string bucket = "wharf-missing-" + Guid.NewGuid().ToString("N")[..16];
        S3Storage storage = CreateIsolatedStorage("nobucket", S3Server.Options(bucket, "loc/"));

        StorageUnavailableException save = await Assert.ThrowsExactlyAsync<StorageUnavailableException>(
            async () => await storage.SaveTextAsync("a.txt", "x", cancellationToken: Ct));
        AssertMissingBucket(save, bucket, "a.txt");

        StorageUnavailableException open = await Assert.ThrowsExactlyAsync<StorageUnavailableException>(
            async () => await storage.OpenReadAsync("a.txt", cancellationToken: Ct));
        AssertMissingBucket(open, bucket, "a.txt");

        StorageUnavailableException list = await Assert.ThrowsExactlyAsync<StorageUnavailableException>(async () =>
        {
            await foreach (StorageEntry entry in storage.ListAsync(cancellationToken: Ct))
            {
                Assert.Fail($"listed {entry.Name} in a missing bucket");
            }
        });
        Assert.AreEqual("NoSuchBucket", list.ErrorCode);
        Assert.Contains(bucket, list.Message);

        // A multipart save fails at its first request (the reservation), before any part.
        S3Storage multipartStorage = CreateIsolatedStorage("nobucket", Multipart(S3Server.Options(bucket)));
        StorageUnavailableException multipart = await Assert.ThrowsExactlyAsync<StorageUnavailableException>(
            async () => await multipartStorage.SaveAsync("big.bin", new PatternStream(6 * 1024 * 1024, seed: 6), cancellationToken: Ct));
        AssertMissingBucket(multipart, bucket, "big.bin");
    }

    /// <summary>
    /// HEAD answers a missing bucket with a bare 404 (no body, so the SDK reports <c>NotFound</c>, not
    /// <c>NoSuchBucket</c>): the storage must still not answer "no such object", "false" or "nothing deleted" for a
    /// bucket that is not there.
    /// </summary>
    [TestMethod]
    public async Task A_missing_bucket_is_unavailable_for_info_exists_and_delete()
    {
        string bucket = "wharf-missing-" + Guid.NewGuid().ToString("N")[..16];
        S3Storage storage = CreateIsolatedStorage("nobucket", S3Server.Options(bucket));

        var outcomes = new Dictionary<string, object?>
        {
            ["GetInfoAsync"] = await OutcomeAsync(async () => (object?)await storage.GetInfoAsync("a.txt", Ct)),
            ["ExistsAsync"] = await OutcomeAsync(async () => (object?)await storage.ExistsAsync("a.txt", Ct)),
            ["DeleteAsync"] = await OutcomeAsync(async () => (object?)await storage.DeleteAsync("a.txt", Ct)),
        };

        string report = string.Join("; ", outcomes.Select(o => $"{o.Key} -> {Describe(o.Value)}"));
        foreach ((string operation, object? outcome) in outcomes)
        {
            Assert.IsInstanceOfType<StorageUnavailableException>(outcome, $"{operation} on a missing bucket. All outcomes: {report}");
            AssertMissingBucket((StorageException)outcome, bucket, "a.txt");
        }
    }

    private static async Task<object?> OutcomeAsync(Func<Task<object?>> operation)
    {
        try
        {
            return await operation();
        }
        catch (StorageException exception)
        {
            return exception;
        }
    }

    private static string Describe(object? outcome) => outcome switch
    {
        StorageException e => $"{e.GetType().Name} (ErrorCode {e.ErrorCode ?? "null"})",
        bool b => $"returned {b}",
        null => "returned null",
        _ => $"returned {outcome.GetType().Name}",
    };

    private static S3StorageOptions Multipart(S3StorageOptions options)
    {
        options.MultipartThreshold = 5 * 1024 * 1024;
        options.PartSize = 5 * 1024 * 1024;
        return options;
    }

    /// <summary>A storage on the same bucket and location as <paramref name="good"/>, with its own client and other credentials.</summary>
    private S3Storage WithCredentials(S3Storage good, string accessKey, string secretKey, Action<S3StorageOptions>? configure = null)
    {
        S3StorageOptions options = S3Server.Options(good.Bucket, good.GetKey(string.Empty));
        options.AccessKey = accessKey;
        options.SecretKey = secretKey;
        configure?.Invoke(options);
        return CreateIsolatedStorage(StorageName, options);
    }

    private static void AssertNamed(StorageException exception, string objectName, string errorCode)
    {
        Assert.AreEqual(StorageName, exception.StorageName);
        Assert.AreEqual(objectName, exception.ObjectName);
        Assert.Contains($"Storage '{StorageName}'", exception.Message);
        Assert.Contains($"object '{objectName}'", exception.Message);
        Assert.IsInstanceOfType<Amazon.S3.AmazonS3Exception>(exception.InnerException);
        Assert.AreEqual(403, (int)((Amazon.S3.AmazonS3Exception)exception.InnerException).StatusCode);
        Assert.AreEqual(errorCode, exception.ErrorCode, exception.Message);
        Assert.Contains(errorCode, exception.Message);
        Assert.Contains("denied access", exception.Message);
    }

    private static void AssertMissingBucket(StorageException exception, string bucket, string objectName)
    {
        Assert.AreEqual("nobucket", exception.StorageName);
        Assert.AreEqual(objectName, exception.ObjectName);
        Assert.AreEqual("NoSuchBucket", exception.ErrorCode, exception.Message);
        Assert.Contains(bucket, exception.Message);
        Assert.Contains($"object '{objectName}'", exception.Message);
    }
}
