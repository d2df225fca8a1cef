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
    private readonly Dictionary<string, StaticAssetTarget> _targets;
    private readonly Dictionary<string, StaticAssetTarget>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    private StaticAssetIndex(Dictionary<string, StaticAssetTarget> targets, int count, int indexedFolders, bool hasRootIndex)
    {
        _targets = targets;
        _lookup = targets.GetAlternateLookup<ReadOnlySpan<char>>();
        Count = count;
        IndexedFolders = indexedFolders;
        HasRootIndex = hasRootIndex;
    }

    /// <summary>An index that serves nothing: no manifest yet.</summary>
    public static StaticAssetIndex Empty { get; } = new(new Dictionary<string, StaticAssetTarget>(StringComparer.Ordinal), 0, 0, hasRootIndex: false);

    /// <summary>How many assets it serves (stored files; folder URLs and redirects not counted).</summary>
    public int Count { get; }

    /// <summary>How many folders have an index file (<see cref="StaticAssetServingOptions.IndexFile"/>).</summary>
    public int IndexedFolders { get; }

    /// <summary>
    /// Whether the root folder has an index file, so the prefix without its slash (<c>/static</c>) redirects to
    /// <c>static/</c>. That one is not a key: its <c>Location</c> is the request's own spelling of the prefix.
    /// </summary>
    public bool HasRootIndex { get; }

    /// <summary>
    /// Finds what a path under the prefix leads to, without allocating: a stored path, and with index files on a
    /// folder (<c>docs/</c>, or the empty path for the root), a folder without its slash or a folder's index file
    /// by name, which redirect. One dictionary probe whatever the kind.
    /// </summary>
    public bool TryGet(ReadOnlySpan<char> path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StaticAssetTarget? target) =>
        _lookup.TryGetValue(path, out target);

    /// <summary><c>Cache-Control</c> for names without a hash, and for redirects.</summary>
    public static string ShortLivedCacheControl(StaticAssetServingOptions options) =>
        "public, max-age=" + ((long)options.MaxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture);

    /// <summary>Builds the index of a manifest; entries whose paths could leave the root are logged and left out.</summary>
    public static StaticAssetIndex Build(StaticAssetManifest manifest, string root, StaticAssetServingOptions options, ILogger logger)
    {
        var shared = new SharedHeaderValues(options);
        var entries = new Dictionary<string, StaticAssetTarget>(manifest.Assets.Count, StringComparer.Ordinal);
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

        int count = entries.Count;
        int folders = 0;
        bool hasRootIndex = false;
        if (!string.IsNullOrEmpty(options.IndexFile))
        {
            (folders, hasRootIndex) = AddIndexRoutes(manifest, entries, options.IndexFile, shared.ShortLived, logger);
        }

        return new StaticAssetIndex(entries, count, folders, hasRootIndex);
    }

    /// <summary>
    /// Adds, for every folder whose index file the manifest lists, the keys <c>docs/</c> (serves it), <c>docs/index.html</c>
    /// (redirects to <c>./</c>) and <c>docs</c> (redirects to <c>docs/</c>), once per manifest rather than per request:
    /// the request path stays one dictionary probe and nothing is ever looked for on disk. A folder URL serves the asset
    /// its index file's logical path resolves to — the fingerprinted file when there is one, as
    /// <see cref="StaticAssetManifest.TryGetByLogicalPath"/> and the app's URL helpers resolve it — under the short
    /// max-age: the folder URL is not content-addressed, whatever the file's name.
    /// </summary>
    private static (int Folders, bool HasRootIndex) AddIndexRoutes(StaticAssetManifest manifest, Dictionary<string, StaticAssetTarget> entries, string indexFile, StringValues shortLived, ILogger logger)
    {
        var folders = new Dictionary<string, StaticAssetEntry>(StringComparer.Ordinal);
        foreach (StaticAsset asset in manifest.Assets.Values)
        {
            string logical = asset.LogicalPath;
            int slash = logical.LastIndexOf('/');
            if (!logical.AsSpan(slash + 1).SequenceEqual(indexFile))
            {
                continue;
            }

            string folder = logical[..(slash + 1)]; // "docs/", or "" for the root.
            if (folders.ContainsKey(folder) || !manifest.TryGetByLogicalPath(logical, out StaticAsset? chosen)
                || !entries.TryGetValue(chosen.StoredPath, out StaticAssetTarget? target) || target is not StaticAssetEntry entry)
            {
                continue; // Done already, or its stored path was refused (and logged) above.
            }

            // Fingerprinting renames a file, never moves it. Requiring the stored file in the same folder means every
            // folder key is a prefix of a stored path that passed TryResolve (no "..", empty segments, ":" or
            // backslashes), whatever a hand-edited manifest says the logical path is.
            if (!chosen.StoredPath.StartsWith(folder, StringComparison.Ordinal) || chosen.StoredPath.AsSpan(folder.Length).Contains('/'))
            {
                StaticAssetServingLog.IndexFileElsewhere(logger, logical, chosen.StoredPath);
                continue;
            }

            folders[folder] = new StaticAssetEntry(chosen, entry.ContentType, shortLived, entry.Representations);
        }

        // Stored paths never end with "/" and are never empty, so folder keys cannot displace an asset. The index file
        // by name then always redirects, even where the manifest stores a copy under that name (Django's and collect's
        // kept originals): one URL per page, as whitenoise does.
        foreach ((string folder, StaticAssetEntry entry) in folders)
        {
            entries[folder] = entry;
            entries[folder + indexFile] = StaticAssetRedirect.ToFolderItself;
        }

        foreach (string folder in folders.Keys)
        {
            // A listed file of the same name wins over the redirect: stored paths are served as listed. (On disk a file
            // and a folder cannot share a name, so one of the two is missing and its request is passed on.)
            if (folder.Length > 0)
            {
                string bare = folder[..^1];
                string name = bare[(bare.LastIndexOf('/') + 1)..];
                entries.TryAdd(bare, new StaticAssetRedirect(Uri.EscapeDataString(name) + "/"));
            }
        }

        return (folders.Count, folders.ContainsKey(string.Empty));
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

        public StringValues ShortLived { get; } = ShortLivedCacheControl(options);

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

/// <summary>What a path under the prefix leads to: an asset (<see cref="StaticAssetEntry"/>) or a redirect (<see cref="StaticAssetRedirect"/>).</summary>
internal abstract class StaticAssetTarget;

/// <summary>
/// A redirect of the index-file feature, 302 with a relative <c>Location</c> so it holds behind any proxy or path base:
/// <c>docs</c> → <c>docs/</c>, <c>docs/index.html</c> → <c>./</c>. The request's query string is appended.
/// </summary>
internal sealed class StaticAssetRedirect(string location) : StaticAssetTarget
{
    /// <summary>From a folder's index file by name to the folder: <c>./</c>.</summary>
    public static StaticAssetRedirect ToFolderItself { get; } = new("./");

    /// <summary>The relative location, percent-encoded, without the query.</summary>
    public string Location { get; } = location;
}

/// <summary>One servable asset: its constant headers and its representations in preference order, identity last.</summary>
internal sealed class StaticAssetEntry(StaticAsset asset, StringValues contentType, StringValues cacheControl, StaticAssetRepresentation[] representations) : StaticAssetTarget
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
