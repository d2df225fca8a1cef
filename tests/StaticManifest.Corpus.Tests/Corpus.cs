using System.Text;
using System.Text.Json;
using Wharf.StaticManifest.Collecting;
using Wharf.StaticManifest.Compression;
using Wharf.StaticManifest.Rewriting;
using Wharf.Storage;
using Wharf.Storage.FileSystem;

namespace Wharf.StaticManifest.Corpus.Tests;

/// <summary>
/// A reference the package really makes to a file it does not ship, which a lenient collect leaves as it is.
/// </summary>
/// <param name="SourcePath">The file holding the reference, relative to the package's source folder.</param>
/// <param name="Url">The URL as written.</param>
/// <param name="Why">What the reference is for, and why the file is not there.</param>
internal sealed record ExpectedMissing(string SourcePath, string Url, string Why);

/// <summary>One published npm package of the corpus, and the folder of it that a site would collect.</summary>
/// <param name="Name">The npm package name.</param>
/// <param name="Version">The version eng/corpus/package-lock.json pins (checked against the installed package).</param>
/// <param name="Folder">The folder collected, relative to the package.</param>
/// <param name="Ignore">Ignore patterns for the collect (folders of sources a site does not serve).</param>
/// <param name="Missing">The references to files the package does not ship; empty means a strict collect.</param>
internal sealed record CorpusPackage(string Name, string Version, string Folder, string[] Ignore, ExpectedMissing[] Missing)
{
    public MissingReferenceMode Mode => Missing.Length == 0 ? MissingReferenceMode.Strict : MissingReferenceMode.Lenient;

    public string SourceRoot => Path.Join(Corpus.NodeModules, Name, Folder);

    public override string ToString() => $"{Name}@{Version}/{Folder}";
}

/// <summary>
/// The real-world corpus: published front-end packages installed by eng/corpus/install.sh from a committed lockfile,
/// found through <c>WHARF_CORPUS_DIR</c> (the node_modules folder) that eng/test.sh exports. Without it every corpus
/// test fails with a message that says how to install it: the corpus tests never skip.
/// </summary>
internal static class Corpus
{
    /// <summary>The URL prefix the corpus is collected under.</summary>
    public const string StaticUrl = "/static/";

    /// <summary>The extensions whose references the collector rewrites (its defaults).</summary>
    public static readonly string[] RewriteExtensions = [".css", ".js", ".mjs"];

    /// <summary>
    /// Every package, and the folder a site collects: each collects strictly except reveal.js, whose unbundled module
    /// sources (js/, plugin/) use extensionless specifiers that only a bundler resolves.
    /// </summary>
    public static readonly CorpusPackage[] Packages =
    [
        // CSS with data: SVGs and rtlcss directive comments holding url(…), source maps for every CSS and JS file, an
        // ES module build importing the bare specifier '@popperjs/core' (not a reference: left alone).
        new("bootstrap", "5.3.9", "dist", [], []),

        // css/*.css → ../webfonts/*.woff2 and .ttf; the SVG sources, sprites, Less, Sass and metadata are not served.
        new("@fortawesome/fontawesome-free", "6.7.2", "", ["svgs", "sprites", "less", "scss", "metadata"], []),

        // katex.css → fonts/*.woff2, .woff, .ttf; contrib/*.mjs ES modules import '../katex.mjs'.
        new("katex", "0.16.47", "dist", [], []),

        // leaflet.css → images/*.png; leaflet.js, leaflet-src.js and leaflet-src.esm.js → source maps.
        new("leaflet", "1.9.4", "dist", [], []),

        // bootstrap-icons.css → fonts/bootstrap-icons.woff2?<hash> (a query string on every font URL).
        new("bootstrap-icons", "1.13.2", "font", [], []),

        // The whole package: dist/theme/*.css @import ./fonts/…/*.css, which @font-face url('./x.eot?#iefix') and
        // friends, and @import Google Fonts URLs; js/ is the unbundled ES module source (a graph of relative imports);
        // plugin/*/plugin.js are module sources too; css/ holds the Sass sources (collected as plain files).
        new("reveal.js", "5.2.1", "", [],
        [
            new("js/controllers/jumptoslide.js", "../utils/constants", "Unbundled source: bundlers add the '.js' of js/utils/constants.js."),
            new("js/controllers/slidenumber.js", "../utils/constants", "Unbundled source: bundlers add the '.js' of js/utils/constants.js."),
            new("plugin/math/plugin.js", "./katex", "Unbundled plugin source: bundlers add the '.js' of plugin/math/katex.js."),
            new("plugin/math/plugin.js", "./mathjax2", "Unbundled plugin source: bundlers add the '.js' of plugin/math/mathjax2.js."),
            new("plugin/math/plugin.js", "./mathjax3", "Unbundled plugin source: bundlers add the '.js' of plugin/math/mathjax3.js."),
        ]),

        // A Fontsource package: ~180 style sheets, one per subset, weight and style, → files/*.woff2 and .woff.
        new("@fontsource/inter", "5.3.0", "", [], []),
    ];

    /// <summary>The installed corpus (node_modules); throws with instructions when it is not there.</summary>
    public static string NodeModules
    {
        get
        {
            string? dir = Environment.GetEnvironmentVariable("WHARF_CORPUS_DIR");
            if (string.IsNullOrEmpty(dir))
            {
                throw new InvalidOperationException(
                    "WHARF_CORPUS_DIR is not set: the corpus tests need the front-end packages pinned by eng/corpus/package-lock.json. " +
                    "Run them through eng/test.sh, which installs them, or install them by hand: export WHARF_CORPUS_DIR=$(bash eng/corpus/install.sh)");
            }

            if (!Directory.Exists(dir))
            {
                throw new InvalidOperationException(
                    $"WHARF_CORPUS_DIR is '{dir}', which does not exist. Install the corpus: export WHARF_CORPUS_DIR=$(bash eng/corpus/install.sh)");
            }

            return dir;
        }
    }

    public static CorpusPackage Package(string name) => Packages.Single(p => p.Name == name);

    /// <summary>The version of an installed package, from its package.json.</summary>
    public static string InstalledVersion(string name)
    {
        using JsonDocument json = JsonDocument.Parse(File.ReadAllBytes(Path.Join(NodeModules, name, "package.json")));
        return json.RootElement.GetProperty("version").GetString()!;
    }

    /// <summary>The collect options the corpus tests use: fast precompression (the tests check bytes, not ratios).</summary>
    public static StaticCollectOptions Options(IEnumerable<string> sources, IEnumerable<string> ignore, MissingReferenceMode mode)
    {
        var options = new StaticCollectOptions
        {
            StaticUrl = StaticUrl,
            MissingReferences = mode,
            Compression = PrecompressionOptions.Fast,
        };
        foreach (string source in sources)
        {
            options.Sources.Add(source);
        }

        foreach (string pattern in ignore)
        {
            options.IgnorePatterns.Add(pattern);
        }

        return options;
    }

    /// <summary>A file-system destination in a fresh temporary folder.</summary>
    public static (FileSystemStorage Storage, string Root) TemporaryDestination(string label)
    {
        string root = TemporaryFolder(label);
        return (new FileSystemStorage("corpus-" + label, new FileSystemStorageOptions { Root = root, FlushToDisk = false, UseExtendedAttributes = false }), root);
    }

    public static string TemporaryFolder(string label)
    {
        string path = Path.Join(Path.GetTempPath(), "wharf-corpus-" + Sanitize(label) + "-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        return path;
    }

    public static void DeleteFolder(string? path)
    {
        if (path is not null && Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    public static bool IsRewritable(string path) =>
        RewriteExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>The references of a CSS or JavaScript text, with the scanner the collector uses for its extension.</summary>
    public static IReadOnlyList<AssetReference> Scan(string path, string text) =>
        Path.GetExtension(path).Equals(".css", StringComparison.OrdinalIgnoreCase)
            ? CssReferenceScanner.Scan(text)
            : JsReferenceScanner.Scan(text);

    /// <summary>Decodes UTF-8 as the collector does (no BOM stripping, invalid bytes throw).</summary>
    public static string DecodeUtf8(byte[] bytes) => StrictUtf8.GetString(bytes);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string Sanitize(string label) => new([.. label.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]);
}

/// <summary>A package collected to a file-system destination, shared by the tests of a class.</summary>
internal sealed class CollectedPackage
{
    public required CorpusPackage Package { get; init; }

    public required FileSystemStorage Storage { get; init; }

    public required string Root { get; init; }

    public required CollectResult Result { get; init; }

    public StaticAssetManifest Manifest => Result.Manifest;

    public string SourceRoot => Package.SourceRoot;

    public string SourceFile(string logicalPath) => Path.Join(SourceRoot, logicalPath);

    public string StoredFile(string storedPath) => Path.Join(Root, storedPath);

    public static async Task<CollectedPackage> CollectAsync(CorpusPackage package, CancellationToken cancellationToken)
    {
        StaticCollectOptions options = Corpus.Options([package.SourceRoot], package.Ignore, package.Mode);
        (FileSystemStorage storage, string root) = Corpus.TemporaryDestination(package.Name);
        try
        {
            CollectResult result = await new StaticCollector(storage, options).CollectAsync(cancellationToken: cancellationToken);
            return new CollectedPackage { Package = package, Storage = storage, Root = root, Result = result };
        }
        catch
        {
            // The class cleanup only knows the destinations of collects that succeeded.
            Corpus.DeleteFolder(root);
            throw;
        }
    }
}
