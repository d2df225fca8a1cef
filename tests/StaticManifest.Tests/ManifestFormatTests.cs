using System.Text;

namespace Wharf.StaticManifest.Tests;

/// <summary>Reading older formats, and refusing malformed manifests with a <see cref="StaticManifestException"/>.</summary>
[TestClass]
public sealed class ManifestFormatTests
{
    private static readonly string A = new('a', 64);
    private static readonly string B = new('b', 64);
    private static readonly string C = new('c', 64);

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void A_format_1_manifest_written_by_hand_is_read(bool withWharfVersion)
    {
        string json = $$$"""
            {
              "paths": {"css/site.css": "css/site.0123456789ab.css", "img/logo.png": "img/logo.fedcba987654.png"},
              "version": "1.1",
              "hash": "0123456789ab",
              "wharf": {
                {{{(withWharfVersion ? "\"version\": 1," : string.Empty)}}}
                "files": {
                  "css/site.0123456789ab.css": {"logical": "css/site.css", "size": 1300, "type": "text/css", "sha256": "{{{A}}}", "integrity": "sha384-x",
                    "encodings": {"br": {"path": "css/site.0123456789ab.css.br", "size": 400, "sha256": "{{{B}}}"}, "zstd": {"path": "z/site.css.zst", "size": 300} } },
                  "css/site.css": {"size": 1234, "type": "text/css; charset=utf-8", "sha256": "{{{C}}}", "integrity": "sha384-y",
                    "encodings": {"gzip": {"path": "css/site.css.gz", "size": 500, "sha256": "{{{A}}}"} } },
                  "img/logo.fedcba987654.png": {"logical": "img/logo.png", "size": 99000, "sha256": "{{{B}}}"},
                  "robots.txt": {"size": 24, "type": "text/plain", "sha256": "{{{C}}}", "integrity": "sha384-z"}
                }
              }
            }
            """;
        StaticAsset[] expected =
        [
            new() { LogicalPath = "css/site.css", StoredPath = "css/site.0123456789ab.css", Length = 1300, ContentType = "text/css", ContentHash = A, Integrity = "sha384-x",
                Encodings = [new("br", "css/site.0123456789ab.css.br", 400, B), new("zstd", "z/site.css.zst", 300, string.Empty)] },
            new() { LogicalPath = "css/site.css", StoredPath = "css/site.css", Length = 1234, ContentType = "text/css; charset=utf-8", ContentHash = C, Integrity = "sha384-y",
                Encodings = [new("gzip", "css/site.css.gz", 500, A)] },
            new() { LogicalPath = "img/logo.png", StoredPath = "img/logo.fedcba987654.png", Length = 99000, ContentType = "image/png", ContentHash = B, Integrity = string.Empty },
            new() { LogicalPath = "robots.txt", StoredPath = "robots.txt", Length = 24, ContentType = "text/plain", ContentHash = C, Integrity = "sha384-z" },
        ];

        StaticAssetManifest read = StaticAssetManifest.Parse(Encoding.UTF8.GetBytes(json));

        ManifestAssert.SameAssets(expected, read);
        Assert.AreEqual(ManifestTests.DjangoHash([("css/site.css", "css/site.0123456789ab.css"), ("img/logo.png", "img/logo.fedcba987654.png")]), read.Hash);
        ManifestAssert.RoundTrip(expected, out _);
        ManifestAssert.SameAssets(expected, StaticAssetManifest.Parse(read.ToUtf8Bytes()), "Rewritten as format 2");
    }

    [TestMethod]
    public void A_format_1_manifest_gives_what_format_2_gives()
    {
        List<StaticAsset> assets = ManifestAssets.RandomSet(new Random(7), 40);

        StaticAssetManifest fromFormat1 = StaticAssetManifest.Parse(ManifestAssets.WriteFormat1(assets, indented: true));
        StaticAssetManifest fromFormat2 = StaticAssetManifest.Parse(new StaticAssetManifest(assets).ToUtf8Bytes());

        ManifestAssert.SameAssets(assets, fromFormat1);
        ManifestAssert.SameAssets(assets, fromFormat2);
        Assert.AreEqual(fromFormat2.Hash, fromFormat1.Hash);
        CollectionAssert.AreEqual(fromFormat2.ToUtf8Bytes(), fromFormat1.ToUtf8Bytes());
    }

    [TestMethod]
    public void A_Django_only_manifest_gives_fingerprinted_files_known_by_their_paths()
    {
        StaticAssetManifest read = StaticAssetManifest.Parse("""{"paths": {"css/site.css": "css/site.0123456789ab.css", "é.js": "é.0123456789ab.js"}, "version": "1.1", "hash": "0123456789ab"}"""u8);

        Assert.HasCount(2, read.Assets);
        Assert.IsTrue(read.TryGetByLogicalPath("css/site.css", out StaticAsset? css));
        Assert.AreEqual("css/site.0123456789ab.css", css.StoredPath);
        Assert.AreEqual("text/css; charset=utf-8", css.ContentType);
        Assert.AreEqual(string.Empty, css.ContentHash);
        Assert.IsEmpty(css.Encodings);
        Assert.AreEqual("é.0123456789ab.js", read.Paths["é.js"]);
    }

    [TestMethod]
    public void Paths_without_Wharf_data_in_a_format_2_manifest_are_kept()
    {
        // A Django collectstatic run added a file after Wharf wrote its data: the file is still known by its path.
        string json = Manifest("""{"a.css": "a.0123456789ab.css", "b.css": "b.0123456789ab.css"}""", $$$"""{"a.css": {"size": 1, "sha256": "{{{A}}}", "integrity": "i"}}""");

        StaticAssetManifest read = StaticAssetManifest.Parse(Encoding.UTF8.GetBytes(json));

        Assert.HasCount(2, read.Assets);
        Assert.AreEqual(1, read.Assets["a.0123456789ab.css"].Length);
        Assert.AreEqual(string.Empty, read.Assets["b.0123456789ab.css"].ContentHash);
    }

    [TestMethod]
    public void Unknown_properties_are_ignored()
    {
        string json = """{"paths": {"a.css": "a.0123456789ab.css"}, "version": "1.1", "hash": "x", "extra": [1], "wharf": {"version": 2, "future": {}, "files": {"a.css": {"size": 1, "sha256": "s", "integrity": "i", "later": null, "original": true}}}}""";

        StaticAssetManifest read = StaticAssetManifest.Parse(Encoding.UTF8.GetBytes(json));

        Assert.HasCount(2, read.Assets);
        Assert.AreEqual("s", read.Assets["a.css"].ContentHash);
    }

    [TestMethod]
    // An entry that is not an object.
    [DataRow("{}", """{"a.css": 5}""", "'a.css'")]
    [DataRow("{}", """{"a.css": []}""", "'a.css'")]
    [DataRow("{}", """{"a.css": null}""", "'a.css'")]
    [DataRow("{}", """{"a.css": "a.0123456789ab.css"}""", "'a.css'")]
    // A size that is not a non-negative integer.
    [DataRow(Paths, """{"a.css": {"size": -1, "sha256": "h", "integrity": "i"}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": "10", "sha256": "h", "integrity": "i"}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1.5, "sha256": "h", "integrity": "i"}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1e3, "sha256": "h", "integrity": "i"}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1e30, "sha256": "h", "integrity": "i"}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 9223372036854775808, "sha256": "h", "integrity": "i"}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": null, "sha256": "h", "integrity": "i"}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": true, "sha256": "h", "integrity": "i"}}""", Stored)]
    [DataRow("{}", """{"a.css": {"original": {"size": -5}}}""", "'a.css'")]
    // Fingerprint fields without a size.
    [DataRow(Paths, """{"a.css": {"sha256": "h", "integrity": "i"}}""", "'a.css'")]
    [DataRow(Paths, """{"a.css": {"encodings": {"br": [1, "h"]}}}""", "'a.css'")]
    [DataRow("{}", """{"a.css": {"original": {}}}""", "'a.css'")]
    [DataRow("{}", """{"a.css": {"original": {"sha256": "h"}}}""", "'a.css'")]
    // Other fields of the wrong type.
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": 5, "integrity": "i"}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": null}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1, "type": ["text/css"], "sha256": "h", "integrity": "i"}}""", Stored)]
    // Encodings that are not an object.
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "encodings": []}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "encodings": "br"}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "encodings": null}}""", Stored)]
    // A variant that is not [size, sha256] or [size, sha256, path].
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "encodings": {"br": []}}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "encodings": {"br": [1]}}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "encodings": {"br": [1, "h", "p", "x"]}}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "encodings": {"br": {"size": 1, "sha256": "h"}}}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "encodings": {"br": 1}}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "encodings": {"br": ["1", "h"]}}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "encodings": {"br": [-1, "h"]}}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "encodings": {"br": [1.5, "h"]}}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "encodings": {"br": [null, "h"]}}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "encodings": {"br": [1, 2]}}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "encodings": {"br": [1, null]}}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "encodings": {"br": [1, "h", 3]}}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "encodings": {"br": [1, "h", null]}}}""", Stored)]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "encodings": {"br": [1, "h", ["p"]]}}}""", Stored)]
    [DataRow("{}", """{"a.css": {"original": {"size": 1, "encodings": {"gzip": [1, "h", 3]}}}}""", "'a.css")]
    // An unknown coding without its path.
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "encodings": {"zstd": [1, "h"]}}}""", Stored)]
    [DataRow("{}", """{"a.css": {"original": {"size": 1, "sha256": "h", "integrity": "i", "encodings": {"deflate": [1, "h"]}}}}""", "'a.css'")]
    // original: true without a fingerprinted file, and original of the wrong type.
    [DataRow("{}", """{"a.css": {"original": true}}""", "'a.css'")]
    [DataRow(Paths, """{"a.css": {"original": true}}""", "'a.css'")]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "original": false}}""", "'a.css")]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "original": 1}}""", "'a.css")]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "original": "a.css"}}""", "'a.css")]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "original": []}}""", "'a.css")]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i", "original": null}}""", "'a.css")]
    // A fingerprinted file without its path in paths, or with a path that is not a string.
    [DataRow("{}", """{"a.css": {"size": 1, "sha256": "h", "integrity": "i"}}""", "'a.css'")]
    [DataRow("""{"b.css": "a.0123456789ab.css"}""", """{"a.css": {"size": 1, "sha256": "h", "integrity": "i"}}""", "'a.css'")]
    [DataRow("""{"a.css": 1}""", """{"a.css": {"size": 1, "sha256": "h", "integrity": "i"}}""", "'a.css'")]
    [DataRow("""{"a.css": null}""", """{"a.css": {"size": 1, "sha256": "h", "integrity": "i"}}""", "'a.css'")]
    [DataRow("""{"a.css": ["a.0123456789ab.css"]}""", """{"a.css": {"size": 1, "sha256": "h", "integrity": "i"}}""", "'a.css'")]
    [DataRow("""{"a.css": 1}""", "{}", "'a.css'")]
    [DataRow("""{"a.css": "a.0123456789ab.css", "b.css": false}""", "{}", "'b.css'")]
    // Two entries stored under one path.
    [DataRow("""{"a.css": "x.css", "b.css": "x.css"}""", """{"a.css": {"size": 1, "sha256": "h", "integrity": "i"}, "b.css": {"size": 2, "sha256": "h", "integrity": "i"}}""", "'x.css'")]
    [DataRow("""{"a.css": "b.css"}""", """{"a.css": {"size": 1, "sha256": "h", "integrity": "i"}, "b.css": {"original": {"size": 2, "sha256": "h", "integrity": "i"}}}""", "'b.css'")]
    [DataRow("""{"a.css": "b.css"}""", """{"b.css": {"original": {"size": 2, "sha256": "h", "integrity": "i"}}, "a.css": {"size": 1, "sha256": "h", "integrity": "i"}}""", "'b.css'")]
    [DataRow(Paths, """{"a.css": {"size": 1, "sha256": "h", "integrity": "i"}, "a.css": {"size": 2, "sha256": "h", "integrity": "i"}}""", Stored)]
    [DataRow("{}", """{"a.css": {"original": {"size": 1}}, "a.css": {"original": {"size": 2}}}""", "'a.css'")]
    // A path in paths whose stored file belongs to another logical path.
    [DataRow("""{"a.css": "x.css", "b.css": "x.css"}""", """{"a.css": {"size": 1, "sha256": "h", "integrity": "i"}}""", "'b.css'")]
    [DataRow("""{"b.css": "a.css"}""", """{"a.css": {"original": {"size": 1, "sha256": "h", "integrity": "i"}}}""", "'b.css'")]
    public void A_malformed_format_2_manifest_is_refused(string paths, string files, string named)
    {
        string json = Manifest(paths, files);

        StaticManifestException exception = Assert.ThrowsExactly<StaticManifestException>(() => StaticAssetManifest.Parse(Encoding.UTF8.GetBytes(json)), json);

        Assert.Contains(named, exception.Message, json);
    }

    [TestMethod]
    [DataRow("""{"version": 3, "files": {}}""", "3")]
    [DataRow("""{"version": 3}""", "3")]
    [DataRow("""{"version": 3, "files": {"a.css": {"whatever": true}}}""", "3")]
    [DataRow("""{"version": 0, "files": {}}""", "0")]
    [DataRow("""{"version": -1, "files": {}}""", "-1")]
    [DataRow("""{"version": "2", "files": {}}""", "wharf.version")]
    [DataRow("""{"version": 2.0, "files": {}}""", "wharf.version")]
    [DataRow("""{"version": 2.5, "files": {}}""", "wharf.version")]
    [DataRow("""{"version": null, "files": {}}""", "wharf.version")]
    [DataRow("""{"version": 99999999999, "files": {}}""", "wharf.version")]
    [DataRow("[]", "wharf")]
    [DataRow("\"2\"", "wharf")]
    [DataRow("1", "wharf")]
    [DataRow("null", "wharf")]
    [DataRow("""{"version": 2, "files": []}""", "wharf.files")]
    [DataRow("""{"version": 2, "files": "a.css"}""", "wharf.files")]
    [DataRow("""{"version": 1, "files": [{"a.css": {}}]}""", "wharf.files")]
    public void A_manifest_with_an_unknown_or_malformed_Wharf_section_is_refused(string wharf, string named)
    {
        string json = $$$"""{"paths": {"a.css": "a.0123456789ab.css"}, "version": "1.1", "hash": "x", "wharf": {{{wharf}}}}""";

        StaticManifestException exception = Assert.ThrowsExactly<StaticManifestException>(() => StaticAssetManifest.Parse(Encoding.UTF8.GetBytes(json)), json);

        Assert.Contains(named, exception.Message, json);
    }

    [TestMethod]
    [DataRow("""{"paths": [], "version": "1.1"}""", "paths")]
    [DataRow("""{"paths": "a.css", "version": "1.1"}""", "paths")]
    [DataRow("""{"paths": null, "version": "1.0"}""", "paths")]
    [DataRow("""{"paths": {"a.css": "a.0123456789ab.css", "a.css": "a.ba9876543210.css"}, "version": "1.1"}""", "'a.css'")]
    [DataRow("""{"paths": {}, "version": 1.1}""", "version")]
    [DataRow("""{"paths": {}, "version": "1.2"}""", "'1.2'")]
    [DataRow("""{"paths": {}}""", "(none)")]
    [DataRow("""[]""", "object")]
    [DataRow("""null""", "object")]
    [DataRow("\"1.1\"", "object")]
    [DataRow("", "JSON")]
    [DataRow("""{"paths": {}, "version": "1.1"} {}""", "JSON")]
    [DataRow("{\"paths\": {}, \"version\": \"1.1\"", "JSON")]
    public void A_manifest_that_is_not_a_Django_manifest_is_refused(string json, string named)
    {
        StaticManifestException exception = Assert.ThrowsExactly<StaticManifestException>(() => StaticAssetManifest.Parse(Encoding.UTF8.GetBytes(json)), json);

        Assert.Contains(named, exception.Message, json);
    }

    [TestMethod]
    // An entry that is not an object, a size that is not a non-negative integer.
    [DataRow("""{"a.css": 1}""", "'a.css'")]
    [DataRow("""{"a.css": {"size": -1}}""", "'a.css'")]
    [DataRow("""{"a.css": {"size": "1"}}""", "'a.css'")]
    [DataRow("""{"a.css": {"logical": 5, "size": 1}}""", "'a.css")]
    [DataRow("""{"a.css": {"size": 1, "type": 5}}""", "'a.css")]
    // Encodings that are not objects, or lack their path or size.
    [DataRow("""{"a.css": {"size": 1, "encodings": []}}""", "'a.css")]
    [DataRow("""{"a.css": {"size": 1, "encodings": {"br": [1, "h"]}}}""", "'a.css")]
    [DataRow("""{"a.css": {"size": 1, "encodings": {"br": {"size": 1}}}}""", "'a.css'")]
    [DataRow("""{"a.css": {"size": 1, "encodings": {"br": {"path": "a.css.br"}}}}""", "'a.css'")]
    [DataRow("""{"a.css": {"size": 1, "encodings": {"br": {"path": 1, "size": 1}}}}""", "'a.css")]
    [DataRow("""{"a.css": {"size": 1, "encodings": {"br": {"path": "a.css.br", "size": -1}}}}""", "'a.css'")]
    // Two fingerprinted files for one logical path, or one stored path twice.
    [DataRow("""{"a.1.css": {"logical": "a.css", "size": 1}, "a.2.css": {"logical": "a.css", "size": 1}}""", "'a.css'")]
    [DataRow("""{"a.css": {"size": 1}, "a.css": {"size": 2}}""", "'a.css'")]
    public void A_malformed_format_1_manifest_is_refused(string files, string named)
    {
        string json = $$$"""{"paths": {}, "version": "1.1", "hash": "x", "wharf": {"version": 1, "files": {{{files}}}}}""";

        StaticManifestException exception = Assert.ThrowsExactly<StaticManifestException>(() => StaticAssetManifest.Parse(Encoding.UTF8.GetBytes(json)), json);

        Assert.Contains(named, exception.Message, json);
    }

    [TestMethod]
    [DataRow("paths key", """{"paths": {"\ud800.css": "a.0123456789ab.css"}, "version": "1.1"}""")]
    [DataRow("paths value", """{"paths": {"a.css": "a.\udc00.css"}, "version": "1.1"}""")]
    [DataRow("files key", """{"paths": {}, "version": "1.1", "wharf": {"version": 2, "files": {"\ud800": {"original": {"size": 1}}}}}""")]
    [DataRow("sha256", """{"paths": {}, "version": "1.1", "wharf": {"version": 2, "files": {"a.css": {"original": {"size": 1, "sha256": "\udfff"}}}}}""")]
    [DataRow("coding", """{"paths": {}, "version": "1.1", "wharf": {"version": 2, "files": {"a.css": {"original": {"size": 1, "encodings": {"\ud800": [1, "h", "p"]}}}}}}""")]
    [DataRow("format 1 key", """{"paths": {}, "version": "1.1", "wharf": {"version": 1, "files": {"\ud800": {"size": 1}}}}""")]
    public void Escaped_lone_surrogates_are_refused(string where, string json)
    {
        Assert.ThrowsExactly<StaticManifestException>(() => StaticAssetManifest.Parse(Encoding.UTF8.GetBytes(json)), where);
    }

    [TestMethod]
    public void Invalid_UTF_8_is_refused()
    {
        byte[] json = Encoding.UTF8.GetBytes("""{"paths": {"a.css": "a.0123456789ab.css"}, "version": "1.1"}""");
        int at = Array.IndexOf(json, (byte)'a', 12);

        foreach (byte[] bad in new[] { new byte[] { 0xff }, [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf] })
        {
            byte[] broken = [.. json[..at], .. bad, .. json[at..]];
            Assert.ThrowsExactly<StaticManifestException>(() => StaticAssetManifest.Parse(broken), Convert.ToHexString(bad));
        }
    }

    [TestMethod]
    public void Comments_and_trailing_commas_are_tolerated_in_a_hand_edited_manifest()
    {
        StaticAssetManifest read = StaticAssetManifest.Parse("""
            {
              // Edited by hand.
              "paths": {"a.css": "a.0123456789ab.css",},
              "version": "1.1",
            }
            """u8);

        Assert.AreEqual("a.0123456789ab.css", read.Paths["a.css"]);
    }

    private const string Paths = """{"a.css": "a.0123456789ab.css"}""";

    private const string Stored = "a.0123456789ab.css";

    private static string Manifest(string paths, string files) =>
        $$$"""{"paths": {{{paths}}}, "version": "1.1", "hash": "x", "wharf": {"version": 2, "files": {{{files}}}}}""";
}
