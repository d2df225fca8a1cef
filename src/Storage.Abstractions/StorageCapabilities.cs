namespace Wharf.Storage;

/// <summary>What a storage can do beyond the core operations, and the limits its names must keep.</summary>
/// <remarks>Ask before calling an optional member; the members throw <see cref="StorageNotSupportedException"/> when their capability is off.</remarks>
public sealed record StorageCapabilities
{
    /// <summary><see cref="IStorage.GetPublicUrl"/> works.</summary>
    public bool PublicUrls { get; init; }

    /// <summary><see cref="IStorage.GetSignedUrlAsync"/> works.</summary>
    public bool SignedUrls { get; init; }

    /// <summary><see cref="IStorage.SetVisibilityAsync"/> works.</summary>
    public bool Visibility { get; init; }

    /// <summary><see cref="IStorage.GetLocalPath"/> returns paths.</summary>
    public bool LocalPaths { get; init; }

    /// <summary>The content type given at save is stored, rather than inferred from the name when read.</summary>
    public bool StoresContentType { get; init; }

    /// <summary><see cref="SaveOptions.Metadata"/> is stored and returned by <see cref="IStorage.GetInfoAsync"/>.</summary>
    public bool CustomMetadata { get; init; }

    /// <summary><see cref="SaveOptions.CacheControl"/> is stored and returned by <see cref="IStorage.GetInfoAsync"/>.</summary>
    public bool StoresCacheControl { get; init; }

    /// <summary>The longest object name, in UTF-8 bytes.</summary>
    public int MaxNameBytes { get; init; } = 1024;

    /// <summary>The longest single <c>/</c>-separated segment, in UTF-8 bytes (file systems allow 255).</summary>
    public int MaxSegmentBytes { get; init; } = 1024;
}
