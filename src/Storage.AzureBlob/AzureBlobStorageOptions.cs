using Azure.Core;

namespace Wharf.Storage.AzureBlob;

/// <summary>Options of an Azure Blob storage (<c>Backend: AzureBlob</c>).</summary>
/// <remarks>
/// The account and its credential come from one of: <see cref="ConnectionString"/> (including
/// <c>UseDevelopmentStorage=true</c> for Azurite); <see cref="ServiceUri"/> or <see cref="AccountName"/> with
/// <see cref="AccountKey"/> (SharedKey), <see cref="SasToken"/>, <see cref="Credential"/>, or a
/// <see cref="TokenCredential"/> registered in the host's services (managed identity through Azure.Identity).
/// </remarks>
public sealed class AzureBlobStorageOptions : StorageOptions
{
    /// <summary>
    /// A storage connection string: <c>DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=…</c>,
    /// <c>BlobEndpoint=…;SharedAccessSignature=…</c>, or <c>UseDevelopmentStorage=true</c> (Azurite on
    /// <c>http://127.0.0.1:10000/devstoreaccount1</c>). Takes the place of the account, endpoint and key options.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The Blob service endpoint, such as <c>https://myaccount.blob.core.windows.net</c> or, for Azurite,
    /// <c>http://127.0.0.1:10000/devstoreaccount1</c>. Unset: <c>https://{AccountName}.blob.core.windows.net</c>.
    /// </summary>
    public string? ServiceUri { get; set; }

    /// <summary>The storage account's name; read from <see cref="ServiceUri"/> when unset.</summary>
    public string? AccountName { get; set; }

    /// <summary>The account key (base64), for SharedKey requests and service SAS URLs.</summary>
    public string? AccountKey { get; set; }

    /// <summary>A SAS token the storage sends with every request (it cannot mint signed URLs from it).</summary>
    public string? SasToken { get; set; }

    /// <summary>
    /// A token credential (Azure.Identity's <c>DefaultAzureCredential</c>, a managed identity…), code only. Signed
    /// URLs are then user-delegation SAS. When unset and no key or SAS is configured, the storage uses a
    /// <see cref="TokenCredential"/> from the host's services (keyed by the storage's name, then unkeyed).
    /// </summary>
    public TokenCredential? Credential { get; set; }

    /// <summary>The container. Required.</summary>
    public string? Container { get; set; }

    /// <summary>A blob name prefix under which the storage keeps its objects, such as <c>media/</c>.</summary>
    public string? Location { get; set; }

    /// <summary>
    /// Who may read the container's blobs without a signature: <see cref="AzureBlobPublicAccess.None"/> (default:
    /// private; read through signed URLs) or <see cref="AzureBlobPublicAccess.Blob"/> (anyone with a blob's URL).
    /// Azure has no per-blob access control, so this is every object's visibility; it is what
    /// <see cref="AzureBlobStorage.CreateContainerAsync"/> creates and what the storage reports.
    /// </summary>
    public AzureBlobPublicAccess PublicAccess { get; set; } = AzureBlobPublicAccess.None;

    /// <summary>Create the container (with <see cref="PublicAccess"/>) when a save finds it missing. Off by default.</summary>
    public bool CreateContainer { get; set; }

    /// <summary>
    /// A custom domain (a CDN in front of the account) for public URLs, such as <c>cdn.example.com</c>: URLs become
    /// <c>{UrlProtocol}://{CustomDomain}/{container}/{blob}</c>, the account URL with its host replaced.
    /// </summary>
    public string? CustomDomain { get; set; }

    /// <summary>The protocol of custom-domain URLs. Default <c>https</c>.</summary>
    public string UrlProtocol { get; set; } = "https";

    /// <summary>A Cache-Control value for objects saved without one.</summary>
    public string? CacheControl { get; set; }

    /// <summary>How long signed URLs stay valid by default. One hour; at most 7 days (a user delegation key's limit).</summary>
    public TimeSpan SignedUrlLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Content up to this size (known, or buffered when unknown) is sent with one Put Blob. 8 MiB by default.</summary>
    public long SingleUploadThreshold { get; set; } = 8L * 1024 * 1024;

    /// <summary>The size of each block of a larger upload. 8 MiB by default; at most 4000 MiB.</summary>
    public int BlockSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>How many blocks upload at once. Memory use is about <c>(concurrency + 1) × block size</c>. Default 4.</summary>
    public int UploadConcurrency { get; set; } = 4;

    /// <summary>Sets per-object parameters for each save (code only; not bound from configuration).</summary>
    public Action<AzureBlobObjectParameters>? ConfigureObject { get; set; }

    /// <summary>Adjusts the HTTP pipeline's options: retries, transport, diagnostics (code only).</summary>
    public Action<AzureBlobClientOptions>? ConfigureClient { get; set; }

    /// <summary>The location as a name prefix: empty, or ending in <c>/</c>.</summary>
    internal string NamePrefix => string.IsNullOrEmpty(Location) ? string.Empty : Location.Trim('/') + "/";

    /// <inheritdoc/>
    public override void Validate(StorageOptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        base.Validate(errors);
        if (string.IsNullOrWhiteSpace(Container))
        {
            errors.Add(nameof(Container), "is required: the container that holds the storage's blobs.");
        }
        else if (!IsContainerName(Container))
        {
            errors.Add(nameof(Container), $"'{Container}' is not a container name (3 to 63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit).");
        }

        if (!string.IsNullOrEmpty(Location) && ObjectName.GetProblem(Location.Trim('/') + "/x") is { } problem)
        {
            errors.Add(nameof(Location), $"'{Location}' is not a valid name prefix: {problem}");
        }

        if (ConnectionString is not null)
        {
            if (AzureBlobConnectionString.TryParse(ConnectionString, out _, out string? error))
            {
                foreach (string key in new[] { nameof(ServiceUri), nameof(AccountName), nameof(AccountKey), nameof(SasToken) })
                {
                    if (!string.IsNullOrEmpty(key switch { nameof(ServiceUri) => ServiceUri, nameof(AccountName) => AccountName, nameof(AccountKey) => AccountKey, _ => SasToken }))
                    {
                        errors.Add(key, "cannot be combined with ConnectionString, which already names the account and its credential.");
                    }
                }
            }
            else
            {
                // The message never repeats the connection string: it holds a secret.
                errors.Add(nameof(ConnectionString), $"is not a storage connection string: {error}");
            }
        }
        else
        {
            if (ServiceUri is not null && (!Uri.TryCreate(ServiceUri, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("https" or "http")))
            {
                errors.Add(nameof(ServiceUri), $"'{ServiceUri}' is not an absolute http(s) URL.");
            }
            else if (ServiceUri is null && string.IsNullOrWhiteSpace(AccountName))
            {
                errors.Add(nameof(AccountName), "is required unless ConnectionString or ServiceUri names the account.");
            }
            else if (ServiceUri is not null && string.IsNullOrWhiteSpace(AccountName) && Uri.TryCreate(ServiceUri, UriKind.Absolute, out Uri? endpoint) && AzureBlobConnectionString.AccountNameFromEndpoint(endpoint) is null)
            {
                errors.Add(nameof(AccountName), $"cannot be read from the endpoint '{ServiceUri}'; set it.");
            }

            if (AccountKey is not null && !IsBase64(AccountKey))
            {
                errors.Add(nameof(AccountKey), "is not base64 (copy the key from the account's 'Access keys').");
            }

            if (AccountKey is not null && SasToken is not null)
            {
                errors.Add(nameof(SasToken), "cannot be combined with AccountKey: choose one credential.");
            }
        }

        if (UrlProtocol is not ("https" or "http"))
        {
            errors.Add(nameof(UrlProtocol), $"must be 'https' or 'http'; it is '{UrlProtocol}'.");
        }

        if (SignedUrlLifetime <= TimeSpan.Zero || SignedUrlLifetime > TimeSpan.FromDays(7))
        {
            errors.Add(nameof(SignedUrlLifetime), $"must be more than zero and at most 7 days; it is {SignedUrlLifetime}.");
        }

        if (SingleUploadThreshold < 1 || SingleUploadThreshold > 5000L * 1024 * 1024)
        {
            errors.Add(nameof(SingleUploadThreshold), $"must be from 1 byte to 5000 MiB (Azure's largest Put Blob); it is {SingleUploadThreshold}.");
        }

        if (BlockSize < 64 * 1024 || BlockSize > 2000 * 1024 * 1024)
        {
            errors.Add(nameof(BlockSize), $"must be from 64 KiB to 2000 MiB; it is {BlockSize}.");
        }

        if (UploadConcurrency is < 1 or > 64)
        {
            errors.Add(nameof(UploadConcurrency), $"must be from 1 to 64; it is {UploadConcurrency}.");
        }

        if (!Enum.IsDefined(PublicAccess))
        {
            errors.Add(nameof(PublicAccess), $"must be None, Blob or Container; it is {PublicAccess}.");
        }
    }

    internal static bool IsContainerName(string name) =>
        name.Length is >= 3 and <= 63
        && !name.AsSpan().ContainsAnyExcept("abcdefghijklmnopqrstuvwxyz0123456789-")
        && name[0] != '-' && name[^1] != '-' && !name.Contains("--", StringComparison.Ordinal);

    internal static bool IsBase64(string value)
    {
        Span<byte> buffer = stackalloc byte[256];
        return value.Length > 0 && value.Length <= 340 && Convert.TryFromBase64String(value, buffer, out _);
    }
}

/// <summary>A container's public access level (Azure's <c>x-ms-blob-public-access</c>).</summary>
public enum AzureBlobPublicAccess
{
    /// <summary>Private: every read is authorised (a key, a token, or a SAS URL).</summary>
    None = 0,

    /// <summary>Anyone can read a blob by its URL (the container cannot be listed anonymously).</summary>
    Blob = 1,

    /// <summary>Anyone can read blobs and list the container.</summary>
    Container = 2,
}

/// <summary>Per-object parameters a save sends, adjustable through <see cref="AzureBlobStorageOptions.ConfigureObject"/>.</summary>
public sealed class AzureBlobObjectParameters
{
    /// <summary>The blob's name in the container (location included).</summary>
    public required string BlobName { get; init; }

    /// <summary>The object name.</summary>
    public required string Name { get; init; }

    /// <summary>The content type.</summary>
    public required string ContentType { get; set; }

    /// <summary>The Cache-Control header.</summary>
    public string? CacheControl { get; set; }

    /// <summary>The Content-Disposition header.</summary>
    public string? ContentDisposition { get; set; }

    /// <summary>The Content-Encoding header.</summary>
    public string? ContentEncoding { get; set; }

    /// <summary>The Content-Language header.</summary>
    public string? ContentLanguage { get; set; }

    /// <summary>The access tier (<c>Hot</c>, <c>Cool</c>, <c>Cold</c>, <c>Archive</c>), or null for the account's default.</summary>
    public string? AccessTier { get; set; }
}

/// <summary>The HTTP headers a blob serves (Azure's blob properties), for <see cref="AzureBlobStorage.SetHttpHeadersAsync"/>.</summary>
public sealed class AzureBlobHttpHeaders
{
    /// <summary>The Content-Type.</summary>
    public string? ContentType { get; set; }

    /// <summary>The Cache-Control.</summary>
    public string? CacheControl { get; set; }

    /// <summary>The Content-Disposition.</summary>
    public string? ContentDisposition { get; set; }

    /// <summary>The Content-Encoding.</summary>
    public string? ContentEncoding { get; set; }

    /// <summary>The Content-Language.</summary>
    public string? ContentLanguage { get; set; }
}

/// <summary>Options of the HTTP pipeline (Azure.Core): retries, transport, diagnostics.</summary>
public sealed class AzureBlobClientOptions : ClientOptions
{
    /// <summary>Creates the options with Azure.Core's defaults (3 retries, exponential back-off).</summary>
    public AzureBlobClientOptions()
    {
    }
}
