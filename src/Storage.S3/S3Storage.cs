using System.Net;
using System.Runtime.CompilerServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Wharf.Storage.Backends;
using Wharf.Storage.S3.Internal;

namespace Wharf.Storage.S3;

/// <summary>
/// A storage in an S3 bucket (Amazon S3, or an S3-compatible service such as Ceph RGW, MinIO or R2).
/// </summary>
/// <remarks>
/// <para>
/// A save of a free name is one request: a PUT with <c>If-None-Match: *</c>, so the server claims the name
/// atomically (412 → the next candidate; 409, a concurrent write in flight → back off and retry). Never HEAD-then-PUT.
/// Content of unknown length is buffered up to <see cref="S3StorageOptions.MultipartThreshold"/> so that a collision
/// can be retried; larger content goes up in parts with bounded memory and a conditional completion.
/// </para>
/// <para>
/// A 403 is always an access-denied error, never "exists" and never "not found".
/// </para>
/// </remarks>
public sealed partial class S3Storage : StorageBase
{
    /// <summary>The backend's name in configuration (<c>Backend: S3</c>).</summary>
    public const string BackendId = "S3";

    internal const int ConflictRetries = 5;
    /// <summary>
    /// The ETag of an empty object, for <c>If-Match</c> on a reservation. Unquoted: Ceph RGW compares <c>If-Match</c>
    /// on PUT against the bare value (a quoted one never matches), and Amazon S3 accepts either form.
    /// </summary>
    internal const string EmptyETag = "d41d8cd98f00b204e9800998ecf8427e";
    private const string ReservationMetadataKey = "wharf-reservation";
    private readonly bool _ownsClient;
    private readonly string _prefix;
    private readonly StorageCapabilities _capabilities;
    private readonly StorageCapabilities _capabilitiesWithoutAcls;
    private volatile bool _aclsDisabled;

    /// <summary>Creates the storage.</summary>
    /// <param name="name">The storage's name.</param>
    /// <param name="options">The options; <see cref="S3StorageOptions.Bucket"/> is required.</param>
    /// <param name="client">
    /// A client to use (the host's, from DI); when null one is built from the options (<see cref="CreateClient(S3StorageOptions)"/>)
    /// and owned. A host's client keeps its own retry policy: build it with <see cref="CreateClient(AmazonS3Config, AWSCredentials?)"/>
    /// for the one Wharf's clients have.
    /// </param>
    /// <param name="logger">The logger, if any.</param>
    public S3Storage(string name, S3StorageOptions options, IAmazonS3? client = null, ILogger<S3Storage>? logger = null)
        : base(name, options, logger)
    {
        // Only a storage made directly can fail here: the storage builder validates a storage's options first, under
        // its real configuration path. So the keys are named under the default section.
        var errors = new StorageOptionsErrors($"Wharf:Storages:{name}");
        options.Validate(errors);
        if (errors.Errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors.Errors), nameof(options));
        }

        Options = options;
        Bucket = options.Bucket!;
        _prefix = options.KeyPrefix;
        _ownsClient = client is null;
        Client = client ?? CreateClient(options);
        _capabilities = new StorageCapabilities
        {
            PublicUrls = true,
            SignedUrls = true,
            Visibility = options.DefaultAcl != S3Acl.None,
            StoresContentType = true,
            StoresCacheControl = true,
            CustomMetadata = true,
            MaxNameBytes = 1024 - System.Text.Encoding.UTF8.GetByteCount(_prefix),
            MaxSegmentBytes = 1024,
        };
        _capabilitiesWithoutAcls = _capabilities with { Visibility = false };
        PartBuffers = System.Buffers.ArrayPool<byte>.Create(options.PartSize, options.MultipartConcurrency + 1);
    }

    /// <inheritdoc/>
    public override string BackendName => BackendId;

    /// <inheritdoc/>
    public override StorageCapabilities Capabilities => _aclsDisabled ? _capabilitiesWithoutAcls : _capabilities;

    /// <summary>The client the storage uses.</summary>
    public IAmazonS3 Client { get; }

    /// <summary>The bucket.</summary>
    public string Bucket { get; }

    internal new S3StorageOptions Options { get; }

    /// <summary>Builds a client from options: region or service URL, path style, checksum mode, keys or the default chain.</summary>
    /// <remarks>The client retries a 400 without an error code, as <see cref="CreateClient(AmazonS3Config, AWSCredentials?)"/> describes.</remarks>
    public static AmazonS3Client CreateClient(S3StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config { ForcePathStyle = options.ForcePathStyle };
        if (options.ServiceUrl is not null)
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region ?? "us-east-1";
        }
        else if (options.Region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        if (options.ChecksumMode == S3ChecksumMode.WhenRequired)
        {
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }

        return CreateClient(config, options.AccessKey is not null ? new BasicAWSCredentials(options.AccessKey, options.SecretKey) : null);
    }

    /// <summary>
    /// Builds a client from a config of the host's own, with the retry policy Wharf's own clients have: the SDK's
    /// (its retry mode, <see cref="ClientConfig.MaxErrorRetry"/>, back-off and retry budget), which also retries a
    /// 400 that carries no error code. Ceph RGW under load answers so, now and then, a request it failed to read;
    /// every 400 that S3 means names its cause (<c>InvalidArgument</c>…) and is never retried. Register the result
    /// as the <see cref="IAmazonS3"/> service for a storage to get that with a host-made client; a client made
    /// otherwise keeps the SDK's policy unchanged.
    /// </summary>
    /// <param name="config">The client's config.</param>
    /// <param name="credentials">The credentials; the SDK's default chain when null.</param>
    public static AmazonS3Client CreateClient(AmazonS3Config config, AWSCredentials? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        return credentials is not null
            ? new BodilessBadRequestRetryingS3Client(credentials, config)
            : new BodilessBadRequestRetryingS3Client(config);
    }

    /// <summary>
    /// Reserves an available name (a zero-byte conditional create) and returns a presigned PUT URL for it, for a
    /// direct upload from a browser. The URL only replaces the reservation: it is signed with
    /// <c>If-Match</c> of the empty object, which the uploader must send, so it cannot overwrite a finished upload.
    /// </summary>
    /// <param name="name">The wanted name; the reserved one may be an alternative.</param>
    /// <param name="contentType">The content type the upload must declare (signed).</param>
    /// <param name="expiresIn">How long the URL is valid; the storage's default lifetime when null.</param>
    /// <param name="cancellationToken">Cancels the reservation.</param>
    /// <returns>The reserved name, the URL, and the headers the upload must send.</returns>
    public async Task<S3UploadReservation> ReserveUploadAsync(string name, string? contentType = null, TimeSpan? expiresIn = null, CancellationToken cancellationToken = default)
    {
        string type = contentType ?? ContentTypes.FromName(name);
        SaveResult reserved = await this.SaveBytesAsync(name, ReadOnlyMemory<byte>.Empty, new SaveOptions { ContentType = type }, cancellationToken).ConfigureAwait(false);
        var request = new GetPreSignedUrlRequest
        {
            BucketName = Bucket,
            Key = GetKey(reserved.Name),
            Verb = HttpVerb.PUT,
            Expires = DateTime.UtcNow + (expiresIn ?? Options.SignedUrlLifetime),
            ContentType = type,
            Protocol = UrlScheme == "http" ? Protocol.HTTP : Protocol.HTTPS,
        };
        request.Headers["If-Match"] = EmptyETag;
        string url = await Client.GetPreSignedURLAsync(request).ConfigureAwait(false);
        return new S3UploadReservation(reserved.Name, new Uri(url), new Dictionary<string, string> { ["Content-Type"] = type, ["If-Match"] = EmptyETag });
    }

    /// <inheritdoc/>
    protected override async ValueTask<IStagedObject> StageAsync(Stream content, StagingRequest request, CancellationToken cancellationToken)
    {
        long threshold = Options.MultipartThreshold;
        if (content.CanSeek)
        {
            long start = content.Position;
            long length = content.Length - start;
            if (length <= threshold)
            {
                return new StagedPut(this, request, () => new StreamSlice(content, start, length), length, owned: null);
            }

            return new StagedMultipart(this, request, content, head: null);
        }

        // Unknown length: hold up to the threshold, so a small upload is one replayable PUT.
        PooledContent head = await PooledContent.ReadAsync(content, threshold + 1, cancellationToken).ConfigureAwait(false);
        if (head.Length <= threshold)
        {
            return new StagedPut(this, request, head.OpenRead, head.Length, head);
        }

        return new StagedMultipart(this, request, content, head);
    }

    /// <inheritdoc/>
    protected override async ValueTask<Stream?> OpenReadCoreAsync(string name, ByteRange? range, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest { BucketName = Bucket, Key = GetKey(name) };
        if (range is { } r)
        {
            request.ByteRange = r.Length is { } length
                ? (length == 0 ? null : new Amazon.S3.Model.ByteRange(r.Offset, r.Offset + length - 1))
                : new Amazon.S3.Model.ByteRange($"bytes={r.Offset}-");
            if (request.ByteRange is null)
            {
                return await KeyExistsAsync(name, cancellationToken).ConfigureAwait(false) ? new MemoryStream([], writable: false) : null;
            }
        }

        try
        {
            GetObjectResponse response = await Client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            return new ResponseStream(response);
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound && exception.ErrorCode != "NoSuchBucket")
        {
            return null;
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The range starts at or past the end (or the object is empty): the contract clips it to nothing.
            return new MemoryStream([], writable: false);
        }
    }

    /// <inheritdoc/>
    protected override async ValueTask<StorageObjectInfo?> GetInfoCoreAsync(string name, CancellationToken cancellationToken)
    {
        GetObjectMetadataResponse? response = await HeadAsync(name, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return null;
        }

        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string key in response.Metadata.Keys)
        {
            string shortKey = key.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase) ? key["x-amz-meta-".Length..] : key;
            metadata[FromHeaderKey(shortKey)] = response.Metadata[key];
        }

        return new StorageObjectInfo
        {
            Name = name,
            Length = response.ContentLength,
            ContentType = string.IsNullOrEmpty(response.Headers.ContentType) ? ContentTypes.FromName(name) : response.Headers.ContentType,
            LastModified = response.LastModified is { } modified ? new DateTimeOffset(DateTime.SpecifyKind(modified.ToUniversalTime(), DateTimeKind.Utc)) : DateTimeOffset.UnixEpoch,
            ETag = response.ETag,
            CacheControl = response.Headers.CacheControl,
            Metadata = metadata,
        };
    }

    /// <inheritdoc/>
    protected override async ValueTask<bool> ExistsCoreAsync(string name, CancellationToken cancellationToken) =>
        await KeyExistsAsync(name, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    protected override async ValueTask<bool> DeleteCoreAsync(string name, CancellationToken cancellationToken)
    {
        // S3 answers 204 whether or not the key existed; a HEAD tells the caller which it was.
        if (!await KeyExistsAsync(name, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await Client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = GetKey(name) }, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc/>
    protected override async IAsyncEnumerable<StorageEntry> ListCoreAsync(string prefix, ListOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request
        {
            BucketName = Bucket,
            Prefix = _prefix + prefix,
            Delimiter = options.Recursive ? null : "/",
            MaxKeys = options.PageSizeHint,
        };
        do
        {
            ListObjectsV2Response page = await Client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            List<S3Object> objects = page.S3Objects ?? [];
            List<string> folders = page.CommonPrefixes ?? [];

            // Each list is sorted; merge them so the page is in one ordinal order.
            int o = 0, f = 0;
            while (o < objects.Count || f < folders.Count)
            {
                bool takeFolder = o >= objects.Count || (f < folders.Count && string.CompareOrdinal(folders[f], objects[o].Key) < 0);
                if (takeFolder)
                {
                    yield return new StorageEntry { Name = folders[f++][_prefix.Length..], IsDirectory = true };
                }
                else
                {
                    S3Object item = objects[o++];
                    yield return new StorageEntry
                    {
                        Name = item.Key[_prefix.Length..],
                        Length = item.Size,
                        LastModified = item.LastModified is { } modified ? new DateTimeOffset(DateTime.SpecifyKind(modified.ToUniversalTime(), DateTimeKind.Utc)) : null,
                        ETag = item.ETag,
                    };
                }
            }

            request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (request.ContinuationToken is not null);
    }

    /// <inheritdoc/>
    protected override Uri? GetPublicUrlCore(string name)
    {
        if (Options.CustomDomain is { } domain)
        {
            return StorageUrls.Combine($"{Options.UrlProtocol}://{domain.TrimEnd('/')}/", GetKey(name));
        }

        if (Options.PublicBaseUrl is not null)
        {
            return base.GetPublicUrlCore(name);
        }

        if (Options.ServiceUrl is { } serviceUrl)
        {
            string root = serviceUrl.TrimEnd('/');
            return Options.ForcePathStyle
                ? StorageUrls.Combine($"{root}/{Bucket}/", GetKey(name))
                : StorageUrls.Combine(new UriBuilder(root) { Host = $"{Bucket}.{new Uri(root).Host}" }.Uri.ToString(), GetKey(name));
        }

        string region = Options.Region ?? Client.Config.RegionEndpoint?.SystemName ?? "us-east-1";
        return StorageUrls.Combine($"https://{Bucket}.s3.{region}.amazonaws.com/", GetKey(name));
    }

    /// <inheritdoc/>
    protected override async ValueTask<Uri> GetSignedUrlCoreAsync(string name, SignedUrlOptions options, CancellationToken cancellationToken)
    {
        var request = new GetPreSignedUrlRequest
        {
            BucketName = Bucket,
            Key = GetKey(name),
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow + (options.ExpiresIn ?? Options.SignedUrlLifetime),
            Protocol = UrlScheme == "http" ? Protocol.HTTP : Protocol.HTTPS,
        };
        if (options.ResponseContentDisposition is { } disposition)
        {
            request.ResponseHeaderOverrides.ContentDisposition = disposition;
        }

        if (options.ResponseContentType is { } type)
        {
            request.ResponseHeaderOverrides.ContentType = type;
        }

        return new Uri(await Client.GetPreSignedURLAsync(request).ConfigureAwait(false));
    }

    /// <inheritdoc/>
    protected override async ValueTask SetVisibilityCoreAsync(string name, ObjectVisibility visibility, CancellationToken cancellationToken)
    {
        try
        {
            await Client.PutObjectAclAsync(new PutObjectAclRequest
            {
                BucketName = Bucket,
                Key = GetKey(name),
                ACL = visibility == ObjectVisibility.Public ? S3CannedACL.PublicRead : S3CannedACL.Private,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception exception) when (exception.ErrorCode == "AccessControlListNotSupported")
        {
            _aclsDisabled = true;
            throw AclsDisabled(name, exception);
        }
    }

    /// <inheritdoc/>
    protected override StorageException TranslateException(Exception exception, string? objectName)
    {
        if (exception is AmazonS3Exception s3)
        {
            string cause = string.IsNullOrEmpty(s3.Message) ? s3.ErrorCode ?? s3.StatusCode.ToString() : s3.Message;
            return s3.StatusCode switch
            {
                HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized => new StorageAccessDeniedException(Name, objectName,
                    $"S3 denied access to bucket '{Bucket}' ({cause}); check the credentials and the bucket policy.", s3.ErrorCode, s3),
                HttpStatusCode.NotFound when s3.ErrorCode == "NoSuchBucket" => new StorageUnavailableException(Name, objectName,
                    $"the bucket '{Bucket}' does not exist.", s3.ErrorCode, s3),
                HttpStatusCode.NotFound => new ObjectNotFoundException(Name, objectName ?? string.Empty, s3.ErrorCode, s3),
                HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed => new StorageConflictException(Name, objectName, $"S3 reported a conflict: {cause}", s3.ErrorCode, s3),
                _ when s3.ErrorCode == "AccessControlListNotSupported" => AclsDisabled(objectName, s3),
                _ when (int)s3.StatusCode >= 500 => new StorageUnavailableException(Name, objectName, $"S3 failed: {cause}", s3.ErrorCode, s3),
                _ => new StorageException(Name, objectName, $"S3 refused the request: {cause}", s3.ErrorCode, s3),
            };
        }

        if (exception is HttpRequestException or IOException or TimeoutException or AmazonClientException)
        {
            return new StorageUnavailableException(Name, objectName, $"S3 could not be reached: {exception.Message}", innerException: exception);
        }

        return base.TranslateException(exception, objectName);
    }

    /// <inheritdoc/>
    protected override ValueTask DisposeAsyncCore()
    {
        if (_ownsClient)
        {
            Client.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    internal string GetKey(string name) => _prefix + name;

    /// <summary>
    /// Metadata keys travel as <c>x-amz-meta-*</c> header names, where underscores are dropped or rewritten by
    /// servers and proxies (Ceph RGW among them). Contract keys never hold <c>-</c>, so <c>_</c> ↔ <c>-</c> is lossless.
    /// </summary>
    private static string ToHeaderKey(string key) => key.Replace('_', '-');

    private static string FromHeaderKey(string key) => key.ToLowerInvariant().Replace('-', '_');

    /// <summary>Part buffers, reused across parts and saves: (concurrency + 1) × part size at most.</summary>
    internal System.Buffers.ArrayPool<byte> PartBuffers { get; }

    private string UrlScheme => Options.ServiceUrl is { } url && url.StartsWith("http:", StringComparison.OrdinalIgnoreCase) ? "http" : "https";

    internal static bool IsConcurrentConflict(AmazonS3Exception exception) =>
        exception.StatusCode == HttpStatusCode.Conflict && exception.ErrorCode is "ConditionalRequestConflict" or "OperationAborted";

    internal static TimeSpan ConflictDelay(int attempt) =>
        TimeSpan.FromMilliseconds((25 << attempt) + Random.Shared.Next(25));

    internal async Task<bool> KeyExistsAsync(string name, CancellationToken cancellationToken) =>
        await HeadAsync(name, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>HEAD: null for 404; a 403 is thrown as access denied (never read as "exists").</summary>
    private async Task<GetObjectMetadataResponse?> HeadAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            GetObjectMetadataResponse response = await Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = GetKey(name) }, cancellationToken).ConfigureAwait(false);
            _bucketKnown = true;
            return response;
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound && exception.ErrorCode != "NoSuchBucket")
        {
            // A HEAD's 404 has no body, so a missing bucket looks like a missing object: ask the bucket once.
            await EnsureBucketExistsAsync(exception, cancellationToken).ConfigureAwait(false);
            return null;
        }
    }

    private volatile bool _bucketKnown;

    private async Task EnsureBucketExistsAsync(AmazonS3Exception notFound, CancellationToken cancellationToken)
    {
        if (_bucketKnown)
        {
            return;
        }

        try
        {
            await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, MaxKeys = 1, Prefix = _prefix }, cancellationToken).ConfigureAwait(false);
            _bucketKnown = true;
        }
        catch (AmazonS3Exception exception) when (exception.ErrorCode == "NoSuchBucket")
        {
            throw new AmazonS3Exception(exception.Message, notFound) { ErrorCode = "NoSuchBucket", StatusCode = HttpStatusCode.NotFound };
        }
    }

    internal PutObjectRequest CreatePutRequest(string name, StagingRequest request, Stream body, long length, bool overwrite)
    {
        S3ObjectParameters parameters = CreateParameters(name, request);
        var put = new PutObjectRequest
        {
            BucketName = Bucket,
            Key = parameters.Key,
            InputStream = body,
            AutoCloseStream = false,
            AutoResetStreamPosition = false,
            ContentType = parameters.ContentType,
            IfNoneMatch = overwrite ? null : "*",
        };
        put.Headers.ContentLength = length;
        Apply(parameters, request, put.Headers, put.Metadata, acl => put.CannedACL = acl, sse => put.ServerSideEncryptionMethod = sse, kms => put.ServerSideEncryptionKeyManagementServiceKeyId = kms, storageClass => put.StorageClass = storageClass);
        return put;
    }

    internal InitiateMultipartUploadRequest CreateInitiateRequest(string name, StagingRequest request)
    {
        S3ObjectParameters parameters = CreateParameters(name, request);
        var initiate = new InitiateMultipartUploadRequest { BucketName = Bucket, Key = parameters.Key, ContentType = parameters.ContentType };
        Apply(parameters, request, initiate.Headers, initiate.Metadata, acl => initiate.CannedACL = acl, sse => initiate.ServerSideEncryptionMethod = sse, kms => initiate.ServerSideEncryptionKeyManagementServiceKeyId = kms, storageClass => initiate.StorageClass = storageClass);
        return initiate;
    }

    private S3ObjectParameters CreateParameters(string name, StagingRequest request)
    {
        var parameters = new S3ObjectParameters
        {
            Key = GetKey(name),
            Name = name,
            ContentType = request.ContentType,
            CacheControl = request.CacheControl ?? Options.CacheControl,
            Acl = Options.DefaultAcl,
            ServerSideEncryption = Options.ServerSideEncryption,
            KmsKeyId = Options.KmsKeyId,
            StorageClass = Options.StorageClass,
        };
        Options.ConfigureObject?.Invoke(parameters);
        return parameters;
    }

    private void Apply(S3ObjectParameters parameters, StagingRequest request, HeadersCollection headers, MetadataCollection metadata,
        Action<S3CannedACL> setAcl, Action<ServerSideEncryptionMethod> setEncryption, Action<string> setKmsKey, Action<S3StorageClass> setStorageClass)
    {
        headers.CacheControl = parameters.CacheControl;
        headers.ContentDisposition = parameters.ContentDisposition;
        headers.ContentEncoding = parameters.ContentEncoding;
        foreach ((string key, string value) in request.Metadata)
        {
            metadata.Add(ToHeaderKey(key), value);
        }

        // With ACLs disabled on the bucket (found by a failed call), send none rather than fail every save.
        if (!_aclsDisabled && parameters.Acl != S3Acl.None)
        {
            setAcl(parameters.Acl == S3Acl.PublicRead ? S3CannedACL.PublicRead : S3CannedACL.Private);
        }

        if (parameters.ServerSideEncryption is { } sse)
        {
            setEncryption(ServerSideEncryptionMethod.FindValue(sse));
        }

        if (parameters.KmsKeyId is { } kms)
        {
            setKmsKey(kms);
        }

        if (parameters.StorageClass is { } storageClass)
        {
            setStorageClass(S3StorageClass.FindValue(storageClass));
        }
    }

    private StorageNotSupportedException AclsDisabled(string? objectName, Exception exception)
    {
        Log.AclsDisabled(Logger, Name, Bucket, exception.Message);
        return new StorageNotSupportedException(Name, objectName,
            $"the bucket '{Bucket}' has ACLs disabled (Object Ownership: bucket owner enforced), so objects cannot be made public or private one by one. " +
            "Set DefaultAcl to None and serve public objects through a bucket policy or a CDN, or enable ACLs on the bucket.");
    }

    /// <summary>Claims a name for a multipart upload with a zero-byte conditional PUT; false when it is taken.</summary>
    internal async Task<bool> TryReserveAsync(string name, StagingRequest request, CancellationToken cancellationToken)
    {
        using var empty = new MemoryStream([], writable: false);
        PutObjectRequest put = CreatePutRequest(name, request, empty, 0, overwrite: false);
        put.Metadata.Add(ReservationMetadataKey, "pending");
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await Client.PutObjectAsync(put, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                return false;
            }
            catch (AmazonS3Exception exception) when (IsConcurrentConflict(exception) && attempt < ConflictRetries)
            {
                S3Diagnostics.ConflictRetries.Add(1, S3Diagnostics.StorageTag(Name));
                await Task.Delay(ConflictDelay(attempt), cancellationToken).ConfigureAwait(false);
                empty.Position = 0;
            }
        }
    }

    /// <summary>Deletes a reservation whose upload failed (best effort: the service may be down).</summary>
    internal async Task ReleaseReservationAsync(string name)
    {
        try
        {
            await Client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = GetKey(name) }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is AmazonServiceException or HttpRequestException or IOException or OperationCanceledException)
        {
            LogCleanupFailed(GetKey(name), exception);
        }
    }

    internal void LogCleanupFailed(string key, Exception exception) => Log.CleanupFailed(Logger, exception, Name, key);

    private static partial class Log
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "S3 storage {Storage}: bucket {Bucket} has ACLs disabled: {Cause}")]
        public static partial void AclsDisabled(ILogger logger, string storage, string bucket, string cause);

        [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "S3 storage {Storage}: could not clean up the failed multipart upload of {Key}")]
        public static partial void CleanupFailed(ILogger logger, Exception exception, string storage, string key);
    }
}

/// <summary>A reserved name and the presigned PUT that uploads its content.</summary>
/// <param name="Name">The reserved object name (perhaps an alternative of the wanted one).</param>
/// <param name="UploadUrl">The presigned PUT URL.</param>
/// <param name="RequiredHeaders">Headers the upload must send exactly as given (they are signed).</param>
public sealed record S3UploadReservation(string Name, Uri UploadUrl, IReadOnlyDictionary<string, string> RequiredHeaders);
