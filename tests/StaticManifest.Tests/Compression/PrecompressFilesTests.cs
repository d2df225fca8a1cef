using Wharf.StaticManifest.Compression;

namespace Wharf.StaticManifest.Tests.Compression;

[TestClass]
public sealed class PrecompressFilesTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    public async Task Variants_are_written_next_to_each_file_with_the_manifest_entries_in_input_order()
    {
        using var directory = new TestContent.TempDirectory();
        string css = directory.Write("css/site.0123456789ab.css", TestContent.Css(40_000));
        directory.Write("js/app.js", TestContent.Css(5_000, seed: 5));
        directory.Write("img/logo.png", TestContent.Css(5_000));
        directory.Write("tiny.txt", TestContent.Css(100));
        directory.Write("noise.bin", TestContent.Random(5_000));
        var modified = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(css, modified);
        string[] paths = ["css/site.0123456789ab.css", "js/app.js", "img/logo.png", "tiny.txt", "noise.bin"];

        IReadOnlyList<PrecompressedFile> results = await new Precompressor(PrecompressionOptions.Fast).CompressFilesAsync(directory.Path, paths, Ct);

        CollectionAssert.AreEqual(paths, results.Select(r => r.Path).ToArray());
        CollectionAssert.AreEqual(
            new[] { PrecompressionOutcome.Compressed, PrecompressionOutcome.Compressed, PrecompressionOutcome.SkippedExtension, PrecompressionOutcome.SkippedTooSmall, PrecompressionOutcome.NotEffective },
            results.Select(r => r.Outcome).ToArray());
        foreach (PrecompressedFile file in results.Take(2))
        {
            byte[] original = File.ReadAllBytes(Path.Join(directory.Path, file.Path));
            CollectionAssert.AreEqual(new[] { "br", "gzip" }, file.Encodings.Select(e => e.Name).ToArray());
            CollectionAssert.AreEqual(new[] { file.Path + ".br", file.Path + ".gz" }, file.Encodings.Select(e => e.StoredPath).ToArray());
            foreach (StaticAssetEncoding encoding in file.Encodings)
            {
                byte[] written = File.ReadAllBytes(Path.Join(directory.Path, encoding.StoredPath));
                Assert.AreEqual(TestContent.Sha256(written), encoding.ContentHash);
                Assert.AreEqual(written.Length, encoding.Length);
                CollectionAssert.AreEqual(original, TestContent.Decompress(encoding.Name, written));
            }
        }

        Assert.AreEqual(modified, File.GetLastWriteTimeUtc(css + ".br"), "Variants carry the original's time, as in whitenoise.");
        Assert.AreEqual(modified, File.GetLastWriteTimeUtc(css + ".gz"));
        string[] onDisk = Directory.GetFiles(directory.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(directory.Path, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();
        CollectionAssert.AreEqual(
            new[] { "css/site.0123456789ab.css", "css/site.0123456789ab.css.br", "css/site.0123456789ab.css.gz", "img/logo.png", "js/app.js", "js/app.js.br", "js/app.js.gz", "noise.bin", "tiny.txt" },
            onDisk,
            "No variant for skipped or incompressible files, and no temporary file left.");
    }

    [TestMethod]
    public async Task Parallel_and_sequential_batches_write_the_same_bytes_as_the_single_file_API()
    {
        using var sequential = new TestContent.TempDirectory();
        using var parallel = new TestContent.TempDirectory();
        var paths = new List<string>();
        for (int i = 0; i < 24; i++)
        {
            string path = $"dir{i % 3}/file{i}.css";
            byte[] content = TestContent.Css(1_000 + (i * 3_000), seed: i);
            sequential.Write(path, content);
            parallel.Write(path, content);
            paths.Add(path);
        }

        var options = PrecompressionOptions.Fast;
        options.MaxDegreeOfParallelism = 1;
        IReadOnlyList<PrecompressedFile> one = await new Precompressor(options).CompressFilesAsync(sequential.Path, paths, Ct);
        options.MaxDegreeOfParallelism = 8;
        IReadOnlyList<PrecompressedFile> many = await new Precompressor(options).CompressFilesAsync(parallel.Path, paths, Ct);

        var single = new Precompressor(PrecompressionOptions.Fast);
        for (int i = 0; i < paths.Count; i++)
        {
            CollectionAssert.AreEqual(one[i].Encodings.ToArray(), many[i].Encodings.ToArray(), paths[i]);
            PrecompressionResult alone = single.Compress(paths[i], File.ReadAllBytes(Path.Join(sequential.Path, paths[i])), Ct);
            CollectionAssert.AreEqual(alone.Variants.Select(v => v.ToEncoding(paths[i])).ToArray(), many[i].Encodings.ToArray(), paths[i]);
            foreach (StaticAssetEncoding encoding in one[i].Encodings)
            {
                CollectionAssert.AreEqual(File.ReadAllBytes(Path.Join(sequential.Path, encoding.StoredPath)), File.ReadAllBytes(Path.Join(parallel.Path, encoding.StoredPath)));
            }
        }
    }

    [TestMethod]
    public async Task Content_in_memory_is_not_read_from_disk()
    {
        using var directory = new TestContent.TempDirectory();
        byte[] css = TestContent.Css(20_000);

        IReadOnlyList<PrecompressedFile> results = await new Precompressor(PrecompressionOptions.Fast)
            .CompressFilesAsync(directory.Path, [new PrecompressionInput("new/site.css") { Content = css }], Ct);

        Assert.IsFalse(File.Exists(Path.Join(directory.Path, "new/site.css")));
        Assert.HasCount(2, results[0].Encodings);
        CollectionAssert.AreEqual(css, TestContent.Decompress("br", File.ReadAllBytes(Path.Join(directory.Path, "new/site.css.br"))));
    }

    [TestMethod]
    public async Task Stale_variants_are_deleted_but_a_collected_sibling_is_left_alone()
    {
        using var directory = new TestContent.TempDirectory();
        directory.Write("robots.txt", TestContent.Random(2_000));
        directory.Write("robots.txt.br", [1, 2, 3]);
        directory.Write("robots.txt.gz", [1, 2, 3]);
        directory.Write("app.js", TestContent.Css(10_000));
        byte[] userGzip = [0x1f, 0x8b, 42];
        directory.Write("app.js.gz", userGzip);
        directory.Write("img/logo.png", [1]);
        directory.Write("img/logo.png.br", [1, 2, 3]);

        IReadOnlyList<PrecompressedFile> results = await new Precompressor(PrecompressionOptions.Fast)
            .CompressFilesAsync(directory.Path, ["robots.txt", "app.js", "app.js.gz", "img/logo.png"], Ct);

        Assert.IsFalse(File.Exists(Path.Join(directory.Path, "robots.txt.br")), "A variant the content no longer earns would be served stale.");
        Assert.IsFalse(File.Exists(Path.Join(directory.Path, "robots.txt.gz")));
        Assert.IsFalse(File.Exists(Path.Join(directory.Path, "img/logo.png.br")));
        CollectionAssert.AreEqual(userGzip, File.ReadAllBytes(Path.Join(directory.Path, "app.js.gz")), "A collected file is never overwritten by a variant.");
        Assert.AreEqual("app.js.br", results[1].Encodings.Single().StoredPath);
        Assert.AreEqual(PrecompressionOutcome.SkippedExtension, results[2].Outcome);
    }

    [TestMethod]
    [DataRow("../outside.css")]
    [DataRow("/etc/passwd")]
    [DataRow("css//site.css")]
    [DataRow("css/./site.css")]
    [DataRow("css\\site.css")]
    public async Task Paths_must_stay_inside_the_directory(string path)
    {
        using var directory = new TestContent.TempDirectory();
        await Assert.ThrowsExactlyAsync<ArgumentException>(() => new Precompressor().CompressFilesAsync(directory.Path, [path], Ct));
    }

    [TestMethod]
    public async Task A_path_given_twice_is_refused()
    {
        using var directory = new TestContent.TempDirectory();
        await Assert.ThrowsExactlyAsync<ArgumentException>(() => new Precompressor().CompressFilesAsync(directory.Path, ["a.css", "a.css"], Ct));
    }

    [TestMethod]
    public async Task A_missing_file_is_an_error()
    {
        using var directory = new TestContent.TempDirectory();
        await Assert.ThrowsExactlyAsync<FileNotFoundException>(() => new Precompressor().CompressFilesAsync(directory.Path, ["missing.css"], Ct));
    }

    [TestMethod]
    public async Task A_batch_stops_when_cancelled_and_leaves_no_torn_file()
    {
        using var directory = new TestContent.TempDirectory();
        var paths = new List<string>();
        for (int i = 0; i < 16; i++)
        {
            paths.Add(Path.GetFileName(directory.Write($"f{i}.js", TestContent.Css(600_000, seed: i))));
        }

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAsync<OperationCanceledException>(() => new Precompressor().CompressFilesAsync(directory.Path, paths, cancelled.Token));
        Assert.HasCount(16, Directory.GetFiles(directory.Path), "Nothing written when cancelled before the start.");

        // Brotli 11 on 9.6 MB takes many seconds on any machine.
        using var soon = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        soon.CancelAfter(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAsync<OperationCanceledException>(() => new Precompressor().CompressFilesAsync(directory.Path, paths, soon.Token));
        Assert.IsEmpty(Directory.GetFiles(directory.Path, "*.tmp"));
        foreach (string variant in Directory.GetFiles(directory.Path, "*.br"))
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(variant[..^3]), TestContent.Decompress("br", File.ReadAllBytes(variant)));
        }
    }
}
