namespace Wharf.Storage;

/// <summary>Options for <see cref="IStorage.SaveAsync"/>.</summary>
public sealed class SaveOptions
{
    /// <summary>The content type, such as <c>image/png</c>. When <see langword="null"/> it is inferred from the name's extension.</summary>
    public string? ContentType { get; set; }

    /// <summary>A Cache-Control value stored with the object, such as <c>public, max-age=31536000, immutable</c>.</summary>
    public string? CacheControl { get; set; }

    /// <summary>
    /// User metadata stored with the object. Keys are ASCII identifiers (<c>[A-Za-z_][A-Za-z0-9_]*</c>, compared
    /// without case, returned in lower case) and values printable ASCII, so that every backend can keep them;
    /// at most 2 KiB in all.
    /// </summary>
    public IDictionary<string, string>? Metadata { get; set; }

    /// <summary>
    /// Replace an object that already has the name (atomically). <see langword="null"/> uses the storage's
    /// <see cref="StorageOptions.Overwrite"/> setting, which is off by default.
    /// </summary>
    public bool? Overwrite { get; set; }

    /// <summary>
    /// The longest name, in characters, the caller can keep (a database column, say). A longer name, or an
    /// alternative that would be longer, has its stem shortened to fit, like Django's <c>max_length</c>.
    /// </summary>
    public int? MaxNameLength { get; set; }
}

/// <summary>The outcome of a save.</summary>
/// <param name="Name">The name actually stored: the wanted name, or an available alternative of it.</param>
/// <param name="Length">The number of bytes stored.</param>
/// <param name="ETag">The stored object's entity tag, when the backend reports one.</param>
public sealed record SaveResult(string Name, long Length, string? ETag);

/// <summary>What a storage knows about one object.</summary>
public sealed record StorageObjectInfo
{
    /// <summary>The object name.</summary>
    public required string Name { get; init; }

    /// <summary>The size in bytes.</summary>
    public required long Length { get; init; }

    /// <summary>The content type, stored or inferred from the name.</summary>
    public required string ContentType { get; init; }

    /// <summary>When the object was last written, in UTC.</summary>
    public required DateTimeOffset LastModified { get; init; }

    /// <summary>The entity tag (quoted, as in HTTP), when the backend has one.</summary>
    public string? ETag { get; init; }

    /// <summary>The stored Cache-Control value, if any.</summary>
    public string? CacheControl { get; init; }

    /// <summary>User metadata; keys in lower case. Empty when there is none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = EmptyMetadata;

    internal static readonly IReadOnlyDictionary<string, string> EmptyMetadata =
        new Dictionary<string, string>(0, StringComparer.OrdinalIgnoreCase);
}

/// <summary>One entry of a listing: an object, or a folded "directory" prefix in a one-level listing.</summary>
public sealed record StorageEntry
{
    /// <summary>The object name, or for a directory its prefix ending in <c>/</c>.</summary>
    public required string Name { get; init; }

    /// <summary>This entry stands for every name below <see cref="Name"/> (one-level listings only).</summary>
    public bool IsDirectory { get; init; }

    /// <summary>The size in bytes; <see langword="null"/> for directories.</summary>
    public long? Length { get; init; }

    /// <summary>When the object was last written; <see langword="null"/> for directories.</summary>
    public DateTimeOffset? LastModified { get; init; }

    /// <summary>The entity tag, when the listing reports one.</summary>
    public string? ETag { get; init; }
}

/// <summary>Options for <see cref="IStorage.ListAsync"/>.</summary>
public sealed class ListOptions
{
    /// <summary>List every name below the prefix instead of folding deeper names into directory entries.</summary>
    public bool Recursive { get; set; }

    /// <summary>How many entries the backend fetches per request underneath (a hint; 1 to 5000).</summary>
    public int PageSizeHint { get; set; } = 1000;
}

/// <summary>A range of bytes to read: <see cref="Offset"/> and, optionally, a <see cref="Length"/>.</summary>
public readonly record struct ByteRange
{
    /// <summary>Creates a range.</summary>
    /// <param name="offset">The first byte, from 0.</param>
    /// <param name="length">How many bytes; <see langword="null"/> reads to the end.</param>
    public ByteRange(long offset, long? length = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is { } l)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(l, nameof(length));
        }

        Offset = offset;
        Length = length;
    }

    /// <summary>The first byte, from 0.</summary>
    public long Offset { get; }

    /// <summary>How many bytes; <see langword="null"/> to the end.</summary>
    public long? Length { get; }

    /// <summary>The range clipped to an object of <paramref name="objectLength"/> bytes, as (offset, count).</summary>
    public (long Offset, long Count) Clip(long objectLength)
    {
        long offset = Math.Min(Offset, objectLength);
        long available = objectLength - offset;
        return (offset, Length is { } l ? Math.Min(l, available) : available);
    }

    /// <inheritdoc/>
    public override string ToString() => Length is { } l ? $"bytes {Offset}-{Offset + l - 1}" : $"bytes {Offset}-";
}

/// <summary>Options for <see cref="IStorage.GetSignedUrlAsync"/>.</summary>
public sealed class SignedUrlOptions
{
    /// <summary>How long the URL stays valid; <see langword="null"/> uses the storage's default lifetime.</summary>
    public TimeSpan? ExpiresIn { get; set; }

    /// <summary>The Content-Disposition the response should carry, such as <c>attachment; filename="report.pdf"</c>.</summary>
    public string? ResponseContentDisposition { get; set; }

    /// <summary>The Content-Type the response should carry.</summary>
    public string? ResponseContentType { get; set; }
}

/// <summary>Who may read one object directly from the storage service.</summary>
public enum ObjectVisibility
{
    /// <summary>Only holders of credentials or a signed URL.</summary>
    Private = 0,

    /// <summary>Anyone, anonymously.</summary>
    Public = 1,
}
