namespace Wharf.Storage.S3;

/// <summary>Options of an S3 storage (<c>Backend: S3</c>), for Amazon S3 and S3-compatible services.</summary>
public sealed class S3StorageOptions : StorageOptions
{
    /// <summary>The bucket. Required.</summary>
    public string? Bucket { get; set; }

    /// <summary>A key prefix under which the storage keeps its objects, such as <c>media/</c>; empty for the bucket's top.</summary>
    public string? Location { get; set; }

    /// <summary>The region, such as <c>eu-west-1</c>. Unset: the SDK's default (environment, profile).</summary>
    public string? Region { get; set; }

    /// <summary>The endpoint of an S3-compatible service, such as <c>http://127.0.0.1:7480</c> (Ceph) or an R2 URL.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Address buckets in the path (<c>host/bucket/key</c>), as most S3-compatible services need.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>An access key; with <see cref="SecretKey"/>. Unset: the SDK's default credential chain (environment, profile, instance role).</summary>
    public string? AccessKey { get; set; }

    /// <summary>The secret key that goes with <see cref="AccessKey"/>.</summary>
    public string? SecretKey { get; set; }

    /// <summary>The ACL each saved object gets. <see cref="S3Acl.Private"/> by default; <see cref="S3Acl.None"/> for buckets with ACLs disabled.</summary>
    public S3Acl DefaultAcl { get; set; } = S3Acl.Private;

    /// <summary>A Cache-Control value for objects saved without one.</summary>
    public string? CacheControl { get; set; }

    /// <summary>Server-side encryption: <c>AES256</c> or <c>aws:kms</c>.</summary>
    public string? ServerSideEncryption { get; set; }

    /// <summary>The KMS key for <c>aws:kms</c> encryption.</summary>
    public string? KmsKeyId { get; set; }

    /// <summary>The storage class, such as <c>STANDARD_IA</c>.</summary>
    public string? StorageClass { get; set; }

    /// <summary>A custom domain (a CDN in front of the bucket) for public URLs, such as <c>cdn.example.com</c>.</summary>
    public string? CustomDomain { get; set; }

    /// <summary>The protocol of custom-domain URLs. Default <c>https</c>.</summary>
    public string UrlProtocol { get; set; } = "https";

    /// <summary>How long signed URLs stay valid by default. One hour.</summary>
    public TimeSpan SignedUrlLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Content larger than this (or of unknown length and larger) goes up in parts. 8 MiB by default.</summary>
    public long MultipartThreshold { get; set; } = 8L * 1024 * 1024;

    /// <summary>The size of each part (at least 5 MiB, S3's minimum). 8 MiB by default.</summary>
    public int PartSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>How many parts upload at once. Memory use is about <c>(concurrency + 1) × part size</c>. Default 4.</summary>
    public int MultipartConcurrency { get; set; } = 4;

    /// <summary>
    /// When to send and check checksums. <see cref="S3ChecksumMode.WhenSupported"/> is the SDK's default;
    /// <see cref="S3ChecksumMode.WhenRequired"/> for services that reject trailing checksums (Ceph RGW 16 answers
    /// <c>400 XAmzContentSHA256Mismatch</c>) — most S3-compatible services.
    /// </summary>
    public S3ChecksumMode ChecksumMode { get; set; } = S3ChecksumMode.WhenSupported;

    /// <summary>Sets per-object parameters for each save (code only; not bound from configuration).</summary>
    public Action<S3ObjectParameters>? ConfigureObject { get; set; }

    /// <summary>The location as a key prefix: empty, or ending in <c>/</c>.</summary>
    internal string KeyPrefix => string.IsNullOrEmpty(Location) ? string.Empty : Location.Trim('/') + "/";

    /// <inheritdoc/>
    public override void Validate(StorageOptionsErrors errors)
    {
        base.Validate(errors);
        if (string.IsNullOrWhiteSpace(Bucket))
        {
            errors.Add(nameof(Bucket), "is required: the bucket that holds the storage's objects.");
        }
        else if (Bucket.Length is < 3 or > 63 || Bucket.AsSpan().ContainsAnyExcept("abcdefghijklmnopqrstuvwxyz0123456789.-"))
        {
            errors.Add(nameof(Bucket), $"'{Bucket}' is not a bucket name (3 to 63 lower-case letters, digits, '.' and '-').");
        }

        if (!string.IsNullOrEmpty(Location) && ObjectName.GetProblem(Location.Trim('/') + "/x") is { } problem)
        {
            errors.Add(nameof(Location), $"'{Location}' is not a valid key prefix: {problem}");
        }

        if (ServiceUrl is not null && !Uri.TryCreate(ServiceUrl, UriKind.Absolute, out _))
        {
            errors.Add(nameof(ServiceUrl), $"'{ServiceUrl}' is not an absolute URL.");
        }

        if (string.IsNullOrEmpty(AccessKey) != string.IsNullOrEmpty(SecretKey))
        {
            errors.Add(string.IsNullOrEmpty(AccessKey) ? nameof(AccessKey) : nameof(SecretKey), "AccessKey and SecretKey go together: set both or neither.");
        }

        if (UrlProtocol is not ("https" or "http"))
        {
            errors.Add(nameof(UrlProtocol), $"must be 'https' or 'http'; it is '{UrlProtocol}'.");
        }

        if (SignedUrlLifetime <= TimeSpan.Zero || SignedUrlLifetime > TimeSpan.FromDays(7))
        {
            errors.Add(nameof(SignedUrlLifetime), $"must be more than zero and at most 7 days (S3's limit); it is {SignedUrlLifetime}.");
        }

        if (PartSize < 5 * 1024 * 1024)
        {
            errors.Add(nameof(PartSize), $"must be at least 5 MiB (5242880), S3's smallest part; it is {PartSize}.");
        }

        if (MultipartThreshold < 1 || MultipartThreshold > 5L * 1024 * 1024 * 1024)
        {
            errors.Add(nameof(MultipartThreshold), $"must be from 1 byte to 5 GiB (S3's largest single PUT); it is {MultipartThreshold}.");
        }

        if (MultipartConcurrency is < 1 or > 64)
        {
            errors.Add(nameof(MultipartConcurrency), $"must be from 1 to 64; it is {MultipartConcurrency}.");
        }
    }
}

/// <summary>The canned ACL saved objects get.</summary>
public enum S3Acl
{
    /// <summary>Send no ACL: for buckets with ACLs disabled (Object Ownership "bucket owner enforced").</summary>
    None = 0,

    /// <summary><c>private</c>: only the owner reads it (or signed URLs).</summary>
    Private = 1,

    /// <summary><c>public-read</c>: anyone reads it.</summary>
    PublicRead = 2,
}

/// <summary>When request checksums are calculated and response checksums validated.</summary>
public enum S3ChecksumMode
{
    /// <summary>Whenever the operation supports them (the SDK's default; Amazon S3).</summary>
    WhenSupported = 0,

    /// <summary>Only when the operation requires them (Ceph RGW, most S3-compatible services).</summary>
    WhenRequired = 1,
}

/// <summary>Per-object parameters a save sends, adjustable through <see cref="S3StorageOptions.ConfigureObject"/>.</summary>
public sealed class S3ObjectParameters
{
    /// <summary>The object's key (location included).</summary>
    public required string Key { get; init; }

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

    /// <summary>The canned ACL.</summary>
    public S3Acl Acl { get; set; }

    /// <summary>Server-side encryption.</summary>
    public string? ServerSideEncryption { get; set; }

    /// <summary>The KMS key.</summary>
    public string? KmsKeyId { get; set; }

    /// <summary>The storage class.</summary>
    public string? StorageClass { get; set; }
}
