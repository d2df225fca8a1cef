using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Wharf.StaticManifest.Serving;

/// <summary>
/// Stored path → asset, built from the manifest alone: no directory scan, so start-up costs one file read however
/// large the tree or slow the file system (whitenoise walks and stats the whole tree), and a file that is in the
/// folder but not in the manifest is never served. Every header value that does not depend on the request is
/// computed here, once; a request is a dictionary lookup, a few header assignments and a send.
/// </summary>
internal sealed class StaticAssetIndex
{
    private readonly Dictionary<string, StaticAssetEntry> _entries;
    private readonly Dictionary<string, StaticAssetEntry>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    private StaticAssetIndex(Dictionary<string, StaticAssetEntry> entries)
    {
        _entries = entries;
        _lookup = entries.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>An index that serves nothing: no manifest yet.</summary>
    public static StaticAssetIndex Empty { get; } = new(new Dictionary<string, StaticAssetEntry>(StringComparer.Ordinal));

    /// <summary>How many assets it serves.</summary>
    public int Count => _entries.Count;

    /// <summary>Finds an asset by its stored path, without allocating.</summary>
    public bool TryGet(ReadOnlySpan<char> storedPath, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StaticAssetEntry? entry) =>
        _lookup.TryGetValue(storedPath, out entry);

    /// <summary>Builds the index of a manifest; entries whose paths could leave the root are logged and left out.</summary>
    public static StaticAssetIndex Build(StaticAssetManifest manifest, string root, StaticAssetServingOptions options, ILogger logger)
    {
        var shared = new SharedHeaderValues(options);
        var entries = new Dictionary<string, StaticAssetEntry>(manifest.Assets.Count, StringComparer.Ordinal);
        foreach (StaticAsset asset in manifest.Assets.Values)
        {
            if (!TryResolve(root, asset.StoredPath, out string? physicalPath))
            {
                StaticAssetServingLog.UnsafeStoredPath(logger, asset.StoredPath);
                continue;
            }

            string? identityTag = TagFromHash(asset.ContentHash);
            var representations = new List<StaticAssetRepresentation>(asset.Encodings.Count + 1)
            {
                new(null, physicalPath, identityTag is null ? -1 : asset.Length, identityTag),
            };
            foreach (StaticAssetEncoding encoding in asset.Encodings)
            {
                if (!Http.IsToken(encoding.Name) || encoding.Name.Equals("identity", StringComparison.OrdinalIgnoreCase)
                    || representations.Exists(r => string.Equals(r.Coding, encoding.Name, StringComparison.OrdinalIgnoreCase))
                    || !TryResolve(root, encoding.StoredPath, out string? encodedPath))
                {
                    StaticAssetServingLog.UnusableEncoding(logger, asset.StoredPath, encoding.Name, encoding.StoredPath);
                    continue;
                }

                // Each representation gets its own strong validator: the bytes differ, so one tag for all (whitenoise)
                // lets a cache or a range request mix gzip bytes into a Brotli body.
                string? tag = TagFromHash(encoding.ContentHash) ?? (identityTag is null ? null : identityTag[..^1] + "-" + encoding.Name + "\"");
                representations.Add(new StaticAssetRepresentation(encoding.Name, encodedPath, tag is null ? -1 : encoding.Length, tag));
            }

            // Preference at equal quality: the smaller file, then br before zstd before gzip; identity always last,
            // so "Accept-Encoding: gzip, br" gets br and an unlisted identity only what nothing else can serve.
            StaticAssetRepresentation[] ordered =
            [
                .. representations.Skip(1).OrderBy(r => r.ExpectedLength < 0 ? long.MaxValue : r.ExpectedLength).ThenBy(r => CodingRank(r.Coding!)).ThenBy(r => r.Coding, StringComparer.Ordinal),
                representations[0],
            ];
            entries[asset.StoredPath] = new StaticAssetEntry(asset, shared.ContentType(asset.ContentType), asset.IsFingerprinted ? shared.Immutable : shared.ShortLived, ordered);
        }

        return new StaticAssetIndex(entries);
    }

    /// <summary>
    /// Maps a manifest path into the root, or refuses it: absolute paths, backslashes, empty, <c>.</c> and <c>..</c>
    /// segments and control characters. The manifest is written by our collect step, but a hand-edited or foreign one
    /// must not be a way out of the root; URLs never reach the file system at all (they only look up this index).
    /// </summary>
    internal static bool TryResolve(string root, string storedPath, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? physicalPath)
    {
        physicalPath = null;
        if (string.IsNullOrEmpty(storedPath) || storedPath[0] == '/' || storedPath.Contains('\\', StringComparison.Ordinal) || storedPath.Contains(':', StringComparison.Ordinal))
        {
            return false;
        }

        foreach (char c in storedPath)
        {
            if (char.IsControl(c))
            {
                return false;
            }
        }

        foreach (Range segment in storedPath.AsSpan().Split('/'))
        {
            ReadOnlySpan<char> part = storedPath.AsSpan()[segment];
            if (part.IsEmpty || part is "." || part is "..")
            {
                return false;
            }
        }

        string full = Path.GetFullPath(Path.Join(root, storedPath.Replace('/', Path.DirectorySeparatorChar)));
        if (!full.StartsWith(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return false;
        }

        physicalPath = full;
        return true;
    }

    /// <summary>A strong entity tag from a SHA-256 hex digest: its first 128 bits, plenty to tell versions apart.</summary>
    private static string? TagFromHash(string? hash)
    {
        if (hash is null || hash.Length < 32 || hash.AsSpan(0, 32).IndexOfAnyExcept("0123456789abcdefABCDEF") >= 0)
        {
            return null; // A Django manifest has no hashes; the file's time and size stand in (see RepresentationFile).
        }

        return string.Concat("\"", hash.AsSpan(0, 32).ToString().ToLowerInvariant(), "\"");
    }

    private static int CodingRank(string coding) => coding switch
    {
        "br" => 0,
        "zstd" => 1,
        "gzip" => 2,
        _ => 3,
    };

    /// <summary>Header values shared by many entries, so a large manifest holds each once.</summary>
    private sealed class SharedHeaderValues(StaticAssetServingOptions options)
    {
        private readonly Dictionary<string, StringValues> _contentTypes = new(StringComparer.Ordinal);

        public StringValues Immutable { get; } = "public, max-age=31536000, immutable";

        public StringValues ShortLived { get; } = "public, max-age=" + ((long)options.MaxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture);

        public StringValues ContentType(string? contentType)
        {
            contentType = string.IsNullOrWhiteSpace(contentType) ? "application/octet-stream" : contentType;
            if (!_contentTypes.TryGetValue(contentType, out StringValues value))
            {
                value = WithCharset(contentType);
                _contentTypes[contentType] = value;
            }

            return value;
        }

        /// <summary>
        /// Text types get <c>; charset=utf-8</c> (collect writes UTF-8) unless they name a charset: without it, browsers
        /// fall back to windows-1252 for <c>text/plain</c> and friends. JSON defines no charset parameter (RFC 8259).
        /// </summary>
        internal static string WithCharset(string contentType)
        {
            if (!MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? parsed) || parsed.Charset.HasValue)
            {
                return contentType;
            }

            StringSegment type = parsed.MediaType;
            bool text = type.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
                || type.Equals("application/javascript", StringComparison.OrdinalIgnoreCase)
                || type.Equals("application/xml", StringComparison.OrdinalIgnoreCase)
                || type.Equals("image/svg+xml", StringComparison.OrdinalIgnoreCase)
                || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+xml", StringComparison.OrdinalIgnoreCase));
            return text ? contentType + "; charset=utf-8" : contentType;
        }
    }
}

/// <summary>One servable asset: its constant headers and its representations in preference order, identity last.</summary>
internal sealed class StaticAssetEntry(StaticAsset asset, StringValues contentType, StringValues cacheControl, StaticAssetRepresentation[] representations)
{
    public StaticAsset Asset { get; } = asset;

    public StringValues ContentType { get; } = contentType;

    public StringValues CacheControl { get; } = cacheControl;

    /// <summary>Encoded variants by preference at equal quality, then identity.</summary>
    public StaticAssetRepresentation[] Representations { get; } = representations;

    /// <summary>The codings in <see cref="ContentCodingNegotiator.Rate"/>'s order: identity (null) first, then the variants'.</summary>
    public string?[] Codings { get; } = [null, .. representations[..^1].Select(r => r.Coding)];

    /// <summary>The identity representation (the stored file itself).</summary>
    public StaticAssetRepresentation Identity => Representations[^1];

    /// <summary>Whether responses vary by <c>Accept-Encoding</c>: only when there is something to choose.</summary>
    public bool HasVariants => Representations.Length > 1;
}

/// <summary>
/// One representation (identity or a precompressed variant) and, once a request needed it, what the disk says of it.
/// The file is stat'ed lazily, once, rather than at start-up: a large tree costs nothing until its files are asked
/// for, and a missing or truncated file shows up as a log line, not a failed start.
/// </summary>
internal sealed class StaticAssetRepresentation(string? coding, string physicalPath, long expectedLength, string? entityTag)
{
    private RepresentationFile? _file;

    /// <summary>The content coding; <see langword="null"/> for identity.</summary>
    public string? Coding { get; } = coding;

    /// <summary><c>Content-Encoding</c>'s value (empty for identity).</summary>
    public StringValues ContentEncoding { get; } = coding;

    public string PhysicalPath { get; } = physicalPath;

    /// <summary>The size the manifest records; -1 when it records none (a Django manifest).</summary>
    public long ExpectedLength { get; } = expectedLength;

    /// <summary>The strong tag from the manifest's hash, quotes included; <see langword="null"/> when it has none.</summary>
    public string? EntityTag { get; } = entityTag;

    /// <summary>Forgets the file's state after it vanished; it is looked at again after a short pause.</summary>
    public void MarkMissing() => Volatile.Write(ref _file, RepresentationFile.Missing());

    /// <summary>The file's state, stat'ing it the first time; <see langword="null"/> when it cannot be served.</summary>
    public RepresentationFile? GetFile(ILogger logger)
    {
        RepresentationFile? file = Volatile.Read(ref _file);
        if (file is not null && (file.IsAvailable || Environment.TickCount64 < file.RetryAt))
        {
            return file.IsAvailable ? file : null;
        }

        file = RepresentationFile.Stat(this, logger);
        Volatile.Write(ref _file, file);
        return file.IsAvailable ? file : null;
    }
}

/// <summary>A representation's file as stat'ed: size, modification time and the validators derived from them.</summary>
internal sealed class RepresentationFile
{
    /// <summary>A missing or mismatched file is looked at again after this long, and logged at most that often.</summary>
    private const long RetryMilliseconds = 1000;

    private RepresentationFile()
    {
    }

    public bool IsAvailable { get; private init; }

    public long RetryAt { get; private init; }

    public long Length { get; private init; }

    /// <summary>The strong entity tag, quotes included.</summary>
    public string EntityTag { get; private init; } = string.Empty;

    public StringValues EntityTagHeader { get; private init; }

    /// <summary>The modification time to the second (HTTP dates have no more); <see langword="null"/> when unknown.</summary>
    public DateTimeOffset? LastModified { get; private init; }

    public StringValues LastModifiedHeader { get; private init; }

    public static RepresentationFile Missing() => new() { RetryAt = Environment.TickCount64 + RetryMilliseconds };

    public static RepresentationFile Stat(StaticAssetRepresentation representation, ILogger logger)
    {
        var info = new FileInfo(representation.PhysicalPath);
        if (!info.Exists)
        {
            StaticAssetServingLog.FileMissing(logger, representation.PhysicalPath);
            return Missing();
        }

        if (representation.ExpectedLength >= 0 && info.Length != representation.ExpectedLength)
        {
            // The disk and the manifest disagree (a half-finished deploy, an edited file): sending these bytes under
            // the manifest's validators would let caches keep the wrong content forever.
            StaticAssetServingLog.FileSizeMismatch(logger, representation.PhysicalPath, info.Length, representation.ExpectedLength);
            return Missing();
        }

        DateTimeOffset modified = new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero);
        DateTimeOffset? lastModified = modified.Year < 1971 ? null : new DateTimeOffset(modified.Ticks - (modified.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        string tag = representation.EntityTag ?? string.Create(
            CultureInfo.InvariantCulture,
            $"\"{modified.ToUnixTimeSeconds():x}-{info.Length:x}{(representation.Coding is null ? string.Empty : "-" + representation.Coding)}\"");
        return new RepresentationFile
        {
            IsAvailable = true,
            Length = info.Length,
            EntityTag = tag,
            EntityTagHeader = tag,
            LastModified = lastModified,
            LastModifiedHeader = lastModified is { } date ? HeaderUtilities.FormatDate(date) : default(StringValues),
        };
    }
}
