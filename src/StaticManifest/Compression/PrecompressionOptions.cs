namespace Wharf.StaticManifest.Compression;

/// <summary>
/// How static files are precompressed at build time: which codings, how hard, and which files are not worth it.
/// The defaults give the smallest files the BCL encoders can make (Brotli 11, gzip 9), like whitenoise; use
/// <see cref="Fast"/> for development builds.
/// </summary>
public sealed class PrecompressionOptions
{
    /// <summary>The smallest Brotli quality.</summary>
    public const int MinBrotliQuality = 0;

    /// <summary>The largest Brotli quality, and the default.</summary>
    public const int MaxBrotliQuality = 11;

    /// <summary>The Brotli window used, in bits (4 MiB, the Brotli library's and whitenoise's default).</summary>
    public const int BrotliWindowBits = 22;

    /// <summary>The largest gzip (zlib) level, and the default.</summary>
    public const int MaxGzipLevel = 9;

    /// <summary>The default <see cref="MaxRatio"/>, whitenoise's: a variant must save at least 5 %.</summary>
    public const double DefaultMaxRatio = 0.95;

    /// <summary>The default <see cref="MinimumLength"/> in bytes.</summary>
    public const long DefaultMinimumLength = 256;

    /// <summary>
    /// The extensions skipped by default because their formats are already compressed: whitenoise's list (jpg jpeg
    /// png gif webp zip gz tgz bz2 tbz xz br swf flv woff woff2 3gp 3gpp asf avi m4v mov mp4 mpeg mpg webm wmv) plus
    /// the newer or missed compressed image (avif heic heif jxl), archive (zst 7z rar lz lz4 lzma), audio (mp3 m4a aac
    /// ogg oga opus flac) and video (mkv ogv) formats, and pdf, whose streams are deflated: measured PDFs only shrank
    /// to 97–98 % with Brotli 11, failing the ratio rule after about 3 s of CPU per MB. Not skipped, because they
    /// shrink well: svg, ico (79 %), ttf, otf and eot (35 %), wasm, json, map.
    /// </summary>
    public static IReadOnlyList<string> DefaultSkipExtensions { get; } =
    [
        // whitenoise's SKIP_COMPRESS_EXTENSIONS
        "jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br", "swf", "flv", "woff", "woff2",
        "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4", "mpeg", "mpg", "webm", "wmv",

        // compressed formats whitenoise misses
        "avif", "heic", "heif", "jxl", "zst", "7z", "rar", "lz", "lz4", "lzma", "mp3", "m4a", "aac", "ogg", "oga", "opus",
        "flac", "mkv", "ogv", "pdf",
    ];

    /// <summary>
    /// New options for development builds: Brotli 5 and gzip 6, about 35 times less CPU than the defaults for about
    /// 15 % larger Brotli output (measured on Bootstrap, jQuery, React DOM and Font Awesome CSS and JS).
    /// </summary>
    public static PrecompressionOptions Fast => new() { BrotliQuality = 5, GzipLevel = 6 };

    /// <summary>Whether to write Brotli (<c>.br</c>, coding <c>br</c>) variants. Default <see langword="true"/>.</summary>
    public bool Brotli { get; set; } = true;

    /// <summary>Whether to write gzip (<c>.gz</c>, coding <c>gzip</c>) variants. Default <see langword="true"/>.</summary>
    public bool Gzip { get; set; } = true;

    /// <summary>
    /// The Brotli quality, 0–11. Default 11 (about 0.7 MB/s per core on real CSS and JS): quality 10 takes less than
    /// half the CPU for 1 % larger output, 9 a tenth for 11 % larger output, 5 a fiftieth for 15 % larger output.
    /// Files are compressed once, and with an <see cref="IPrecompressionCache"/> only when their content changes, but
    /// served many times, so the default spends the CPU.
    /// </summary>
    public int BrotliQuality { get; set; } = MaxBrotliQuality;

    /// <summary>
    /// The gzip (zlib) level, 1–9. Default 9: 1 % smaller than 6 for 3 times the CPU, which is still about 25 MB/s per
    /// core, nothing next to Brotli 11.
    /// </summary>
    public int GzipLevel { get; set; } = MaxGzipLevel;

    /// <summary>
    /// A variant is kept only if its length is at most this fraction of the original's. Default 0.95. When Brotli is
    /// enabled and not effective, gzip is not tried: it never beats Brotli by enough to pass where Brotli failed.
    /// </summary>
    public double MaxRatio { get; set; } = DefaultMaxRatio;

    /// <summary>
    /// Files shorter than this are not compressed. Default 256 bytes: below it gzip often does not pass the ratio rule
    /// and Brotli saves under 90 bytes (measured on lodash modules and Font Awesome SVGs), less than the headers of the
    /// response, for two more files to write, upload and list. 0 compresses everything but empty files.
    /// </summary>
    public long MinimumLength { get; set; } = DefaultMinimumLength;

    /// <summary>
    /// File extensions (with or without the dot, any case) that are never compressed. Starts as
    /// <see cref="DefaultSkipExtensions"/>; clear it to try every file.
    /// </summary>
    public ICollection<string> SkipExtensions { get; } = new List<string>(DefaultSkipExtensions);

    /// <summary>How many files are compressed at once by the batch API. Default -1: one per processor core.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of its range.</exception>
    public void Validate()
    {
        if (BrotliQuality is < MinBrotliQuality or > MaxBrotliQuality)
        {
            throw new ArgumentOutOfRangeException(nameof(BrotliQuality), BrotliQuality, $"The Brotli quality must be {MinBrotliQuality}–{MaxBrotliQuality}.");
        }

        if (GzipLevel is < 1 or > MaxGzipLevel)
        {
            throw new ArgumentOutOfRangeException(nameof(GzipLevel), GzipLevel, $"The gzip level must be 1–{MaxGzipLevel}.");
        }

        if (!(MaxRatio > 0 && MaxRatio <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRatio), MaxRatio, "The maximum ratio must be greater than 0 and at most 1.");
        }

        if (MinimumLength < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumLength), MinimumLength, "The minimum length cannot be negative.");
        }

        if (MaxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "The degree of parallelism must be positive, or -1 for one per core.");
        }
    }
}
