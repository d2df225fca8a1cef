using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Wharf.StaticManifest.Collecting;
using Wharf.StaticManifest.Rewriting;

namespace Wharf.StaticManifest.Corpus.Tests;

/// <summary>
/// Each corpus package collected on its own to the file system, then checked independently of the collector: every
/// reference of every collected CSS and JavaScript file resolves to a file of the destination (a fingerprinted one
/// from a fingerprinted file), the files differ from their sources only inside reference spans, and the manifest
/// describes the stored bytes exactly.
/// </summary>
[TestClass]
public sealed partial class PackageCollectTests
{
    // One collect per package for the whole class, started by the first test that needs it: a package that fails to
    // collect fails its own tests only.
    private static readonly ConcurrentDictionary<string, Lazy<Task<CollectedPackage>>> s_collects = new(StringComparer.Ordinal);

    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    public static IEnumerable<object[]> PackageNames => Corpus.Packages.Select(p => new object[] { p.Name });

    [ClassCleanup]
    public static void DeleteDestinations()
    {
        foreach (Lazy<Task<CollectedPackage>> collect in s_collects.Values)
        {
            if (collect.IsValueCreated && collect.Value.IsCompletedSuccessfully)
            {
                Corpus.DeleteFolder(collect.Value.Result.Root);
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(PackageNames))]
    public void The_installed_package_is_the_pinned_version(string name)
    {
        CorpusPackage package = Corpus.Package(name);

        Assert.AreEqual(package.Version, Corpus.InstalledVersion(name),
            $"eng/corpus/package-lock.json pins {name}@{package.Version}; reinstall with eng/corpus/install.sh, or update the expectations in Corpus.Packages with the lockfile.");
        Assert.IsTrue(Directory.Exists(package.SourceRoot), $"{package} has no folder {package.Folder}.");
    }

    [TestMethod]
    [DynamicData(nameof(PackageNames))]
    public async Task Every_reference_in_every_collected_file_resolves_to_a_collected_file(string name)
    {
        CollectedPackage collected = await CollectedAsync(name);
        StaticAssetManifest manifest = collected.Manifest;
        var fingerprinted = new HashSet<string>(manifest.Paths.Values, StringComparer.Ordinal);
        var expectedMissing = collected.Package.Missing.Select(m => (m.SourcePath, m.Url)).ToHashSet();
        var problems = new List<string>();
        int files = 0;
        int resolved = 0;
        int leftAlone = 0;

        foreach (StaticAsset asset in manifest.Assets.Values.Where(a => Corpus.IsRewritable(a.LogicalPath)))
        {
            files++;
            string text = Corpus.DecodeUtf8(await File.ReadAllBytesAsync(collected.StoredFile(asset.StoredPath), Ct));
            foreach (AssetReference reference in Corpus.Scan(asset.StoredPath, text))
            {
                string where = $"{asset.StoredPath}:{reference.Line}:{reference.Column} '{reference.Url}'";
                ReferenceResolver.TryResolve(asset.StoredPath, reference.Url, Corpus.StaticUrl, out ResolvedReference target);
                switch (target.Outcome)
                {
                    case ReferenceOutcome.Resolved when expectedMissing.Contains((asset.LogicalPath, reference.Url)):
                        if (File.Exists(collected.StoredFile(target.TargetPath!)))
                        {
                            problems.Add($"{where}: documented as missing, but {target.TargetPath} exists.");
                        }

                        break;
                    case ReferenceOutcome.Resolved:
                        resolved++;
                        if (!File.Exists(collected.StoredFile(target.TargetPath!)))
                        {
                            problems.Add($"{where}: {target.TargetPath} is not in the destination.");
                        }
                        else if (asset.IsFingerprinted && !fingerprinted.Contains(target.TargetPath!))
                        {
                            problems.Add($"{where}: {target.TargetPath} is not a fingerprinted file of the manifest (the reference was not rewritten).");
                        }
                        else if (!asset.IsFingerprinted && !manifest.Paths.ContainsKey(target.TargetPath!))
                        {
                            problems.Add($"{where}: the original copy refers to {target.TargetPath}, which is not a logical path of the manifest.");
                        }

                        break;
                    case ReferenceOutcome.External or ReferenceOutcome.SameDocument or ReferenceOutcome.Empty:
                        leftAlone++;
                        break;
                    default:
                        problems.Add($"{where}: {target.Outcome}.");
                        break;
                }
            }
        }

        Assert.IsEmpty(problems, $"{collected.Package}: {problems.Count} bad reference(s):{Environment.NewLine}{string.Join(Environment.NewLine, problems.Take(50))}");
        Assert.IsGreaterThan(0, files, $"{collected.Package} has CSS or JavaScript files.");
        Assert.IsGreaterThan(0, resolved, $"{collected.Package} has references to its own files.");
        TestContext.WriteLine($"{collected.Package}: {files} CSS/JS files (originals and fingerprinted), {resolved} references resolved, {leftAlone} external/data:/fragment references left alone");
    }

    [TestMethod]
    [DynamicData(nameof(PackageNames))]
    public async Task The_collect_reports_exactly_the_documented_missing_references(string name)
    {
        CollectedPackage collected = await CollectedAsync(name);
        CorpusPackage package = collected.Package;

        string[] expected = [.. package.Missing.Select(m => $"{m.SourcePath} '{m.Url}'").Order(StringComparer.Ordinal)];
        string[] actual = [.. collected.Result.Missing.Select(m => $"{m.SourcePath} '{m.Url}'").Order(StringComparer.Ordinal)];
        CollectionAssert.AreEqual(expected, actual, $"{package}: missing references ({package.Mode} collect): {string.Join("; ", collected.Result.Missing)}");
        foreach (MissingReference missing in collected.Result.Missing)
        {
            Assert.IsNotNull(missing.TargetPath, missing.ToString());
            Assert.IsFalse(File.Exists(collected.SourceFile(missing.TargetPath)), $"{missing}: the package does ship {missing.TargetPath}.");
            Assert.IsFalse(Directory.Exists(collected.SourceFile(missing.TargetPath)), $"{missing}: {missing.TargetPath} is a folder of the package.");
        }

        Assert.IsEmpty(collected.Result.Conflicts, "One source has no conflicts.");
    }

    [TestMethod]
    public async Task Reveal_js_misses_only_extensionless_module_specifiers_that_a_bundler_completes()
    {
        CollectedPackage collected = await CollectedAsync("reveal.js");

        Assert.IsNotEmpty(collected.Result.Missing);
        foreach (MissingReference missing in collected.Result.Missing)
        {
            StringAssert.EndsWith(missing.SourcePath, ".js");
            Assert.AreEqual(string.Empty, Path.GetExtension(missing.Url), $"{missing}: the specifier has no extension.");
            Assert.IsTrue(File.Exists(collected.SourceFile(missing.TargetPath + ".js")), $"{missing}: {missing.TargetPath}.js is what a bundler would import.");

            // Left exactly as written in the fingerprinted copy.
            string stored = await File.ReadAllTextAsync(collected.StoredFile(collected.Manifest.Paths[missing.SourcePath]), Ct);
            Assert.IsTrue(stored.Contains($"'{missing.Url}'", StringComparison.Ordinal) || stored.Contains($"\"{missing.Url}\"", StringComparison.Ordinal), $"{missing}: left as written.");
        }

        // The built files of the same package (dist/) are complete: every reference there resolves.
        Assert.IsFalse(collected.Result.Missing.Any(m => m.SourcePath.StartsWith("dist/", StringComparison.Ordinal)));
    }

    [TestMethod]
    [DynamicData(nameof(PackageNames))]
    public async Task Collected_files_differ_from_their_sources_only_inside_reference_spans(string name)
    {
        CollectedPackage collected = await CollectedAsync(name);
        StaticAssetManifest manifest = collected.Manifest;
        var problems = new List<string>();
        int rewritten = 0;
        int untouched = 0;

        foreach ((string logical, string stored) in manifest.Paths.Where(p => Corpus.IsRewritable(p.Key)))
        {
            string source = Corpus.DecodeUtf8(await File.ReadAllBytesAsync(collected.SourceFile(logical), Ct));
            string output = Corpus.DecodeUtf8(await File.ReadAllBytesAsync(collected.StoredFile(stored), Ct));
            IReadOnlyList<AssetReference> before = Corpus.Scan(logical, source);
            IReadOnlyList<AssetReference> after = Corpus.Scan(stored, output);
            if (before.Count != after.Count)
            {
                problems.Add($"{stored}: {after.Count} references, its source {logical} has {before.Count}.");
                continue;
            }

            int sourceAt = 0;
            int outputAt = 0;
            for (int i = 0; i < before.Count; i++)
            {
                AssetReference s = before[i];
                AssetReference o = after[i];
                string where = $"{logical}:{s.Line}:{s.Column} '{s.Url}'";
                if (!source.AsSpan(sourceAt, s.Start - sourceAt).SequenceEqual(output.AsSpan(outputAt, o.Start - outputAt)))
                {
                    problems.Add($"{where}: the text before the reference changed (from offset {sourceAt}).");
                }

                sourceAt = s.End;
                outputAt = o.End;
                if (s.Kind != o.Kind || s.Quote != o.Quote)
                {
                    problems.Add($"{where}: the reference changed from {s.Kind} {s.Quote} to {o.Kind} {o.Quote}.");
                    continue;
                }

                ReferenceResolver.TryResolve(logical, s.Url, Corpus.StaticUrl, out ResolvedReference from);
                ReferenceResolver.TryResolve(stored, o.Url, Corpus.StaticUrl, out ResolvedReference to);
                if (from.Outcome == ReferenceOutcome.Resolved && manifest.Paths.TryGetValue(from.TargetPath!, out string? expected))
                {
                    rewritten++;
                    if (to.Outcome != ReferenceOutcome.Resolved || to.TargetPath != expected)
                    {
                        problems.Add($"{where}: rewritten to '{o.Url}' ({to.Outcome} {to.TargetPath}), expected the fingerprinted {expected}.");
                    }
                    else if (to.Query != from.Query || to.Fragment != from.Fragment)
                    {
                        problems.Add($"{where}: rewritten to '{o.Url}', which lost or changed the query or fragment.");
                    }
                    else if (Folder(to.UrlPath) != Folder(from.UrlPath))
                    {
                        problems.Add($"{where}: rewritten to '{o.Url}', whose folder part is not the one written.");
                    }
                }
                else
                {
                    untouched++;
                    if (!source.AsSpan(s.Start, s.Length).SequenceEqual(output.AsSpan(o.Start, o.Length)))
                    {
                        problems.Add($"{where}: not a reference to a collected file ({from.Outcome}), but changed to '{o.Url}'.");
                    }
                }
            }

            if (!source.AsSpan(sourceAt).SequenceEqual(output.AsSpan(outputAt)))
            {
                problems.Add($"{stored}: the text after the last reference changed.");
            }
        }

        Assert.IsEmpty(problems, $"{collected.Package}:{Environment.NewLine}{string.Join(Environment.NewLine, problems.Take(50))}");
        Assert.IsGreaterThan(0, rewritten);
        TestContext.WriteLine($"{collected.Package}: {rewritten} references rewritten, {untouched} left as written, everything else byte-identical");
    }

    [TestMethod]
    [DynamicData(nameof(PackageNames))]
    public async Task The_manifest_matches_the_stored_bytes_and_every_encoding_decompresses_to_them(string name)
    {
        CollectedPackage collected = await CollectedAsync(name);
        StaticAssetManifest manifest = collected.Manifest;
        var problems = new List<string>();

        byte[] written = await File.ReadAllBytesAsync(collected.StoredFile(StaticAssetManifest.DefaultName), Ct);
        CollectionAssert.AreEqual(manifest.ToUtf8Bytes(), written, "staticfiles.json holds the manifest the collect returned.");
        Assert.AreEqual(manifest.Hash, StaticAssetManifest.Parse(written).Hash);

        var expectedFiles = new SortedSet<string>(StringComparer.Ordinal) { StaticAssetManifest.DefaultName };
        int encodings = 0;
        foreach (StaticAsset asset in manifest.Assets.Values)
        {
            expectedFiles.Add(asset.StoredPath);
            byte[] bytes = await File.ReadAllBytesAsync(collected.StoredFile(asset.StoredPath), Ct);
            if (bytes.Length != asset.Length)
            {
                problems.Add($"{asset.StoredPath}: {bytes.Length} bytes, the manifest says {asset.Length}.");
            }

            if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != asset.ContentHash)
            {
                problems.Add($"{asset.StoredPath}: SHA-256 differs from the manifest's.");
            }

            if ("sha384-" + Convert.ToBase64String(SHA384.HashData(bytes)) != asset.Integrity)
            {
                problems.Add($"{asset.StoredPath}: integrity differs from the manifest's.");
            }

            bool rewritable = Corpus.IsRewritable(asset.LogicalPath);
            string expectedType = Path.GetExtension(asset.LogicalPath).ToLowerInvariant() switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" or ".mjs" => "text/javascript; charset=utf-8", // module scripts are refused under any other type
                ".woff2" => "font/woff2",
                ".map" => "application/json",
                _ => asset.ContentType,
            };
            if (asset.ContentType != expectedType)
            {
                problems.Add($"{asset.StoredPath}: content type {asset.ContentType}, expected {expectedType}.");
            }

            if (!asset.IsFingerprinted || !rewritable)
            {
                // Originals, and files that are never rewritten, are the source's bytes.
                byte[] source = await File.ReadAllBytesAsync(collected.SourceFile(asset.LogicalPath), Ct);
                if (!bytes.AsSpan().SequenceEqual(source))
                {
                    problems.Add($"{asset.StoredPath}: not the bytes of its source {asset.LogicalPath}.");
                }
            }

            if (asset.IsFingerprinted)
            {
                string hash = asset.StoredPath.Length > asset.LogicalPath.Length ? ExtractHash(asset) : string.Empty;
                if (StaticCollector.FingerprintedName(asset.LogicalPath, hash) != asset.StoredPath || hash.Length != 12 || !hash.All(char.IsAsciiHexDigitLower))
                {
                    problems.Add($"{asset.StoredPath}: not the {{stem}}.{{12 hex}}{{ext}} name of {asset.LogicalPath}.");
                }
                else if (!rewritable && !asset.ContentHash.StartsWith(hash, StringComparison.Ordinal))
                {
                    problems.Add($"{asset.StoredPath}: the fingerprint is not the start of the content's SHA-256.");
                }
            }

            foreach (StaticAssetEncoding encoding in asset.Encodings)
            {
                encodings++;
                expectedFiles.Add(encoding.StoredPath);
                string suffix = encoding.Name switch { "br" => ".br", "gzip" => ".gz", _ => "?" };
                if (encoding.StoredPath != asset.StoredPath + suffix)
                {
                    problems.Add($"{encoding.StoredPath}: not {asset.StoredPath}{suffix} for coding {encoding.Name}.");
                    continue;
                }

                string path = collected.StoredFile(encoding.StoredPath);
                if (!File.Exists(path))
                {
                    problems.Add($"{encoding.StoredPath}: missing.");
                    continue;
                }

                byte[] compressed = await File.ReadAllBytesAsync(path, Ct);
                if (compressed.Length != encoding.Length || Convert.ToHexStringLower(SHA256.HashData(compressed)) != encoding.ContentHash)
                {
                    problems.Add($"{encoding.StoredPath}: length or SHA-256 differs from the manifest's.");
                }

                if (compressed.Length >= bytes.Length)
                {
                    problems.Add($"{encoding.StoredPath}: {compressed.Length} bytes, not smaller than the {bytes.Length} of the original.");
                }

                if (!Decompress(encoding.Name, compressed).AsSpan().SequenceEqual(bytes))
                {
                    problems.Add($"{encoding.StoredPath}: does not decompress to the bytes of {asset.StoredPath}.");
                }
            }
        }

        string[] stored = [.. Directory.EnumerateFiles(collected.Root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(collected.Root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)];
        CollectionAssert.AreEqual(expectedFiles.ToArray(), stored, "The destination holds the manifest's files and nothing else.");
        Assert.IsEmpty(problems, $"{collected.Package}:{Environment.NewLine}{string.Join(Environment.NewLine, problems.Take(50))}");
        Assert.AreEqual(collected.Result.Compressed, encodings, "Every variant made is in the manifest.");
        Assert.AreEqual(2 * collected.Result.Found, manifest.Assets.Count, "Each found file is stored under its original and its fingerprinted name.");
        TestContext.WriteLine($"{collected.Package}: {manifest.Assets.Count} assets, {encodings} encodings verified");
    }

    [TestMethod]
    public async Task Comments_holding_urls_in_the_corpus_style_sheets_are_left_byte_identical()
    {
        var problems = new List<string>();
        var found = new List<string>();
        foreach (CorpusPackage package in Corpus.Packages)
        {
            CollectedPackage collected = await CollectedAsync(package.Name);
            foreach ((string logical, string stored) in collected.Manifest.Paths.Where(p => p.Key.EndsWith(".css", StringComparison.OrdinalIgnoreCase)))
            {
                string source = await File.ReadAllTextAsync(collected.SourceFile(logical), Ct);
                (int Start, int Length)[] comments = [.. CssComments.Find(source).Where(c => HoldsReferenceText(source.AsSpan(c.Start, c.Length)))];
                if (comments.Length == 0)
                {
                    continue;
                }

                string output = await File.ReadAllTextAsync(collected.StoredFile(stored), Ct);
                IReadOnlyList<AssetReference> sourceReferences = CssReferenceScanner.Scan(source);
                IReadOnlyList<AssetReference> outputReferences = CssReferenceScanner.Scan(output);
                Assert.HasCount(sourceReferences.Count, outputReferences);
                foreach ((int start, int length) in comments)
                {
                    string comment = source.Substring(start, length);
                    found.Add($"{package.Name}/{logical}:{comment[..Math.Min(60, comment.Length)]}");

                    // No reference of the scanner lies inside the comment...
                    if (sourceReferences.Any(r => r.Start < start + length && r.End > start))
                    {
                        problems.Add($"{logical}@{start}: the scanner found a reference inside the comment {comment}");
                        continue;
                    }

                    // ...and the comment is at the same place in the output, shifted by the replacements before it.
                    int shift = 0;
                    for (int i = 0; i < sourceReferences.Count && sourceReferences[i].End <= start; i++)
                    {
                        shift += outputReferences[i].Length - sourceReferences[i].Length;
                    }

                    if (start + shift + length > output.Length || output.Substring(start + shift, length) != comment)
                    {
                        problems.Add($"{stored}: the comment at {start} of {logical} is not byte-identical: {comment}");
                    }
                }
            }
        }

        Assert.IsEmpty(problems, string.Join(Environment.NewLine, problems));
        Assert.IsNotEmpty(found, "The corpus has comments holding url( or @import (Bootstrap's /*rtl:url(…)*/ directives).");
        TestContext.WriteLine($"{found.Count} comments holding reference-like text, all untouched:{Environment.NewLine}{string.Join(Environment.NewLine, found.Take(20))}");
    }

    [TestMethod]
    [DynamicData(nameof(PackageNames))]
    public async Task Independent_line_patterns_find_no_reference_the_scanners_miss(string name)
    {
        // A cross-check of the scanners' recall that does not share their code: plain regular expressions over lines
        // for module imports and re-exports, @import rules and source-map comments, and a count of url( outside
        // comments. Each one must be among the references the collector's scanners report.
        CollectedPackage collected = await CollectedAsync(name);
        var problems = new List<string>();
        int checkedCount = 0;
        foreach (string logical in collected.Manifest.Paths.Keys.Where(Corpus.IsRewritable))
        {
            string source = Corpus.DecodeUtf8(await File.ReadAllBytesAsync(collected.SourceFile(logical), Ct));
            IReadOnlyList<AssetReference> references = Corpus.Scan(logical, source);
            var found = new HashSet<(int Line, string Url)>(references.Select(r => (r.Line, r.Url)));
            bool css = logical.EndsWith(".css", StringComparison.OrdinalIgnoreCase);
            string[] lines = source.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                Regex pattern = css ? CssLinePattern() : JsLinePattern();
                foreach (Match match in pattern.Matches(lines[i]))
                {
                    checkedCount++;
                    string url = match.Groups["url"].Value;
                    if (!found.Contains((i + 1, url)))
                    {
                        problems.Add($"{logical}:{i + 1}: '{url}' ({match.Value.Trim()}) is not a reference of the scanner.");
                    }
                }
            }

            if (css)
            {
                // Every url( outside comments is a reference (the corpus has no url( inside strings or bad URLs).
                var text = new StringBuilder(source);
                foreach ((int start, int length) in CssComments.Find(source))
                {
                    text.Remove(start, length).Insert(start, new string(' ', length));
                }

                int urls = UrlFunction().Count(text.ToString());
                int scanned = references.Count(r => r.Kind == AssetReferenceKind.CssUrl);
                checkedCount += urls;
                if (urls != scanned)
                {
                    problems.Add($"{logical}: {urls} url( outside comments, {scanned} url references scanned.");
                }
            }
        }

        Assert.IsEmpty(problems, $"{collected.Package}:{Environment.NewLine}{string.Join(Environment.NewLine, problems.Take(50))}");
        Assert.IsGreaterThan(0, checkedCount);
        TestContext.WriteLine($"{collected.Package}: {checkedCount} references found by line patterns, all reported by the scanners");
    }

    internal static Task<CollectedPackage> CollectedAsync(string name) =>
        s_collects.GetOrAdd(name, n => new Lazy<Task<CollectedPackage>>(() => CollectedPackage.CollectAsync(Corpus.Package(n), CancellationToken.None))).Value;

    /// <summary>An <c>@import</c> rule or a source-map comment at the start of a line.</summary>
    [GeneratedRegex("""^\s*(?:@import\s+(?:url\(\s*)?(?<q>["']?)(?<url>[^"')\s]+)\k<q>|/\*[#@]\s*sourceMappingURL=(?<url>[^\s*]+))""", RegexOptions.IgnoreCase)]
    private static partial Regex CssLinePattern();

    /// <summary>
    /// A static import or re-export of a relative specifier (a line starting with <c>import</c>, <c>export</c> or the
    /// <c>}</c> closing a multi-line import list), or a source-map comment at the start of a line.
    /// </summary>
    [GeneratedRegex("""^\s*(?:(?:(?:import|export)\b|\})[^'"]*?\bfrom\s*(?<q>['"])(?<url>\.{1,2}/[^'"]*)\k<q>|import\s*(?<q>['"])(?<url>\.{1,2}/[^'"]*)\k<q>|//[#@]\s*sourceMappingURL=(?<url>\S+))""")]
    private static partial Regex JsLinePattern();

    [GeneratedRegex(@"\burl\(", RegexOptions.IgnoreCase)]
    private static partial Regex UrlFunction();

    private static bool HoldsReferenceText(ReadOnlySpan<char> comment) =>
        (comment.Contains("url(", StringComparison.OrdinalIgnoreCase) || comment.Contains("@import", StringComparison.OrdinalIgnoreCase))
        && !comment.Contains("sourceMappingURL", StringComparison.Ordinal);

    private static string Folder(string urlPath) => urlPath[..(urlPath.LastIndexOf('/') + 1)];

    private static string ExtractHash(StaticAsset asset)
    {
        // logical "a/b.min.css", stored "a/b.min.0123456789ab.css": the 12 characters before the last extension.
        string extension = Path.GetExtension(asset.LogicalPath);
        string withoutExtension = asset.StoredPath[..^extension.Length];
        return withoutExtension.Length >= 12 ? withoutExtension[^12..] : string.Empty;
    }

    internal static byte[] Decompress(string coding, byte[] compressed)
    {
        using var input = new MemoryStream(compressed);
        using Stream decoder = coding switch
        {
            "br" => new BrotliStream(input, CompressionMode.Decompress),
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            _ => throw new InvalidOperationException($"Unknown coding {coding}."),
        };
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }
}

/// <summary>
/// Finds the comments of a style sheet independently of the collector's scanner: a minimal CSS Syntax tokenizer that
/// knows strings (with escapes) and comments, which is all it takes to tell a comment from text inside a string.
/// </summary>
internal static class CssComments
{
    public static List<(int Start, int Length)> Find(string css)
    {
        var comments = new List<(int Start, int Length)>();
        int i = 0;
        while (i < css.Length)
        {
            char c = css[i];
            if (c == '/' && i + 1 < css.Length && css[i + 1] == '*')
            {
                int end = css.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? css.Length : end + 2;
                comments.Add((i, end - i));
                i = end;
            }
            else if (c is '"' or '\'')
            {
                i++;
                while (i < css.Length && css[i] != c && css[i] != '\n')
                {
                    i += css[i] == '\\' ? 2 : 1;
                }

                i++;
            }
            else if (c == '\\')
            {
                i += 2;
            }
            else
            {
                i++;
            }
        }

        return comments;
    }
}
