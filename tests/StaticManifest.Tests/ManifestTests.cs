namespace Wharf.StaticManifest.Tests;

[TestClass]
public sealed class ManifestTests
{
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
}
