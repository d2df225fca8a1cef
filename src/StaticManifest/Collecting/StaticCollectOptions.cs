using Wharf.StaticManifest.Compression;
using Wharf.Storage;

namespace Wharf.StaticManifest.Collecting;

/// <summary>Options of a collect: where the sources are and how their files are processed and published.</summary>
public sealed class StaticCollectOptions
{
    /// <summary>The source folders, in order: the first that has a path wins (Django's <c>STATICFILES_DIRS</c>).</summary>
    public IList<string> Sources { get; } = [];

    /// <summary>Extra ignore patterns, matched against names and relative paths (<see cref="GlobPattern"/>).</summary>
    public IList<string> IgnorePatterns { get; } = [];

    /// <summary>Also ignore <see cref="StaticFileFinder.DefaultIgnorePatterns"/> (dotfiles, <c>*~</c>, <c>CVS</c>). On by default.</summary>
    public bool UseDefaultIgnorePatterns { get; set; } = true;

    /// <summary>
    /// The URL path the tree is served under, ending with <c>/</c> (Django's <c>STATIC_URL</c>): absolute references
    /// under it are rewritten, other absolute paths are left alone. Default <c>/static/</c>.
    /// </summary>
    public string StaticUrl { get; set; } = "/static/";

    /// <summary>Also publish each file under its original name (as Django does). Off keeps only the fingerprinted files.</summary>
    public bool KeepOriginals { get; set; } = true;

    /// <summary>What a reference to a file that is not in the tree does. <see cref="MissingReferenceMode.Strict"/> by default.</summary>
    public MissingReferenceMode MissingReferences { get; set; } = MissingReferenceMode.Strict;

    /// <summary>The extensions whose references are rewritten (case-insensitive). Default <c>.css</c>, <c>.js</c>, <c>.mjs</c>.</summary>
    public IList<string> RewriteExtensions { get; } = [".css", ".js", ".mjs"];

    /// <summary>Write Brotli and gzip variants of compressible files. On by default.</summary>
    public bool Precompress { get; set; } = true;

    /// <summary>How variants are made (qualities, ratio, skip list); the defaults when null.</summary>
    public Compression.PrecompressionOptions? Compression { get; set; }

    /// <summary>How many uploads run at once. Default 16.</summary>
    public int MaxParallelUploads { get; set; } = 16;

    /// <summary>The manifest's name in the destination. Default <c>staticfiles.json</c>.</summary>
    public string ManifestName { get; set; } = StaticAssetManifest.DefaultName;

    /// <summary>
    /// A local file where the collect remembers what it learned, so the next collect reads only what changed. Null
    /// (the default) keeps no cache: every collect reads, hashes and scans every source file and lists the destination.
    /// </summary>
    /// <remarks>
    /// <para>
    /// It holds, per source file (physical path, length and modification time), its SHA-256 and integrity and the
    /// CSS/JavaScript references found in it; per rewritten file, its final hashes (valid while its source and the final
    /// names it refers to are unchanged); and what the destination held after the last publish. A file whose length and
    /// modification time are unchanged is not read; its rewritten content is made again only if it must be uploaded.
    /// </para>
    /// <para>
    /// The destination's contents are taken from the cache, without listing it or reading the previous manifest, while
    /// the destination's manifest is the very one the last collect wrote (same ETag, length and time); anything else —
    /// a collect from another machine, a hand-edited manifest — falls back to the listing. Files deleted from the
    /// destination by hand while its manifest stayed the same are therefore not noticed: delete the cache file (or the
    /// manifest) after such a change. Use one cache file per destination and set of sources; it is not shared safely
    /// between concurrent collects. An unreadable cache file is ignored.
    /// </para>
    /// </remarks>
    public string? CacheFile { get; set; }

    /// <summary>
    /// A folder where precompressed variants are kept by content hash and compression settings
    /// (<see cref="DirectoryPrecompressionCache"/>), so content compressed once is never compressed again, whatever
    /// the destination. Defaults to <c>{CacheFile}.variants</c> when <see cref="CacheFile"/> is set; otherwise, and
    /// without <see cref="PrecompressionCache"/>, every collect compresses every compressible file.
    /// </summary>
    /// <remarks>
    /// With a <see cref="CacheFile"/> and a destination as the last collect left it, content published then keeps the
    /// variants published then without being read or compressed; this folder serves the other cases (a new
    /// destination, a reverted file, a cleared destination).
    /// </remarks>
    public string? PrecompressionCacheDirectory { get; set; }

    /// <summary>A precompression cache of your own (a shared store, say); wins over <see cref="PrecompressionCacheDirectory"/>.</summary>
    public IPrecompressionCache? PrecompressionCache { get; set; }

    /// <summary>Find, process and report, but write nothing (no files, no manifest; the caches are read, never written).</summary>
    public bool DryRun { get; set; }

    /// <summary>After the new manifest is written, delete destination files it does not list (Django's <c>--clear</c>, done last so the old deployment stays servable until then).</summary>
    public bool PruneStale { get; set; }

    /// <summary>Checks the options; each problem names its option.</summary>
    /// <exception cref="ArgumentException">The options are not valid.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (Sources.Count == 0)
        {
            problems.Add($"{nameof(Sources)}: at least one source folder is required.");
        }

        if (string.IsNullOrEmpty(StaticUrl) || !StaticUrl.EndsWith('/'))
        {
            problems.Add($"{nameof(StaticUrl)}: must end with '/'; it is '{StaticUrl}'.");
        }

        if (MaxParallelUploads is < 1 or > 256)
        {
            problems.Add($"{nameof(MaxParallelUploads)}: must be from 1 to 256; it is {MaxParallelUploads}.");
        }

        if (ObjectName.GetProblem(ManifestName) is { } problem)
        {
            problems.Add($"{nameof(ManifestName)}: '{ManifestName}' is not a valid name: {problem}");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems));
        }
    }
}

/// <summary>What a reference to a missing file does.</summary>
public enum MissingReferenceMode
{
    /// <summary>The collect fails, listing every missing reference (file:line:column), and writes nothing.</summary>
    Strict = 0,

    /// <summary>The reference is left unchanged and reported; the collect goes on.</summary>
    Lenient = 1,
}

/// <summary>A reference to a file that is not in the tree (or that climbs above it).</summary>
/// <param name="SourcePath">The file holding the reference.</param>
/// <param name="Line">Its 1-based line.</param>
/// <param name="Column">Its 1-based column.</param>
/// <param name="Url">The URL as written.</param>
/// <param name="TargetPath">The logical path it resolves to, when it resolves at all.</param>
public sealed record MissingReference(string SourcePath, int Line, int Column, string Url, string? TargetPath)
{
    /// <inheritdoc/>
    public override string ToString() => $"{SourcePath}:{Line}:{Column}: '{Url}'" + (TargetPath is null ? " climbs above the static root" : $" → '{TargetPath}' is not in the tree");
}

/// <summary>Progress of a collect, for a terminal or a log.</summary>
/// <param name="Stage">What is happening: finding, processing, compressing, publishing, manifest, pruning.</param>
/// <param name="Done">Items done in this stage.</param>
/// <param name="Total">Items in this stage.</param>
public readonly record struct CollectProgress(string Stage, int Done, int Total);

/// <summary>What a collect did.</summary>
public sealed record CollectResult
{
    private Lazy<StaticAssetManifest>? _manifest;

    /// <summary>The manifest written (or that would be, in a dry run).</summary>
    /// <remarks>Built when first read: a collect writes the manifest without building this object.</remarks>
    public StaticAssetManifest Manifest
    {
        get => (_manifest ?? throw new InvalidOperationException("This result has no manifest.")).Value;
        init => _manifest = new Lazy<StaticAssetManifest>(value);
    }

    /// <summary>Builds <see cref="Manifest"/> when it is first read.</summary>
    internal Func<StaticAssetManifest> ManifestFactory
    {
        init => _manifest = new Lazy<StaticAssetManifest>(value, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Files uploaded to the destination (variants included).</summary>
    public int Copied { get; init; }

    /// <summary>Files already at the destination with the same content, not uploaded again.</summary>
    public int Unmodified { get; init; }

    /// <summary>Files whose references are rewritten (whether this collect rewrote them or the cache knew the result).</summary>
    public int PostProcessed { get; init; }

    /// <summary>
    /// Precompressed variants the manifest lists: made by this collect, taken from the precompression cache, or kept
    /// from a trusted destination (like <see cref="PostProcessed"/>, a count of the result, not of the work done).
    /// </summary>
    public int Compressed { get; init; }

    /// <summary>Stale files deleted (with <see cref="StaticCollectOptions.PruneStale"/>).</summary>
    public int Deleted { get; init; }

    /// <summary>References to missing files (left unchanged in lenient mode).</summary>
    public IReadOnlyList<MissingReference> Missing { get; init; } = [];

    /// <summary>Paths found in several sources.</summary>
    public IReadOnlyList<FileConflict> Conflicts { get; init; } = [];

    /// <summary>Files found in the sources.</summary>
    public int Found { get; init; }
}

/// <summary>A strict collect found references to missing files; nothing was written.</summary>
public sealed class MissingReferencesException : StaticManifestException
{
    /// <summary>Creates the exception.</summary>
    public MissingReferencesException(IReadOnlyList<MissingReference> missing)
        : base($"{missing.Count} reference(s) to files that are not in the static tree:{Environment.NewLine}" + string.Join(Environment.NewLine, missing))
    {
        Missing = missing;
    }

    /// <summary>Every missing reference.</summary>
    public IReadOnlyList<MissingReference> Missing { get; }
}
