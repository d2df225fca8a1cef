using Wharf.StaticManifest.Collecting;
using Wharf.Storage.FileSystem;

namespace Wharf.StaticManifest.Corpus.Tests;

/// <summary>
/// Commented-out references in real files: a copy of Leaflet's and KaTeX's dist folders with comments, strings, a
/// template literal and a regular expression that look like references (to shipped and to missing files) appended
/// to a real style sheet and a real ES module. A strict collect succeeds (none of them counts), they come out
/// byte-identical, and the real references of the same files are rewritten.
/// </summary>
[TestClass]
public sealed class CommentedReferenceTests
{
    private const string CssTail = """

        /* Added by the Wharf corpus test: commented-out references stay as written.
           .leaflet-old { background-image: url(images/layers.png); }
           .leaflet-gone { background-image: url("images/not-shipped.png"); }
           @import "leaflet-theme-not-shipped.css";
           @import url(../../above-the-root.css);
        */
        .wharf-corpus-string { content: "url(images/layers.png)"; }
        .wharf-corpus-string::after { content: 'url("images/not-shipped.png") @import "x.css"'; }
        /* url(images/marker-icon.png) */ .wharf-corpus-live { background-image: url(images/layers.png); } /* url(images/not-shipped.png) */

        """;

    private const string JsTail = """

        // Added by the Wharf corpus test: commented-out references stay as written.
        // import missing from './not-shipped.mjs';
        /* export * from "../not-shipped-either.mjs"; import('./lazy-not-shipped.mjs'); import katex from '../katex.mjs'; */
        const wharfCorpusString = "import x from '../katex.mjs'";
        const wharfCorpusTemplate = `import('./not-shipped.mjs')`;
        const wharfCorpusRegex = /import\('\.\/not-shipped\.mjs'\)/;
        //# sourceMappingURL-lookalike=not-shipped.map

        """;

    private static string? s_source;
    private static string? s_destination;
    private static CollectResult? s_result;

    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [ClassInitialize]
    public static async Task CollectModifiedCopy(TestContext context)
    {
        s_source = Corpus.TemporaryFolder("commented-source");
        CopyFolder(Corpus.Package("leaflet").SourceRoot, Path.Join(s_source, "leaflet"));
        CopyFolder(Corpus.Package("katex").SourceRoot, Path.Join(s_source, "katex"));
        await File.AppendAllTextAsync(Path.Join(s_source, "leaflet", "leaflet.css"), CssTail, context.CancellationToken);
        await File.AppendAllTextAsync(Path.Join(s_source, "katex", "contrib", "auto-render.mjs"), JsTail, context.CancellationToken);

        (FileSystemStorage storage, string root) = Corpus.TemporaryDestination("commented");
        s_destination = root;
        StaticCollectOptions options = Corpus.Options([s_source], [], MissingReferenceMode.Strict);
        s_result = await new StaticCollector(storage, options).CollectAsync(cancellationToken: context.CancellationToken);
    }

    [ClassCleanup]
    public static void DeleteFolders()
    {
        Corpus.DeleteFolder(s_source);
        Corpus.DeleteFolder(s_destination);
    }

    [TestMethod]
    public void A_strict_collect_ignores_commented_out_references_to_missing_files() =>
        Assert.IsEmpty(s_result!.Missing, string.Join(Environment.NewLine, s_result.Missing));

    [TestMethod]
    public async Task Comments_and_strings_in_a_real_style_sheet_are_byte_identical_and_its_real_references_rewritten()
    {
        StaticAssetManifest manifest = s_result!.Manifest;
        string output = await File.ReadAllTextAsync(Path.Join(s_destination, manifest.Paths["leaflet/leaflet.css"]), Ct);
        string layers = FileName(manifest.Paths["leaflet/images/layers.png"]);

        // The appended block, with its one live reference rewritten and everything else as written.
        string expectedTail = CssTail.Replace(
            ".wharf-corpus-live { background-image: url(images/layers.png); }",
            $".wharf-corpus-live {{ background-image: url(images/{layers}); }}",
            StringComparison.Ordinal);
        Assert.AreNotEqual(CssTail, expectedTail);
        StringAssert.EndsWith(output, expectedTail);

        // The real rules of leaflet.css above it are rewritten too.
        string head = output[..^expectedTail.Length];
        StringAssert.Contains(head, $"url(images/{layers})");
        Assert.DoesNotContain("url(images/layers.png)", head);
        Assert.DoesNotContain("url(images/marker-icon.png)", head);
    }

    [TestMethod]
    public async Task Comments_strings_templates_and_regular_expressions_in_a_real_module_are_byte_identical()
    {
        StaticAssetManifest manifest = s_result!.Manifest;
        string output = await File.ReadAllTextAsync(Path.Join(s_destination, manifest.Paths["katex/contrib/auto-render.mjs"]), Ct);
        string katex = FileName(manifest.Paths["katex/katex.mjs"]);

        StringAssert.EndsWith(output, JsTail, "The appended comments, string, template and regular expression are untouched.");
        StringAssert.Contains(output[..^JsTail.Length], $"from '../{katex}'", "The module's real import is rewritten.");
        Assert.DoesNotContain("'../katex.mjs'", output[..^JsTail.Length]);
    }

    [TestMethod]
    public async Task The_original_copies_keep_every_byte_of_their_sources()
    {
        foreach (string path in (string[])["leaflet/leaflet.css", "katex/contrib/auto-render.mjs"])
        {
            CollectionAssert.AreEqual(
                await File.ReadAllBytesAsync(Path.Join(s_source, path), Ct),
                await File.ReadAllBytesAsync(Path.Join(s_destination, path), Ct),
                path);
        }
    }

    private static string FileName(string path) => path[(path.LastIndexOf('/') + 1)..];

    private static void CopyFolder(string from, string to)
    {
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Join(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
