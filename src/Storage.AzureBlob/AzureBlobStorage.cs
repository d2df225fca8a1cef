using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging;
using Wharf.Storage.AzureBlob.Internal;
using Wharf.Storage.Backends;

namespace Wharf.Storage.AzureBlob;

/// <summary>
/// A storage in an Azure Blob Storage container (or Azurite), speaking the Blob REST API over Azure.Core.
/// </summary>
/// <remarks>
/// <para>
/// A save of a free name is one request: a Put Blob with <c>If-None-Match: *</c>, so the service claims the name
/// atomically (409 <c>BlobAlreadyExists</c> → the next candidate). Never HEAD-then-PUT. Content of unknown length is
/// buffered up to <see cref="AzureBlobStorageOptions.SingleUploadThreshold"/> so a collision can be retried; larger
/// content first claims the name with an empty conditional Put Blob, then stages blocks in parallel from pooled
/// buffers and commits them with a Put Block List conditional on that reservation.
/// </para>
/// <para>
/// Azure has no per-blob access control: visibility is the container's (<see cref="AzureBlobStorageOptions.PublicAccess"/>).
/// Private objects are read through signed URLs (service SAS with a key, user-delegation SAS with a token); public
/// objects live in a storage on a public container, or behind a CDN (<see cref="AzureBlobStorageOptions.CustomDomain"/>).
/// </para>
/// </remarks>
public sealed partial class AzureBlobStorage : StorageBase
{
    /// <summary>The backend's name in configuration (<c>Backend: AzureBlob</c>).</summary>
    public const string BackendId = "AzureBlob";

    /// <summary>The scope of bearer tokens for Azure Storage.</summary>
    public const string TokenScope = "https://storage.azure.com/.default";

    internal const string ReservationMetadataKey = "wharf_reservation";
    private readonly string _prefix;
    private readonly string _accountName;
    private readonly byte[]? _accountKey;
    private readonly bool _hasToken;
    private readonly StorageCapabilities _capabilities;
    private readonly SemaphoreSlim _delegationKeyLock = new(1, 1);
    private UserDelegationKey? _delegationKey;

    /// <summary>Creates the storage.</summary>
    /// <param name="name">The storage's name.</param>
    /// <param name="options">The options; <see cref="AzureBlobStorageOptions.Container"/> and a credential are required.</param>
    /// <param name="credential">A token credential from the host (DI), used when the options configure no other credential.</param>
    /// <param name="logger">The logger, if any.</param>
    public AzureBlobStorage(string name, AzureBlobStorageOptions options, TokenCredential? credential = null, ILogger<AzureBlobStorage>? logger = null)
        : base(name, options, logger)
    {
        // Only a storage made directly can fail here: the storage builder validates a storage's options first, under
        // its real configuration path. So the keys are named under the default section.
        var errors = new StorageOptionsErrors($"Wharf:Storages:{name}");
        options.Validate(errors);
        if (errors.Errors.Count > 0 && options.ConnectionString is not null)
        {
            // The account, endpoint and key come from the connection string, which is malformed (or has company).
            throw new ArgumentException(string.Join(Environment.NewLine, errors.Errors), nameof(options));
        }

        Uri endpoint;
        string? sasToken;
        TokenCredential? tokenCredential = null;
        if (errors.Errors.Count == 0 && options.ConnectionString is { } connectionString)
        {
            AzureBlobConnectionString.TryParse(connectionString, out AzureBlobConnectionString? parsed, out _);
            endpoint = parsed!.BlobEndpoint;
            _accountName = parsed.AccountName;
            _accountKey = parsed.AccountKey is null ? null : Convert.FromBase64String(parsed.AccountKey);
            sasToken = parsed.SasToken;
        }
        else
        {
            // With other errors (reported below) the endpoint may not be a URL: a placeholder keeps the checks going.
            endpoint = options.ServiceUri is { } serviceUri && Uri.TryCreate(serviceUri, UriKind.Absolute, out Uri? given)
                ? given
                : Uri.TryCreate($"https://{options.AccountName}.blob.core.windows.net", UriKind.Absolute, out Uri? byName)
                    ? byName
                    : new Uri("https://invalid.blob.core.windows.net");
            _accountName = options.AccountName ?? AzureBlobConnectionString.AccountNameFromEndpoint(endpoint) ?? string.Empty;
            _accountKey = options.AccountKey is { } key && errors.Errors.Count == 0 ? Convert.FromBase64String(key) : null;
            sasToken = options.SasToken;
            if (options.AccountKey is null && sasToken is null)
            {
                tokenCredential = options.Credential ?? credential;
                if (tokenCredential is null)
                {
                    errors.Add(nameof(AzureBlobStorageOptions.AccountKey), "no credential is configured: set ConnectionString, AccountKey or SasToken, or give a TokenCredential (the Credential option, or a TokenCredential service such as Azure.Identity's DefaultAzureCredential for managed identity).");
                }
                else if (endpoint.Scheme != Uri.UriSchemeHttps)
                {
                    errors.Add(nameof(AzureBlobStorageOptions.ServiceUri), $"'{endpoint}' is not https: bearer tokens are only sent over TLS.");
                }
            }

            if (_accountName.Length == 0 && !errors.Errors.Any(e => e.Contains(":AccountName: ", StringComparison.Ordinal)))
            {
                errors.Add(nameof(AzureBlobStorageOptions.AccountName), $"cannot be read from the endpoint '{endpoint}'; set it.");
            }
        }

        if (errors.Errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors.Errors), nameof(options));
        }

        Options = options;
        _prefix = options.NamePrefix;
        _hasToken = tokenCredential is not null;
        var clientOptions = new AzureBlobClientOptions();
        options.ConfigureClient?.Invoke(clientOptions);
        HttpPipelinePolicy authentication = _accountKey is not null
            ? new SharedKeyPolicy(_accountName, _accountKey)
            : sasToken is not null
                ? new SasTokenPolicy(sasToken)
                : new BearerTokenAuthenticationPolicy(new GuardedTokenCredential(tokenCredential!), TokenScope);
        HttpPipeline pipeline = HttpPipelineBuilder.Build(clientOptions, [], [authentication], new ResponseClassifier());
        Rest = new BlobRestClient(pipeline, endpoint, options.Container!);
        _capabilities = new StorageCapabilities
        {
            PublicUrls = true,
            SignedUrls = _accountKey is not null || _hasToken,
            Visibility = false,
            StoresContentType = true,
            StoresCacheControl = true,
            CustomMetadata = true,
            MaxNameBytes = 1024 - Encoding.UTF8.GetByteCount(_prefix),
            MaxSegmentBytes = 1024,
        };
        BlockBuffers = System.Buffers.ArrayPool<byte>.Create(options.BlockSize, options.UploadConcurrency + 1);
    }

    /// <inheritdoc/>
    public override string BackendName => BackendId;

    /// <inheritdoc/>
    public override StorageCapabilities Capabilities => _capabilities;

    /// <summary>The container.</summary>
    public string Container => Rest.Container;

    /// <summary>The storage account's name.</summary>
    public string AccountName => _accountName;

    /// <summary>The Blob service endpoint.</summary>
    public Uri ServiceUri => Rest.ServiceUri;

    /// <summary>The HTTP pipeline (Azure.Core) the storage sends its requests through, already authenticated.</summary>
    public HttpPipeline Pipeline => Rest.Pipeline;

    internal new AzureBlobStorageOptions Options { get; }

    internal BlobRestClient Rest { get; }

    /// <summary>Block buffers, reused across blocks and saves: (concurrency + 1) × block size at most.</summary>
    internal System.Buffers.ArrayPool<byte> BlockBuffers { get; }

    /// <summary>Creates the container with the configured <see cref="AzureBlobStorageOptions.PublicAccess"/> (or the given one).</summary>
    /// <returns>True when it was created; false when it already existed (its access level is left as it is).</returns>
    public async Task<bool> CreateContainerAsync(AzureBlobPublicAccess? access = null, CancellationToken cancellationToken = default)
    {
        try
        {
            using HttpMessage message = Rest.CreateContainerMessage(RequestMethod.Put, "restype=container");
            SetPublicAccessHeader(message.Request, access ?? Options.PublicAccess);
            Response response = await Rest.SendExpectingAsync(message, cancellationToken, 201, 409).ConfigureAwait(false);
            return response.Status == 201;
        }
        catch (Exception exception) when (exception is not StorageException and not OperationCanceledException)
        {
            throw TranslateException(exception, null);
        }
    }

    /// <summary>Gets the container's public access level (Get Container ACL).</summary>
    public async Task<AzureBlobPublicAccess> GetContainerAccessAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using HttpMessage message = Rest.CreateContainerMessage(RequestMethod.Get, "restype=container&comp=acl");
            Response response = await Rest.SendExpectingAsync(message, cancellationToken, 200).ConfigureAwait(false);
            return ParsePublicAccess(response);
        }
        catch (Exception exception) when (exception is not StorageException and not OperationCanceledException)
        {
            throw TranslateException(exception, null);
        }
    }

    /// <summary>
    /// Sets the container's public access level (Set Container ACL), keeping its stored access policies. This makes
    /// every object of the container public or private at once: Azure has no per-blob access control.
    /// </summary>
    public async Task SetContainerAccessAsync(AzureBlobPublicAccess access, CancellationToken cancellationToken = default)
    {
        try
        {
            using HttpMessage get = Rest.CreateContainerMessage(RequestMethod.Get, "restype=container&comp=acl");
            Response current = await Rest.SendExpectingAsync(get, cancellationToken, 200).ConfigureAwait(false);
            BinaryData policies = current.Content;
            string? etag = current.Headers.ETag?.ToString();

            // Set Container ACL replaces the stored access policies with the body: send back the ones it had.
            using HttpMessage set = Rest.CreateContainerMessage(RequestMethod.Put, "restype=container&comp=acl");
            SetPublicAccessHeader(set.Request, access);
            if (etag is not null)
            {
                set.Request.Headers.SetValue("If-Match", etag);
            }

            if (!policies.ToMemory().IsEmpty)
            {
                set.Request.Headers.SetValue("Content-Type", "application/xml");
                set.Request.Content = RequestContent.Create(policies);
            }

            await Rest.SendExpectingAsync(set, cancellationToken, 200).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not StorageException and not OperationCanceledException)
        {
            throw TranslateException(exception, null);
        }
    }

    /// <summary>
    /// Copies an object to a new name on the service (Copy Blob), without the content passing through this process.
    /// Unless <paramref name="overwrite"/>, the destination must be free (<c>If-None-Match: *</c>).
    /// </summary>
    /// <returns>The destination's name, length and ETag.</returns>
    /// <exception cref="ObjectNotFoundException">The source does not exist.</exception>
    /// <exception cref="StorageConflictException">The destination exists and <paramref name="overwrite"/> is false.</exception>
    public async Task<SaveResult> CopyAsync(string sourceName, string destinationName, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        string source = ValidateName(sourceName);
        string destination = ValidateName(destinationName);
        try
        {
            using HttpMessage message = Rest.CreateBlobMessage(RequestMethod.Put, GetBlobName(destination));
            message.Request.Headers.SetValue("x-ms-copy-source", Rest.GetBlobUri(GetBlobName(source)).AbsoluteUri);
            if (!overwrite)
            {
                message.Request.Headers.SetValue("If-None-Match", "*");
            }

            Response response = await Rest.SendAsync(message, cancellationToken).ConfigureAwait(false);
            if (response.Status == 404 && BlobRestClient.ErrorCode(response) is "CannotVerifyCopySource" or "BlobNotFound")
            {
                throw new ObjectNotFoundException(Name, source, BlobRestClient.ErrorCode(response));
            }

            if (response.Status == 409 && BlobRestClient.ErrorCode(response) == "BlobAlreadyExists")
            {
                throw new StorageConflictException(Name, destination, "the destination of the copy exists; pass overwrite: true to replace it.", "BlobAlreadyExists");
            }

            if (response.Status != 202)
            {
                throw await BlobRestClient.CreateFailureAsync(response, cancellationToken).ConfigureAwait(false);
            }

            // Within an account a copy is usually done when the call returns; otherwise wait for it.
            string status = response.Headers.TryGetValue("x-ms-copy-status", out string? s) ? s : "success";
            for (int attempt = 0; status == "pending"; attempt++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(50 << Math.Min(attempt, 5), 1000)), cancellationToken).ConfigureAwait(false);
                using HttpMessage head = Rest.CreateBlobMessage(RequestMethod.Head, GetBlobName(destination));
                Response properties = await Rest.SendExpectingAsync(head, cancellationToken, 200).ConfigureAwait(false);
                status = properties.Headers.TryGetValue("x-ms-copy-status", out string? now) ? now : "success";
            }

            if (status != "success")
            {
                throw new StorageException(Name, destination, $"the copy from '{ObjectName.Quote(source)}' ended with status '{status}'.", status);
            }

            StorageObjectInfo info = await GetInfoAsync(destination, cancellationToken).ConfigureAwait(false);
            return new SaveResult(destination, info.Length, info.ETag);
        }
        catch (Exception exception) when (exception is not StorageException and not OperationCanceledException)
        {
            throw TranslateException(exception, destination);
        }
    }

    /// <summary>
    /// Sets the HTTP headers a blob serves (Set Blob Properties). Like the service, this replaces them all: a header
    /// left null is cleared.
    /// </summary>
    public async Task SetHttpHeadersAsync(string name, AzureBlobHttpHeaders headers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(headers);
        string validName = ValidateName(name);
        try
        {
            using HttpMessage message = Rest.CreateBlobMessage(RequestMethod.Put, GetBlobName(validName), "comp=properties");
            Request request = message.Request;
            SetIfPresent(request, "x-ms-blob-content-type", headers.ContentType);
            SetIfPresent(request, "x-ms-blob-cache-control", headers.CacheControl);
            SetIfPresent(request, "x-ms-blob-content-disposition", headers.ContentDisposition);
            SetIfPresent(request, "x-ms-blob-content-encoding", headers.ContentEncoding);
            SetIfPresent(request, "x-ms-blob-content-language", headers.ContentLanguage);
            Response response = await Rest.SendAsync(message, cancellationToken).ConfigureAwait(false);
            if (response.Status == 404 && BlobRestClient.ErrorCode(response) == "BlobNotFound")
            {
                throw new ObjectNotFoundException(Name, validName, "BlobNotFound");
            }

            if (response.Status != 200)
            {
                throw await BlobRestClient.CreateFailureAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is not StorageException and not OperationCanceledException)
        {
            throw TranslateException(exception, validName);
        }
    }

    /// <inheritdoc/>
    protected override async ValueTask<IStagedObject> StageAsync(Stream content, StagingRequest request, CancellationToken cancellationToken)
    {
        long threshold = Options.SingleUploadThreshold;
        if (content.CanSeek)
        {
            long start = content.Position;
            long length = content.Length - start;
            if (length <= threshold)
            {
                return new StagedPutBlob(this, request, () => new StreamSlice(content, start, length), length, owned: null);
            }

            return new StagedBlockUpload(this, request, content, head: null);
        }

        // Unknown length: hold up to the threshold, so a small upload is one replayable Put Blob.
        PooledContent head = await PooledContent.ReadAsync(content, threshold + 1, cancellationToken).ConfigureAwait(false);
        if (head.Length <= threshold)
        {
            return new StagedPutBlob(this, request, head.OpenRead, head.Length, head);
        }

        return new StagedBlockUpload(this, request, content, head);
    }

    /// <inheritdoc/>
    protected override async ValueTask<Stream?> OpenReadCoreAsync(string name, ByteRange? range, CancellationToken cancellationToken)
    {
        if (range is { Length: 0 })
        {
            return await ExistsCoreAsync(name, cancellationToken).ConfigureAwait(false) ? new MemoryStream([], writable: false) : null;
        }

        using HttpMessage message = Rest.CreateBlobMessage(RequestMethod.Get, GetBlobName(name));
        message.BufferResponse = false;
        if (range is { } r)
        {
            message.Request.Headers.SetValue("x-ms-range", r.Length is { } length
                ? $"bytes={r.Offset}-{r.Offset + length - 1}"
                : $"bytes={r.Offset}-");
        }

        Response response = await Rest.SendAsync(message, cancellationToken).ConfigureAwait(false);
        switch (response.Status)
        {
            case 200 or 206:
                return message.ExtractResponseContent() ?? new MemoryStream([], writable: false);
            case 404 when BlobRestClient.ErrorCode(response) != "ContainerNotFound":
                return null;
            case 416:
                // The range starts at or past the end (or the blob is empty): the contract clips it to nothing.
                response.Dispose();
                return new MemoryStream([], writable: false);
            default:
                throw await BlobRestClient.CreateFailureAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    protected override async ValueTask<StorageObjectInfo?> GetInfoCoreAsync(string name, CancellationToken cancellationToken) =>
        await HeadAsync(name, static (name, response) => ToInfo(name, response), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    protected override async ValueTask<bool> ExistsCoreAsync(string name, CancellationToken cancellationToken) =>
        await HeadAsync(name, static (_, _) => true, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    protected override async ValueTask<bool> DeleteCoreAsync(string name, CancellationToken cancellationToken)
    {
        // Unlike S3, Azure answers 404 for a missing blob: one request tells removed from not there.
        using HttpMessage message = Rest.CreateBlobMessage(RequestMethod.Delete, GetBlobName(name));
        message.Request.Headers.SetValue("x-ms-delete-snapshots", "include");
        Response response = await Rest.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status switch
        {
            202 => true,
            404 when BlobRestClient.ErrorCode(response) == "BlobNotFound" => false,
            _ => throw await BlobRestClient.CreateFailureAsync(response, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <inheritdoc/>
    protected override async IAsyncEnumerable<StorageEntry> ListCoreAsync(string prefix, ListOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var page = new BlobListPage();
        string? marker = null;
        int pageSize = Math.Clamp(options.PageSizeHint, 1, 5000);
        do
        {
            page.Clear();
            marker = await Rest.ListBlobsAsync(_prefix + prefix, options.Recursive ? null : "/", marker, pageSize, page, cancellationToken).ConfigureAwait(false);

            // The service interleaves blobs and prefixes in one order; merge them so the page is in ordinal order
            // whatever the server does.
            List<BlobListItem> blobs = page.Blobs;
            List<string> folders = page.Prefixes;
            int b = 0, f = 0;
            while (b < blobs.Count || f < folders.Count)
            {
                bool takeFolder = b >= blobs.Count || (f < folders.Count && string.CompareOrdinal(folders[f], blobs[b].Name) < 0);
                if (takeFolder)
                {
                    yield return new StorageEntry { Name = folders[f++][_prefix.Length..], IsDirectory = true };
                }
                else
                {
                    BlobListItem item = blobs[b++];
                    yield return new StorageEntry
                    {
                        Name = item.Name[_prefix.Length..],
                        Length = item.Length,
                        LastModified = item.LastModified,
                        ETag = item.ETag,
                    };
                }
            }
        }
        while (marker is not null);
    }

    /// <inheritdoc/>
    protected override Uri? GetPublicUrlCore(string name)
    {
        if (Options.CustomDomain is { } domain)
        {
            return StorageUrls.Combine($"{Options.UrlProtocol}://{domain.Trim('/')}/{Container}/", GetBlobName(name));
        }

        if (Options.PublicBaseUrl is not null)
        {
            return base.GetPublicUrlCore(name);
        }

        return Rest.GetBlobUri(GetBlobName(name));
    }

    /// <inheritdoc/>
    protected override async ValueTask<Uri> GetSignedUrlCoreAsync(string name, SignedUrlOptions options, CancellationToken cancellationToken)
    {
        DateTimeOffset expiresOn = DateTimeOffset.UtcNow + (options.ExpiresIn ?? Options.SignedUrlLifetime);
        var parameters = new SasParameters("r", expiresOn, options.ResponseContentDisposition, options.ResponseContentType);
        string blobName = GetBlobName(name);
        string query;
        if (_accountKey is not null)
        {
            query = BlobSas.ForServiceKey(_accountName, Container, blobName, _accountKey, parameters);
        }
        else
        {
            UserDelegationKey key = await GetDelegationKeyAsync(expiresOn, cancellationToken).ConfigureAwait(false);
            if (expiresOn > key.ExpiresOn)
            {
                // Asked for (nearly) the full 7 days a key can live: the URL ends with its key.
                parameters = parameters with { ExpiresOn = key.ExpiresOn };
            }

            query = BlobSas.ForUserDelegation(_accountName, Container, blobName, key, parameters);
        }

        return new Uri(Rest.GetBlobUri(blobName).AbsoluteUri + "?" + query);
    }

    /// <inheritdoc/>
    protected override StorageException TranslateException(Exception exception, string? objectName)
    {
        switch (exception)
        {
            case RequestFailedException { Status: 0 } transport:
                return new StorageUnavailableException(Name, objectName, $"Azure Blob Storage at {ServiceUri.GetLeftPart(UriPartial.Authority)} could not be reached: {transport.Message}", transport.ErrorCode, transport);
            case RequestFailedException failed:
                string cause = failed.Message;
                string? code = failed.ErrorCode;
                return failed.Status switch
                {
                    401 or 403 => new StorageAccessDeniedException(Name, objectName,
                        $"Azure denied access to container '{Container}' of account '{_accountName}' ({cause}); check the key, SAS or token and the role assignments.", code, failed),
                    404 when code is "ContainerNotFound" => new StorageUnavailableException(Name, objectName,
                        $"the container '{Container}' does not exist in account '{_accountName}' (create it, or set CreateContainer).", code, failed),
                    404 => new ObjectNotFoundException(Name, objectName ?? string.Empty, code, failed),
                    409 or 412 => new StorageConflictException(Name, objectName, $"Azure reported a conflict: {cause}", code, failed),
                    >= 500 or 408 or 429 => new StorageUnavailableException(Name, objectName, $"Azure Blob Storage failed: {cause}", code, failed),
                    _ => new StorageException(Name, objectName, $"Azure Blob Storage refused the request: {cause}", code, failed),
                };
            case TokenAcquisitionException token:
                return new StorageAccessDeniedException(Name, objectName, $"{token.Message} Check the identity and its role assignment (Storage Blob Data Contributor) on account '{_accountName}'.", innerException: token.InnerException);
            case AggregateException aggregate when aggregate.InnerExceptions.Count > 0:
                // Azure.Core's retry policy gives up with every attempt's failure: the last one says why.
                StorageException last = TranslateException(aggregate.InnerExceptions[^1], objectName);
                return last is StorageUnavailableException
                    ? new StorageUnavailableException(Name, objectName, $"{last.Cause} (after {aggregate.InnerExceptions.Count} attempts)", last.ErrorCode, aggregate)
                    : last;
            case TimeoutException:
                return new StorageUnavailableException(Name, objectName, $"Azure Blob Storage at {ServiceUri.GetLeftPart(UriPartial.Authority)} did not answer in time: {exception.Message}", innerException: exception);
            case HttpRequestException or IOException:
                return new StorageUnavailableException(Name, objectName, $"Azure Blob Storage at {ServiceUri.GetLeftPart(UriPartial.Authority)} could not be reached: {exception.Message}", innerException: exception);
            default:
                return base.TranslateException(exception, objectName);
        }
    }

    /// <inheritdoc/>
    protected override ValueTask DisposeAsyncCore()
    {
        _delegationKeyLock.Dispose();
        return ValueTask.CompletedTask;
    }

    internal string GetBlobName(string name) => _prefix + name;

    /// <summary>HEAD (Get Blob Properties): default for a missing blob; a missing container or a 403 is thrown.</summary>
    private async Task<T?> HeadAsync<T>(string name, Func<string, Response, T> read, CancellationToken cancellationToken)
    {
        using HttpMessage message = Rest.CreateBlobMessage(RequestMethod.Head, GetBlobName(name));
        Response response = await Rest.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status switch
        {
            200 => read(name, response),
            404 when BlobRestClient.ErrorCode(response) != "ContainerNotFound" => default,
            _ => throw await BlobRestClient.CreateFailureAsync(response, cancellationToken).ConfigureAwait(false),
        };
    }

    private static StorageObjectInfo ToInfo(string name, Response response)
    {
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (HttpHeader header in response.Headers)
        {
            if (header.Name.StartsWith("x-ms-meta-", StringComparison.OrdinalIgnoreCase))
            {
                metadata[header.Name["x-ms-meta-".Length..].ToLowerInvariant()] = header.Value;
            }
        }

        return new StorageObjectInfo
        {
            Name = name,
            Length = response.Headers.ContentLength ?? 0,
            ContentType = response.Headers.ContentType is { Length: > 0 } type ? type : ContentTypes.FromName(name),
            LastModified = response.Headers.TryGetValue("Last-Modified", out string? modified)
                && DateTimeOffset.TryParse(modified, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset parsed)
                    ? parsed
                    : DateTimeOffset.UnixEpoch,
            ETag = response.Headers.ETag?.ToString("H"),
            CacheControl = response.Headers.TryGetValue("Cache-Control", out string? cacheControl) ? cacheControl : null,
            Metadata = metadata,
        };
    }

    /// <summary>A cached user delegation key valid past <paramref name="expiresOn"/>; fetched (for 7 days) when needed.</summary>
    private async ValueTask<UserDelegationKey> GetDelegationKeyAsync(DateTimeOffset expiresOn, CancellationToken cancellationToken)
    {
        if (expiresOn > DateTimeOffset.UtcNow.AddDays(7))
        {
            throw new ArgumentOutOfRangeException(nameof(expiresOn), expiresOn, $"Storage '{Name}': a user-delegation SAS can be valid for at most 7 days.");
        }

        // A key lives 7 days less a minute: a URL asked for longer than a new key would live ends with the key.
        expiresOn = Min(expiresOn, DateTimeOffset.UtcNow.AddDays(7).AddMinutes(-2));
        if (_delegationKey is { } cached && cached.ExpiresOn >= expiresOn)
        {
            return cached;
        }

        await _delegationKeyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_delegationKey is { } again && again.ExpiresOn >= expiresOn)
            {
                return again;
            }

            DateTimeOffset now = DateTimeOffset.UtcNow;
            DateTimeOffset keyExpiry = now.AddDays(7).AddMinutes(-1);

            UserDelegationKey key = await Rest.GetUserDelegationKeyAsync(now.AddMinutes(-5), keyExpiry, cancellationToken).ConfigureAwait(false);
            _delegationKey = key;
            return key;
        }
        finally
        {
            _delegationKeyLock.Release();
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;

    private static AzureBlobPublicAccess ParsePublicAccess(Response response) =>
        response.Headers.TryGetValue("x-ms-blob-public-access", out string? value)
            ? value switch
            {
                "blob" => AzureBlobPublicAccess.Blob,
                "container" => AzureBlobPublicAccess.Container,
                _ => AzureBlobPublicAccess.None,
            }
            : AzureBlobPublicAccess.None;

    private static void SetPublicAccessHeader(Request request, AzureBlobPublicAccess access)
    {
        if (access != AzureBlobPublicAccess.None)
        {
            request.Headers.SetValue("x-ms-blob-public-access", access == AzureBlobPublicAccess.Blob ? "blob" : "container");
        }
    }

    private static void SetIfPresent(Request request, string header, string? value)
    {
        if (value is not null)
        {
            request.Headers.SetValue(header, value);
        }
    }

    /// <summary>Sets the headers of a Put Blob or Put Block List: the blob's HTTP headers, tier and metadata.</summary>
    internal void ApplyObjectHeaders(Request request, string name, StagingRequest staging)
    {
        var parameters = new AzureBlobObjectParameters
        {
            BlobName = GetBlobName(name),
            Name = name,
            ContentType = staging.ContentType,
            CacheControl = staging.CacheControl ?? Options.CacheControl,
        };
        Options.ConfigureObject?.Invoke(parameters);
        request.Headers.SetValue("x-ms-blob-content-type", parameters.ContentType);
        SetIfPresent(request, "x-ms-blob-cache-control", parameters.CacheControl);
        SetIfPresent(request, "x-ms-blob-content-disposition", parameters.ContentDisposition);
        SetIfPresent(request, "x-ms-blob-content-encoding", parameters.ContentEncoding);
        SetIfPresent(request, "x-ms-blob-content-language", parameters.ContentLanguage);
        SetIfPresent(request, "x-ms-access-tier", parameters.AccessTier);
        foreach ((string key, string value) in staging.Metadata)
        {
            request.Headers.SetValue("x-ms-meta-" + key, value);
        }
    }

    /// <summary>Creates the container when a write found it missing and the options allow it; false otherwise.</summary>
    internal async ValueTask<bool> TryCreateMissingContainerAsync(Response response, CancellationToken cancellationToken)
    {
        if (!Options.CreateContainer || response.Status != 404 || BlobRestClient.ErrorCode(response) != "ContainerNotFound")
        {
            return false;
        }

        await CreateContainerAsync(null, cancellationToken).ConfigureAwait(false);
        Log.ContainerCreated(Logger, Name, Container);
        return true;
    }

    internal void LogCleanupFailed(string blobName, Exception exception) => Log.CleanupFailed(Logger, exception, Name, blobName);

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Azure Blob storage {Storage}: created the missing container {Container}")]
        public static partial void ContainerCreated(ILogger logger, string storage, string container);

        [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Azure Blob storage {Storage}: could not remove the reservation of the failed block upload of {BlobName}")]
        public static partial void CleanupFailed(ILogger logger, Exception exception, string storage, string blobName);
    }
}
