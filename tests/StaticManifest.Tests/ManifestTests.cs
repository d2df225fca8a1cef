using System.Text;
using System.Text.Json;

namespace Wharf.StaticManifest.Tests;

[TestClass]
public sealed class ManifestTests
{
    private const string CssHash = "css/site.0123456789ab.css";

    [TestMethod]
    public void A_manifest_round_trips_and_keeps_Django_fields_first()
    {
        var manifest = new StaticAssetManifest(
        [
            new StaticAsset { LogicalPath = "css/site.css", StoredPath = "css/site.0123456789ab.css", Length = 10, ContentType = "text/css", ContentHash = new string('a', 64), Integrity = "sha384-x",
                Encodings = [new StaticAssetEncoding("br", "css/site.0123456789ab.css.br", 5, new string('b', 64))] },
            new StaticAsset { LogicalPath = "robots.txt", StoredPath = "robots.txt", Length = 3, ContentType = "text/plain", ContentHash = new string('c', 64), Integrity = "sha384-y" },
        ]);

        byte[] json = manifest.ToUtf8Bytes();
        string text = System.Text.Encoding.UTF8.GetString(json);
        Assert.IsLessThan(text.IndexOf("\"version\":\"1.1\"", StringComparison.Ordinal), text.IndexOf("\"paths\"", StringComparison.Ordinal));
        StaticAssetManifest read = StaticAssetManifest.Parse(json);

        Assert.AreEqual("css/site.0123456789ab.css", read.Paths["css/site.css"]);
        Assert.IsFalse(read.Paths.ContainsKey("robots.txt"), "Only fingerprinted files are Django paths.");
        Assert.AreEqual(manifest.Hash, read.Hash);
        Assert.IsTrue(read.TryGetByLogicalPath("css/site.css", out StaticAsset? css));
        Assert.AreEqual("css/site.0123456789ab.css.br", css.Encodings[0].StoredPath);
        Assert.IsTrue(read.TryGetByStoredPath("robots.txt", out StaticAsset? robots));
        Assert.IsFalse(robots.IsFingerprinted);
    }

    [TestMethod]
    public void The_hash_is_the_one_Django_computes()
    {
        // Python: hashlib.md5(json.dumps(sorted({"admin/css/base.css": "admin/css/base.27e20196a850.css"}.items())).encode()).hexdigest()[:12]
        // json.dumps of a list of tuples gives [["admin/css/base.css", "admin/css/base.27e20196a850.css"]].
        var manifest = new StaticAssetManifest(
        [
            new StaticAsset { LogicalPath = "admin/css/base.css", StoredPath = "admin/css/base.27e20196a850.css", ContentType = "text/css", ContentHash = string.Empty, Integrity = string.Empty },
        ]);
        string expected = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(
            System.Text.Encoding.UTF8.GetBytes("[[\"admin/css/base.css\", \"admin/css/base.27e20196a850.css\"]]")))[..12];

        Assert.AreEqual(expected, manifest.Hash);
    }

    [TestMethod]
    public void A_Django_manifest_is_read_and_an_unknown_version_is_refused()
    {
        StaticAssetManifest read = StaticAssetManifest.Parse("""{"paths": {"a.css": "a.0123456789ab.css"}, "version": "1.0", "hash": "x"}"""u8);
        Assert.AreEqual("a.0123456789ab.css", read.Paths["a.css"]);

        StaticManifestException exception = Assert.ThrowsExactly<StaticManifestException>(() => StaticAssetManifest.Parse("""{"paths": {}, "version": "2"}"""u8));
        Assert.Contains("'2'", exception.Message);
        Assert.ThrowsExactly<StaticManifestException>(() => StaticAssetManifest.Parse("not json"u8));
    }

    [TestMethod]
    public void A_fingerprinted_file_alone_round_trips()
    {
        StaticAsset[] assets =
        [
            ManifestAssets.Fingerprinted("css/site.css", CssHash, 1234, 'a', ManifestAssets.Br(CssHash, 400, 'b'), ManifestAssets.Gzip(CssHash, 500, 'c')),
            ManifestAssets.Fingerprinted("img/logo.png", "img/logo.fedcba987654.png", 99_000, 'd'),
        ];

        StaticAssetManifest read = ManifestAssert.RoundTrip(assets, out string json);

        Assert.DoesNotContain("original", json);
        Assert.IsFalse(read.TryGetByStoredPath("css/site.css", out _), "No original copy was collected.");
        Assert.IsTrue(read.TryGetByLogicalPath("css/site.css", out StaticAsset? css));
        Assert.AreEqual(CssHash, css.StoredPath);
    }

    [TestMethod]
    public void An_identical_original_is_written_as_true_and_read_back_with_its_own_paths()
    {
        StaticAsset fingerprinted = ManifestAssets.Fingerprinted("css/site.css", CssHash, 1234, 'a', ManifestAssets.Br(CssHash, 400, 'b'), ManifestAssets.Gzip(CssHash, 500, 'c'));
        StaticAsset original = ManifestAssets.OriginalOf(fingerprinted);

        StaticAssetManifest read = ManifestAssert.RoundTrip([fingerprinted, original], out string json);

        Assert.Contains("\"original\":true", json);
        Assert.AreEqual(1, CountOf(json, "\"sha256\":\"" + new string('a', 64) + "\""), "The content is written once.");
        Assert.IsTrue(read.TryGetByStoredPath("css/site.css", out StaticAsset? copy));
        Assert.IsFalse(copy.IsFingerprinted);
        Assert.AreEqual("css/site.css.br", copy.Encodings[0].StoredPath);
        Assert.AreEqual("css/site.css.gz", copy.Encodings[1].StoredPath);
        Assert.IsTrue(read.TryGetByLogicalPath("css/site.css", out StaticAsset? served));
        Assert.AreEqual(CssHash, served.StoredPath, "The logical path is served as the fingerprinted file.");
    }

    [TestMethod]
    public void An_identical_original_without_variants_is_written_as_true()
    {
        StaticAsset fingerprinted = ManifestAssets.Fingerprinted("img/logo.png", "img/logo.fedcba987654.png", 99_000, 'd');

        ManifestAssert.RoundTrip([ManifestAssets.OriginalOf(fingerprinted), fingerprinted], out string json);

        Assert.Contains("\"original\":true", json);
    }

    [TestMethod]
    public void A_different_original_is_written_as_an_object()
    {
        // The fingerprinted CSS had its url()s rewritten: another size, hash, integrity and variants than the original copy.
        StaticAsset fingerprinted = ManifestAssets.Fingerprinted("css/site.css", CssHash, 1300, 'a', ManifestAssets.Br(CssHash, 410, 'b'), ManifestAssets.Gzip(CssHash, 510, 'c'));
        StaticAsset original = ManifestAssets.Original("css/site.css", 1234, 'e', ManifestAssets.Br("css/site.css", 400, 'f'));

        ManifestAssert.RoundTrip([fingerprinted, original], out string json);

        Assert.Contains("\"original\":{\"size\":1234,", json);
    }

    [TestMethod]
    public void An_original_differing_only_in_a_variant_or_its_type_is_not_written_as_true()
    {
        StaticAsset fingerprinted = ManifestAssets.Fingerprinted("js/app.js", "js/app.0123456789ab.js", 100, 'a', ManifestAssets.Br("js/app.0123456789ab.js", 40, 'b'));

        ManifestAssert.RoundTrip([fingerprinted, ManifestAssets.OriginalOf(fingerprinted) with { Encodings = [] }], out string noVariant);
        ManifestAssert.RoundTrip([fingerprinted, ManifestAssets.OriginalOf(fingerprinted) with { Encodings = [new StaticAssetEncoding("br", "js/app.js.br", 41, new string('b', 64))] }], out string otherVariant);
        ManifestAssert.RoundTrip([fingerprinted, ManifestAssets.OriginalOf(fingerprinted) with { Encodings = [new StaticAssetEncoding("br", "precompressed/app.js.br", 40, new string('b', 64))] }], out string otherVariantPath);
        ManifestAssert.RoundTrip([fingerprinted, ManifestAssets.OriginalOf(fingerprinted) with { ContentType = "application/javascript" }], out string otherType);

        foreach (string json in new[] { noVariant, otherVariant, otherVariantPath, otherType })
        {
            Assert.DoesNotContain("\"original\":true", json);
        }
    }

    [TestMethod]
    public void An_original_only_file_round_trips()
    {
        StaticAsset robots = ManifestAssets.Original("robots.txt", 24, 'a');
        StaticAsset fingerprinted = ManifestAssets.Fingerprinted("css/site.css", CssHash, 1234, 'b');

        StaticAssetManifest read = ManifestAssert.RoundTrip([robots, fingerprinted], out string json);

        Assert.Contains("\"robots.txt\":{\"original\":{\"size\":24,", json);
        Assert.IsFalse(read.Paths.ContainsKey("robots.txt"));
        Assert.IsTrue(read.TryGetByLogicalPath("robots.txt", out StaticAsset? served));
        Assert.IsFalse(served.IsFingerprinted);
    }

    [TestMethod]
    public void Variants_with_unconventional_paths_and_unknown_codings_round_trip()
    {
        StaticAsset fingerprinted = ManifestAssets.Fingerprinted("js/app.js", "js/app.0123456789ab.js", 5000, 'a',
            new StaticAssetEncoding("br", "compressed/js/app.0123456789ab.js.brotli", 1200, new string('b', 64)),
            new StaticAssetEncoding("gzip", "js/app.0123456789ab.js.gz", 1500, new string('c', 64)),
            new StaticAssetEncoding("zstd", "js/app.0123456789ab.js.zst", 1300, new string('d', 64)));
        StaticAsset original = ManifestAssets.Original("js/app.js", 5000, 'a',
            new StaticAssetEncoding("gzip", "js/app.js.gzip", 1500, new string('c', 64)),
            new StaticAssetEncoding("zstd", "js/app.js.zst", 1300, new string('d', 64)));

        ManifestAssert.RoundTrip([fingerprinted, original], out string json);

        Assert.Contains("\"br\":[1200,\"" + new string('b', 64) + "\",\"compressed/js/app.0123456789ab.js.brotli\"]", json);
        Assert.Contains("\"gzip\":[1500,\"" + new string('c', 64) + "\"]", json);
        Assert.Contains("\"zstd\":[1300,\"" + new string('d', 64) + "\",\"js/app.0123456789ab.js.zst\"]", json);
        Assert.Contains("\"gzip\":[1500,\"" + new string('c', 64) + "\",\"js/app.js.gzip\"]", json);
        Assert.DoesNotContain("\"original\":true", json);
    }

    [TestMethod]
    public void A_content_type_is_written_only_when_the_name_does_not_imply_it()
    {
        StaticAsset usual = ManifestAssets.Fingerprinted("css/site.css", CssHash, 10, 'a');
        Assert.AreEqual("text/css; charset=utf-8", usual.ContentType, "The helper uses the implied type.");
        StaticAsset unusual = ManifestAssets.Fingerprinted("data/model.bin", "data/model.0123456789ab.bin", 10, 'b') with { ContentType = "application/x-model" };
        StaticAsset unusualOriginal = ManifestAssets.Original("feed", 10, 'c') with { ContentType = "application/atom+xml" };
        StaticAsset differentCase = ManifestAssets.Original("page.html", 10, 'd') with { ContentType = "text/html" };

        StaticAssetManifest read = ManifestAssert.RoundTrip([usual, unusual, unusualOriginal, differentCase], out string json);

        Assert.AreEqual(3, CountOf(json, "\"type\":"), json);
        Assert.Contains("\"type\":\"application/x-model\"", json);
        Assert.Contains("\"type\":\"application/atom", json);
        Assert.Contains("\"type\":\"text/html\"", json);
        Assert.AreEqual("text/css; charset=utf-8", read.Assets[CssHash].ContentType);
    }

    [TestMethod]
    public void Unicode_quotes_and_backslashes_in_paths_round_trip()
    {
        string[] logical =
        [
            "css/ünïcødé/日本語.css",
            "img/emoji 😀 \"quoted\".png",
            "js\\windows\\style.js",
            "odd/<script>&'amp'.svg",
            "control/tab\tnew\nline.txt",
            "fonts/ｆｕｌｌｗｉｄｔｈ.woff2",
        ];
        var assets = new List<StaticAsset>();
        for (int i = 0; i < logical.Length; i++)
        {
            string stored = logical[i].Insert(logical[i].LastIndexOf('.'), ".0123456789a" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            StaticAsset fingerprinted = ManifestAssets.Fingerprinted(logical[i], stored, 100 + i, (char)('a' + i), ManifestAssets.Br(stored, 10 + i, 'f'));
            assets.Add(fingerprinted);
            assets.Add(i % 2 == 0 ? ManifestAssets.OriginalOf(fingerprinted) : ManifestAssets.Original(logical[i], 7, 'e', new StaticAssetEncoding("zstd", "zstd/" + logical[i] + "ß.zst", 3, new string('9', 64))));
        }

        StaticAssetManifest read = ManifestAssert.RoundTrip(assets, out _);

        foreach (string path in logical)
        {
            Assert.IsTrue(read.Paths.ContainsKey(path), path);
        }
    }

    [TestMethod]
    public void An_empty_manifest_round_trips()
    {
        var manifest = new StaticAssetManifest([]);
        string json = Encoding.UTF8.GetString(manifest.ToUtf8Bytes());

        StaticAssetManifest read = ManifestAssert.RoundTrip([], out _);

        Assert.AreEqual("{\"paths\":{},\"version\":\"1.1\",\"hash\":\"" + manifest.Hash + "\",\"wharf\":{\"version\":2,\"files\":{}}}", json);
        Assert.AreEqual(DjangoHash([]), manifest.Hash);
        Assert.IsEmpty(read.Paths);
        Assert.IsEmpty(read.Assets);
    }

    [TestMethod]
    public void The_output_does_not_depend_on_the_order_of_the_assets()
    {
        List<StaticAsset> assets = ManifestAssets.RandomSet(new Random(1234), 60);
        byte[] expected = new StaticAssetManifest(assets).ToUtf8Bytes();
        var random = new Random(99);

        for (int i = 0; i < 20; i++)
        {
            StaticAsset[] shuffled = [.. assets];
            random.Shuffle(shuffled);
            var manifest = new StaticAssetManifest(shuffled);

            CollectionAssert.AreEqual(expected, manifest.ToUtf8Bytes());
            using var stream = new MemoryStream();
            manifest.WriteTo(stream);
            CollectionAssert.AreEqual(expected, stream.ToArray(), "WriteTo and ToUtf8Bytes agree.");
        }

        CollectionAssert.AreEqual(expected, StaticAssetManifest.Parse(expected).ToUtf8Bytes(), "Reading and writing again changes nothing.");
    }

    [TestMethod]
    public void The_output_is_compact_sorted_JSON_with_Django_fields_first()
    {
        StaticAsset b = ManifestAssets.Fingerprinted("b.css", "b.0123456789ab.css", 1, 'a');
        StaticAsset a = ManifestAssets.Fingerprinted("a.css", "a.0123456789ab.css", 2, 'b');
        StaticAsset c = ManifestAssets.Original("C.txt", 3, 'c');
        var manifest = new StaticAssetManifest([b, c, a]);

        string json = Encoding.UTF8.GetString(manifest.ToUtf8Bytes());

        Assert.DoesNotContain("\n", json);
        Assert.DoesNotContain(": ", json);
        Assert.StartsWith("{\"paths\":{\"a.css\":\"a.0123456789ab.css\",\"b.css\":\"b.0123456789ab.css\"},\"version\":\"1.1\",\"hash\":\"" + manifest.Hash + "\",\"wharf\":{\"version\":2,\"files\":{\"C.txt\":", json);
        Assert.IsLessThan(json.IndexOf("\"b.css\":{", StringComparison.Ordinal), json.IndexOf("\"a.css\":{", StringComparison.Ordinal));
    }

    [TestMethod]
    public void Django_reads_the_paths_and_the_hash_follows_its_recipe()
    {
        StaticAsset site = ManifestAssets.Fingerprinted("css/site.css", CssHash, 10, 'a', ManifestAssets.Br(CssHash, 5, 'b'));
        StaticAsset logo = ManifestAssets.Fingerprinted("img/logo.png", "img/logo.fedcba987654.png", 20, 'c');
        StaticAsset[] assets = [logo, ManifestAssets.OriginalOf(site), site, ManifestAssets.Original("robots.txt", 3, 'd')];
        var manifest = new StaticAssetManifest(assets);

        // What Django's ManifestStaticFilesStorage.load_manifest does: json.loads, then version and paths.
        using JsonDocument document = JsonDocument.Parse(manifest.ToUtf8Bytes());
        JsonElement root = document.RootElement;
        Assert.AreEqual("1.1", root.GetProperty("version").GetString());
        Assert.AreEqual(manifest.Hash, root.GetProperty("hash").GetString());
        Dictionary<string, string> paths = root.GetProperty("paths").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        CollectionAssert.AreEquivalent(
            new Dictionary<string, string> { ["css/site.css"] = CssHash, ["img/logo.png"] = "img/logo.fedcba987654.png" },
            paths);
        Assert.AreEqual(DjangoHash([("css/site.css", CssHash), ("img/logo.png", "img/logo.fedcba987654.png")]), manifest.Hash);
        Assert.AreEqual(manifest.Hash, StaticAssetManifest.Parse(manifest.ToUtf8Bytes()).Hash);
    }

    [TestMethod]
    public void The_hash_escapes_like_Python_json_dumps()
    {
        var manifest = new StaticAssetManifest(
        [
            ManifestAssets.Fingerprinted("é/😀\"q\\b\t.css", "é/😀\"q\\b\t.0123456789ab.css", 1, 'a'),
            ManifestAssets.Fingerprinted("a\u007f.js", "a\u007f.0123456789ab.js", 1, 'b'),
        ]);

        // Python: json.dumps(sorted(paths.items())) escapes non-ASCII (astral as a surrogate pair) and DEL as \uXXXX.
        const string Python = """[["a\u007f.js", "a\u007f.0123456789ab.js"], ["\u00e9/\ud83d\ude00\"q\\b\t.css", "\u00e9/\ud83d\ude00\"q\\b\t.0123456789ab.css"]]""";

        Assert.AreEqual(Md5Prefix(Python), manifest.Hash);
    }

    [TestMethod]

    public void The_hash_sorts_like_Python()
    {
        // U+FF01 (fullwidth !) < U+1F600 (😀) by code point, as Python's sorted() compares; but 0xFF01 > 0xD83D as UTF-16.
        var manifest = new StaticAssetManifest(
        [
            ManifestAssets.Fingerprinted("\uff01.css", "\uff01.0123456789ab.css", 1, 'a'),
            ManifestAssets.Fingerprinted("😀.css", "😀.0123456789ab.css", 1, 'b'),
        ]);
        const string Python = """[["\uff01.css", "\uff01.0123456789ab.css"], ["\ud83d\ude00.css", "\ud83d\ude00.0123456789ab.css"]]""";

        Assert.AreEqual(Md5Prefix(Python), manifest.Hash);
    }

    [TestMethod]
    public void Two_fingerprinted_files_for_one_logical_path_are_refused_by_the_constructor()
    {
        StaticAsset first = ManifestAssets.Fingerprinted("css/site.css", CssHash, 1, 'a');
        StaticAsset second = ManifestAssets.Fingerprinted("css/site.css", "css/site.ba9876543210.css", 1, 'b');

        ArgumentException exception = Assert.ThrowsExactly<ArgumentException>(() => new StaticAssetManifest([first, ManifestAssets.OriginalOf(first), second]));

        Assert.Contains("'css/site.css'", exception.Message);
        Assert.Contains(CssHash, exception.Message);
        Assert.Contains("css/site.ba9876543210.css", exception.Message);
    }

    [TestMethod]
    public void A_stored_path_twice_is_refused_by_the_constructor()
    {
        StaticAsset robots = ManifestAssets.Original("robots.txt", 1, 'a');

        ArgumentException exception = Assert.ThrowsExactly<ArgumentException>(() => new StaticAssetManifest([robots, robots with { Length = 2 }]));

        Assert.Contains("'robots.txt'", exception.Message);
    }

    [TestMethod]
    public void Format_2_is_less_than_half_the_size_of_format_1()
    {
        const int Count = 10_000;
        var assets = new List<StaticAsset>(Count * 2);
        for (int i = 0; i < Count; i++)
        {
            string logical = $"app/components/widget{i:D5}/index.js";
            string stored = $"app/components/widget{i:D5}/index.{i * 7919 % 0xffffff:x6}{i:x6}.js";
            StaticAsset fingerprinted = ManifestAssets.Fingerprinted(logical, stored, 10_000 + i, (char)('a' + (i % 6)),
                ManifestAssets.Br(stored, 2_000 + i, 'b'), ManifestAssets.Gzip(stored, 2_500 + i, 'c')) with
            {
                ContentHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))),
                Integrity = "sha384-" + Convert.ToBase64String(System.Security.Cryptography.SHA384.HashData(BitConverter.GetBytes(i))),
            };
            assets.Add(fingerprinted);
            assets.Add(ManifestAssets.OriginalOf(fingerprinted));
        }

        byte[] format2 = new StaticAssetManifest(assets).ToUtf8Bytes();
        byte[] format1 = ManifestAssets.WriteFormat1(assets, indented: true);
        byte[] format1Compact = ManifestAssets.WriteFormat1(assets, indented: false);

        Assert.IsLessThan(format1.Length / 2, format2.Length, $"Format 2: {format2.Length:N0} bytes, format 1: {format1.Length:N0}.");
        Assert.IsLessThan(format1Compact.Length / 2, format2.Length, $"Format 2: {format2.Length:N0} bytes, compact format 1: {format1Compact.Length:N0}.");
        // Each entry holds three SHA-256s (file, Brotli, gzip) and a SHA-384: 263 bytes of digests alone; 300 bytes per
        // logical path is out of reach, 512 (paths entry included) is not.
        Assert.IsLessThan(512, format2.Length / Count, $"{format2.Length / Count} bytes per logical path.");

        StaticAssetManifest read = StaticAssetManifest.Parse(format2);
        Assert.HasCount(Count * 2, read.Assets);
        Assert.HasCount(Count, read.Paths);
        ManifestAssert.SameAssets(assets, StaticAssetManifest.Parse(format1));
    }

    [TestMethod]
    public void Random_asset_sets_round_trip()
    {
        // FsCheck is not among the central packages: a seeded loop, reproducible from the seed in a failure message.
        string[] shapes = ["\"original\":true", "\"original\":{", "\"type\":", "\"zstd\":[", "\"br\":[", "\"variants/", "\"gzip\":[", "\\u", "\\\\"];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int seed = 0; seed < 300; seed++)
        {
            var random = new Random(seed);
            List<StaticAsset> assets = ManifestAssets.RandomSet(random, random.Next(0, 25));
            byte[] json;
            StaticAssetManifest read;
            try
            {
                json = new StaticAssetManifest(assets).ToUtf8Bytes();
                read = StaticAssetManifest.Parse(json);
            }
            catch (Exception exception)
            {
                throw new AssertFailedException($"Seed {seed}: {exception}", exception);
            }

            string text = Encoding.UTF8.GetString(json);
            seen.UnionWith(shapes.Where(shape => text.Contains(shape, StringComparison.Ordinal)));
            ManifestAssert.SameAssets(assets, read, $"Seed {seed}");
            CollectionAssert.AreEqual(json, read.ToUtf8Bytes(), $"Seed {seed}: writing what was read gives the same bytes.");
            ManifestAssert.SameAssets(assets, StaticAssetManifest.Parse(ManifestAssets.WriteFormat1(assets, indented: seed % 2 == 0)), $"Seed {seed}, format 1");
        }

        CollectionAssert.AreEquivalent(shapes, seen.ToArray(), "The generator covers every shape of entry.");
    }

    internal static string DjangoHash(IEnumerable<(string Logical, string Stored)> paths)
    {
        // ASCII-only paths: json.dumps needs no escapes beyond these two.
        static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        return Md5Prefix("[" + string.Join(", ", paths.OrderBy(p => p.Logical, StringComparer.Ordinal).Select(p => $"[{Quote(p.Logical)}, {Quote(p.Stored)}]")) + "]");
    }

    private static string Md5Prefix(string python) =>
        Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(python)))[..12];

    private static int CountOf(string text, string value)
    {
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}

/// <summary>Builders of assets for the manifest tests.</summary>
internal static class ManifestAssets
{
    public static StaticAsset Fingerprinted(string logical, string stored, long length, char hash, params StaticAssetEncoding[] encodings) => new()
    {
        LogicalPath = logical,
        StoredPath = stored,
        Length = length,
        ContentType = Storage.ContentTypes.FromName(logical),
        ContentHash = new string(hash, 64),
        Integrity = "sha384-" + new string(hash, 64),
        Encodings = encodings,
    };

    public static StaticAsset Original(string logical, long length, char hash, params StaticAssetEncoding[] encodings) =>
        Fingerprinted(logical, logical, length, hash, encodings);

    /// <summary>The copy of a fingerprinted file under its logical path, variants at their conventional paths.</summary>
    public static StaticAsset OriginalOf(StaticAsset fingerprinted) => fingerprinted with
    {
        StoredPath = fingerprinted.LogicalPath,
        Encodings = [.. fingerprinted.Encodings.Select(e => e with { StoredPath = fingerprinted.LogicalPath + e.StoredPath[fingerprinted.StoredPath.Length..] })],
    };

    public static StaticAssetEncoding Br(string stored, long length, char hash) => new("br", stored + ".br", length, new string(hash, 64));

    public static StaticAssetEncoding Gzip(string stored, long length, char hash) => new("gzip", stored + ".gz", length, new string(hash, 64));

    /// <summary>Format version 1 as the previous writer wrote it: one entry per stored file.</summary>
    public static byte[] WriteFormat1(IEnumerable<StaticAsset> assets, bool indented)
    {
        StaticAsset[] sorted = [.. assets.OrderBy(a => a.StoredPath, StringComparer.Ordinal)];
        var manifest = new StaticAssetManifest(sorted);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("paths");
            foreach (KeyValuePair<string, string> pair in manifest.Paths.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.WriteString(pair.Key, pair.Value);
            }

            writer.WriteEndObject();
            writer.WriteString("version", "1.1");
            writer.WriteString("hash", manifest.Hash);
            writer.WriteStartObject("wharf");
            writer.WriteNumber("version", 1);
            writer.WriteStartObject("files");
            foreach (StaticAsset asset in sorted)
            {
                writer.WriteStartObject(asset.StoredPath);
                if (asset.IsFingerprinted)
                {
                    writer.WriteString("logical", asset.LogicalPath);
                }

                writer.WriteNumber("size", asset.Length);
                writer.WriteString("type", asset.ContentType);
                writer.WriteString("sha256", asset.ContentHash);
                writer.WriteString("integrity", asset.Integrity);
                if (asset.Encodings.Count > 0)
                {
                    writer.WriteStartObject("encodings");
                    foreach (StaticAssetEncoding encoding in asset.Encodings)
                    {
                        writer.WriteStartObject(encoding.Name);
                        writer.WriteString("path", encoding.StoredPath);
                        writer.WriteNumber("size", encoding.Length);
                        writer.WriteString("sha256", encoding.ContentHash);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static readonly string[] Extensions = [".css", ".js", ".png", ".svg", ".woff2", ".txt", ".map", string.Empty, ".unknownext", ".HTML"];
    private static readonly string[] Segments = ["a", "css", "img", "Ünï", "日本", "😀", "q\"uote", "back\\slash", "sp ace", "tab\t", "<&>", "ﬀ", "\uff01", "e\u0301"];
    private static readonly string[] Types = ["text/css", "application/x-custom", "text/html; charset=utf-8", "image/png", string.Empty, "x/\"odd\"ÿ"];

    /// <summary>A random set of logical paths, each with a fingerprinted file, an original copy (identical or not), or both.</summary>
    public static List<StaticAsset> RandomSet(Random random, int logicalPaths)
    {
        var assets = new List<StaticAsset>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        while (used.Count < logicalPaths)
        {
            string logical = string.Join('/', Enumerable.Range(0, random.Next(1, 4)).Select(_ => Segments[random.Next(Segments.Length)] + random.Next(100).ToString(System.Globalization.CultureInfo.InvariantCulture)))
                + Extensions[random.Next(Extensions.Length)];
            if (!used.Add(logical))
            {
                continue;
            }

            // Stored paths end in 12 hex digits, which no logical path does: they cannot collide.
            string stored = logical + "." + Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64()))[..12];
            int shape = random.Next(4);
            StaticAsset? fingerprinted = shape == 1 ? null : RandomAsset(random, logical, stored);
            if (fingerprinted is not null)
            {
                assets.Add(fingerprinted);
            }

            switch (shape)
            {
                case 1:
                    assets.Add(RandomAsset(random, logical, logical));
                    break;
                case 2:
                    assets.Add(OriginalOfWithConventionalPaths(fingerprinted!));
                    break;
                case 3:
                    assets.Add(random.Next(2) == 0 ? RandomAsset(random, logical, logical) : OriginalOfWithConventionalPaths(fingerprinted!) with { ContentHash = "0" + fingerprinted!.ContentHash });
                    break;
            }
        }

        return assets;
    }

    private static StaticAsset OriginalOfWithConventionalPaths(StaticAsset fingerprinted) => fingerprinted with
    {
        StoredPath = fingerprinted.LogicalPath,
        Encodings = [.. fingerprinted.Encodings.Select(e => e with
        {
            StoredPath = e.Name switch
            {
                "br" => fingerprinted.LogicalPath + ".br",
                "gzip" => fingerprinted.LogicalPath + ".gz",
                _ => "other/" + fingerprinted.LogicalPath + "." + e.Name,
            },
        })],
    };

    private static StaticAsset RandomAsset(Random random, string logical, string stored)
    {
        string[] codings = ["br", "gzip", "zstd", "deflate"];
        var encodings = new List<StaticAssetEncoding>();
        foreach (string coding in codings)
        {
            if (random.Next(3) == 0)
            {
                continue;
            }

            string path = coding switch
            {
                "br" when random.Next(4) > 0 => stored + ".br",
                "gzip" when random.Next(4) > 0 => stored + ".gz",
                _ => "variants/" + stored + "." + coding + random.Next(10).ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            encodings.Add(new StaticAssetEncoding(coding, path, RandomLength(random), RandomHex(random)));
        }

        if (encodings.Count > 1 && random.Next(2) == 0)
        {
            encodings.Reverse();
        }

        return new StaticAsset
        {
            LogicalPath = logical,
            StoredPath = stored,
            Length = RandomLength(random),
            ContentType = random.Next(3) == 0 ? Types[random.Next(Types.Length)] : Storage.ContentTypes.FromName(logical),
            ContentHash = random.Next(10) == 0 ? string.Empty : RandomHex(random),
            Integrity = random.Next(10) == 0 ? string.Empty : "sha384-" + Convert.ToBase64String(BitConverter.GetBytes(random.NextInt64())) + "+/=",
            Encodings = encodings,
        };
    }

    private static long RandomLength(Random random) => random.Next(4) switch
    {
        0 => 0,
        1 => long.MaxValue - random.Next(3),
        _ => random.NextInt64(1, 10_000_000_000),
    };

    private static string RandomHex(Random random)
    {
        byte[] bytes = new byte[32];
        random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}

/// <summary>Comparisons of every property of assets and their variants.</summary>
internal static class ManifestAssert
{
    public static StaticAssetManifest RoundTrip(IReadOnlyCollection<StaticAsset> assets, out string json)
    {
        var manifest = new StaticAssetManifest(assets);
        byte[] bytes = manifest.ToUtf8Bytes();
        json = Encoding.UTF8.GetString(bytes);
        StaticAssetManifest read = StaticAssetManifest.Parse(bytes);
        SameAssets(assets, read);
        Assert.AreEqual(manifest.Hash, read.Hash);
        CollectionAssert.AreEqual(bytes, read.ToUtf8Bytes(), "Writing what was read gives the same bytes.");
        return read;
    }

    public static void SameAssets(IEnumerable<StaticAsset> expected, StaticAssetManifest actual, string context = "")
    {
        StaticAsset[] assets = [.. expected];
        Assert.HasCount(assets.Length, actual.Assets, context);
        foreach (StaticAsset asset in assets)
        {
            Assert.IsTrue(actual.TryGetByStoredPath(asset.StoredPath, out StaticAsset? read), $"{context}: '{asset.StoredPath}' is missing.");
            SameAsset(asset, read, context);
            Assert.IsTrue(actual.TryGetByLogicalPath(asset.LogicalPath, out StaticAsset? served), $"{context}: '{asset.LogicalPath}' is not found by its logical path.");
            if (asset.IsFingerprinted)
            {
                Assert.AreSame(read, served, $"{context}: '{asset.LogicalPath}' is served as its fingerprinted file.");
            }
        }

        Dictionary<string, string> paths = assets.Where(a => a.IsFingerprinted).ToDictionary(a => a.LogicalPath, a => a.StoredPath, StringComparer.Ordinal);
        Assert.HasCount(paths.Count, actual.Paths, context);
        foreach (KeyValuePair<string, string> pair in paths)
        {
            Assert.AreEqual(pair.Value, actual.Paths[pair.Key], context);
        }
    }

    public static void SameAsset(StaticAsset expected, StaticAsset actual, string context = "")
    {
        string where = $"{context} '{expected.StoredPath}'";
        Assert.AreEqual(expected.StoredPath, actual.StoredPath, where);
        Assert.AreEqual(expected.LogicalPath, actual.LogicalPath, where);
        Assert.AreEqual(expected.IsFingerprinted, actual.IsFingerprinted, where);
        Assert.AreEqual(expected.Length, actual.Length, where);
        Assert.AreEqual(expected.ContentType, actual.ContentType, where);
        Assert.AreEqual(expected.ContentHash, actual.ContentHash, where);
        Assert.AreEqual(expected.Integrity, actual.Integrity, where);
        Assert.HasCount(expected.Encodings.Count, actual.Encodings, where);
        for (int i = 0; i < expected.Encodings.Count; i++)
        {
            StaticAssetEncoding e = expected.Encodings[i];
            StaticAssetEncoding a = actual.Encodings[i];
            Assert.AreEqual(e.Name, a.Name, where);
            Assert.AreEqual(e.StoredPath, a.StoredPath, where);
            Assert.AreEqual(e.Length, a.Length, where);
            Assert.AreEqual(e.ContentHash, a.ContentHash, where);
        }
    }
}
