namespace Wharf.StaticManifest.Compression;

/// <summary>A compressed copy of a file worth keeping: its content coding, bytes and SHA-256.</summary>
public sealed class PrecompressedVariant
{
    /// <summary>Creates a variant.</summary>
    /// <param name="coding">The HTTP content coding, <see cref="ContentCodings.Brotli"/> or <see cref="ContentCodings.Gzip"/>.</param>
    /// <param name="content">The compressed bytes.</param>
    /// <param name="contentHash">The SHA-256 of <paramref name="content"/>, lower-case hex.</param>
    public PrecompressedVariant(string coding, ReadOnlyMemory<byte> content, string contentHash)
    {
        FileExtension = ContentCodings.GetFileExtension(coding);
        ArgumentException.ThrowIfNullOrEmpty(contentHash);
        Coding = coding;
        Content = content;
        ContentHash = contentHash;
    }

    /// <summary>The HTTP content coding (<c>Content-Encoding</c>): <c>br</c> or <c>gzip</c>.</summary>
    public string Coding { get; }

    /// <summary>The suffix of the variant's file, appended to the original's name: <c>.br</c> or <c>.gz</c>.</summary>
    public string FileExtension { get; }

    /// <summary>The compressed bytes.</summary>
    public ReadOnlyMemory<byte> Content { get; }

    /// <summary>The length of <see cref="Content"/> in bytes.</summary>
    public long Length => Content.Length;

    /// <summary>The SHA-256 of <see cref="Content"/>, lower-case hex.</summary>
    public string ContentHash { get; }

    /// <summary>The manifest entry of this variant stored next to <paramref name="storedPath"/> (<c>storedPath + ".br"</c>).</summary>
    public StaticAssetEncoding ToEncoding(string storedPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(storedPath);
        return new StaticAssetEncoding(Coding, storedPath + FileExtension, Length, ContentHash);
    }
}

/// <summary>The content codings precompression produces, and their file suffixes.</summary>
public static class ContentCodings
{
    /// <summary>Brotli (RFC 7932), files <c>*.br</c>.</summary>
    public const string Brotli = "br";

    /// <summary>gzip (RFC 1952), files <c>*.gz</c>.</summary>
    public const string Gzip = "gzip";

    /// <summary>The suffix of a coding's files: <c>.br</c> or <c>.gz</c>.</summary>
    /// <exception cref="ArgumentException">The coding is not one of these.</exception>
    public static string GetFileExtension(string coding) => coding switch
    {
        Brotli => ".br",
        Gzip => ".gz",
        _ => throw new ArgumentException($"Unknown content coding '{coding}'; expected '{Brotli}' or '{Gzip}'.", nameof(coding)),
    };

    /// <summary>The coding of a file suffix: <c>.br</c> → <c>br</c>, <c>.gz</c> → <c>gzip</c>.</summary>
    /// <exception cref="ArgumentException">The suffix is not one of these.</exception>
    public static string FromFileExtension(string extension) => extension switch
    {
        ".br" => Brotli,
        ".gz" => Gzip,
        _ => throw new ArgumentException($"Unknown precompressed file suffix '{extension}'; expected '.br' or '.gz'.", nameof(extension)),
    };
}

/// <summary>What precompression did with a file.</summary>
public enum PrecompressionOutcome
{
    /// <summary>At least one variant was kept.</summary>
    Compressed,

    /// <summary>Compressed, but no variant passed the ratio rule (<see cref="PrecompressionOptions.MaxRatio"/>).</summary>
    NotEffective,

    /// <summary>Not tried: the extension is in <see cref="PrecompressionOptions.SkipExtensions"/>.</summary>
    SkippedExtension,

    /// <summary>Not tried: empty, or shorter than <see cref="PrecompressionOptions.MinimumLength"/>.</summary>
    SkippedTooSmall,

    /// <summary>Not tried: both Brotli and gzip are turned off.</summary>
    Disabled,
}

/// <summary>The result of precompressing one file's content.</summary>
/// <param name="Outcome">What was done.</param>
/// <param name="Variants">The variants kept, Brotli first; empty unless <paramref name="Outcome"/> is <see cref="PrecompressionOutcome.Compressed"/>.</param>
/// <param name="FromCache">Whether the variants (or the verdict that none pays) came from the cache instead of an encoder.</param>
public sealed record PrecompressionResult(PrecompressionOutcome Outcome, IReadOnlyList<PrecompressedVariant> Variants, bool FromCache);

/// <summary>A file for the batch API: a path under the directory, and optionally its content and SHA-256 when the caller already has them.</summary>
public sealed record PrecompressionInput
{
    /// <summary>Creates an input.</summary>
    /// <param name="path">The file's path relative to the directory, with <c>/</c> separators (<c>css/site.0123456789ab.css</c>).</param>
    public PrecompressionInput(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
    }

    /// <summary>The file's path relative to the directory, with <c>/</c> separators.</summary>
    public string Path { get; }

    /// <summary>The file's bytes when already in memory (after hashing); otherwise the file is read from the directory.</summary>
    public ReadOnlyMemory<byte>? Content { get; init; }

    /// <summary>The SHA-256 of the content, lower-case hex, when known; only used as the cache key.</summary>
    public string? ContentHash { get; init; }
}

/// <summary>What the batch API did with one file.</summary>
/// <param name="Path">The file's path relative to the directory, as given.</param>
/// <param name="Outcome">What was done.</param>
/// <param name="Encodings">
/// The variants written next to the file (<c>Path + ".br"</c>, <c>Path + ".gz"</c>), for the manifest; without a
/// variant whose name is taken by another input file, which is left alone.
/// </param>
/// <param name="FromCache">Whether the variants came from the cache.</param>
public sealed record PrecompressedFile(string Path, PrecompressionOutcome Outcome, IReadOnlyList<StaticAssetEncoding> Encodings, bool FromCache);
