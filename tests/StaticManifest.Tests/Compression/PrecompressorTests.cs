using Wharf.StaticManifest.Compression;

namespace Wharf.StaticManifest.Tests.Compression;

[TestClass]
public sealed class PrecompressorTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    public void Text_gets_Brotli_then_gzip_and_both_decompress_to_the_original()
    {
        byte[] css = TestContent.Css(50_000);

        PrecompressionResult result = new Precompressor().Compress("css/site.css", css, Ct);

        Assert.AreEqual(PrecompressionOutcome.Compressed, result.Outcome);
        Assert.IsFalse(result.FromCache);
        CollectionAssert.AreEqual(new[] { "br", "gzip" }, result.Variants.Select(v => v.Coding).ToArray());
        CollectionAssert.AreEqual(new[] { ".br", ".gz" }, result.Variants.Select(v => v.FileExtension).ToArray());
        foreach (PrecompressedVariant variant in result.Variants)
        {
            CollectionAssert.AreEqual(css, TestContent.Decompress(variant.Coding, variant.Content), variant.Coding);
            Assert.AreEqual(TestContent.Sha256(variant.Content.Span), variant.ContentHash);
            Assert.AreEqual(variant.Content.Length, variant.Length);
            Assert.IsLessThanOrEqualTo(css.Length * 0.95, variant.Length);
        }

        Assert.IsLessThan(result.Variants[1].Length, result.Variants[0].Length, "Brotli beats gzip on text.");
        Assert.AreEqual(new StaticAssetEncoding("br", "css/site.css.br", result.Variants[0].Length, result.Variants[0].ContentHash), result.Variants[0].ToEncoding("css/site.css"));
    }

    [TestMethod]
    public void Random_bytes_get_no_variant_whatever_the_codings()
    {
        byte[] noise = TestContent.Random(20_000);

        Assert.AreEqual(PrecompressionOutcome.NotEffective, new Precompressor().Compress("data.bin", noise, Ct).Outcome);
        Assert.AreEqual(PrecompressionOutcome.NotEffective, new Precompressor(new PrecompressionOptions { Brotli = false }).Compress("data.bin", noise, Ct).Outcome);
        PrecompressionResult result = new Precompressor(new PrecompressionOptions { Gzip = false }).Compress("data.bin", noise, Ct);
        Assert.AreEqual(PrecompressionOutcome.NotEffective, result.Outcome);
        Assert.IsEmpty(result.Variants);
    }

    [TestMethod]
    public void The_ratio_rule_keeps_a_variant_only_at_or_under_the_maximum_ratio()
    {
        byte[] css = TestContent.Css(30_000);
        IReadOnlyList<PrecompressedVariant> all = new Precompressor(new PrecompressionOptions { MaxRatio = 1 }).Compress("a.css", css, Ct).Variants;
        double brotliRatio = (double)all[0].Length / css.Length;
        double gzipRatio = (double)all[1].Length / css.Length;

        // Exactly at the ratio passes (whitenoise: compressed / original <= 0.95).
        PrecompressionResult atGzip = new Precompressor(new PrecompressionOptions { MaxRatio = gzipRatio }).Compress("a.css", css, Ct);
        Assert.HasCount(2, atGzip.Variants);

        // Between the two: Brotli passes, gzip does not.
        PrecompressionResult between = new Precompressor(new PrecompressionOptions { MaxRatio = (brotliRatio + gzipRatio) / 2 }).Compress("a.css", css, Ct);
        Assert.AreEqual(PrecompressionOutcome.Compressed, between.Outcome);
        Assert.AreEqual("br", between.Variants.Single().Coding);

        PrecompressionResult below = new Precompressor(new PrecompressionOptions { MaxRatio = brotliRatio * 0.99 }).Compress("a.css", css, Ct);
        Assert.AreEqual(PrecompressionOutcome.NotEffective, below.Outcome);
    }

    [TestMethod]
    public void When_Brotli_does_not_pay_gzip_is_not_tried_unless_Brotli_is_off()
    {
        // Brotli quality 0 is weaker than gzip 9 on text, which is the only way to see that gzip is not tried.
        byte[] css = TestContent.Css(30_000);
        long brotli0 = new Precompressor(new PrecompressionOptions { BrotliQuality = 0, Gzip = false, MaxRatio = 1 }).Compress("a.css", css, Ct).Variants[0].Length;
        long gzip9 = new Precompressor(new PrecompressionOptions { Brotli = false, MaxRatio = 1 }).Compress("a.css", css, Ct).Variants[0].Length;
        Assert.IsGreaterThan(gzip9, brotli0, "Precondition: Brotli 0 is larger than gzip 9 on this text.");
        double ratio = (brotli0 + gzip9) / 2.0 / css.Length;

        PrecompressionResult both = new Precompressor(new PrecompressionOptions { BrotliQuality = 0, MaxRatio = ratio }).Compress("a.css", css, Ct);
        PrecompressionResult gzipOnly = new Precompressor(new PrecompressionOptions { Brotli = false, MaxRatio = ratio }).Compress("a.css", css, Ct);

        Assert.AreEqual(PrecompressionOutcome.NotEffective, both.Outcome);
        Assert.AreEqual("gzip", gzipOnly.Variants.Single().Coding);
    }

    [TestMethod]
    [DataRow("img/logo.png")]
    [DataRow("img/logo.PNG")]
    [DataRow("photo.JpG")]
    [DataRow("fonts/inter.woff2")]
    [DataRow("dist/archive.tar.gz")]
    [DataRow("img/hero.avif")]
    [DataRow("docs/manual.Pdf")]
    [DataRow("img\\windows.Webp")]
    public void Already_compressed_types_are_skipped_whatever_the_case(string path)
    {
        PrecompressionResult result = new Precompressor().Compress(path, TestContent.Css(10_000), Ct);

        Assert.AreEqual(PrecompressionOutcome.SkippedExtension, result.Outcome);
        Assert.IsEmpty(result.Variants);
    }

    [TestMethod]
    [DataRow("img/icon.svg")]
    [DataRow("favicon.ico")]
    [DataRow("fonts/inter.ttf")]
    [DataRow("app.wasm")]
    [DataRow("LICENSE")]
    [DataRow("img.png/readme.txt")]
    [DataRow("pngs")]
    public void Other_types_are_compressed(string path) =>
        Assert.AreEqual(PrecompressionOutcome.Compressed, new Precompressor().Compress(path, TestContent.Css(10_000), Ct).Outcome);

    [TestMethod]
    public void The_skip_list_can_be_replaced_with_or_without_dots()
    {
        var options = new PrecompressionOptions();
        options.SkipExtensions.Clear();
        options.SkipExtensions.Add(".TXT");
        options.SkipExtensions.Add("map");
        var precompressor = new Precompressor(options);

        Assert.AreEqual(PrecompressionOutcome.Compressed, precompressor.Compress("fake.png", TestContent.Css(10_000), Ct).Outcome);
        Assert.AreEqual(PrecompressionOutcome.SkippedExtension, precompressor.Compress("robots.txt", TestContent.Css(10_000), Ct).Outcome);
        Assert.AreEqual(PrecompressionOutcome.SkippedExtension, precompressor.Compress("app.js.MAP", TestContent.Css(10_000), Ct).Outcome);
        Assert.Contains("woff2", PrecompressionOptions.DefaultSkipExtensions);
    }

    [TestMethod]
    public void Files_under_the_minimum_length_and_empty_files_are_skipped()
    {
        var precompressor = new Precompressor();
        Assert.AreEqual(PrecompressionOutcome.SkippedTooSmall, precompressor.Compress("a.css", TestContent.Css(255), Ct).Outcome);
        Assert.AreEqual(PrecompressionOutcome.Compressed, precompressor.Compress("a.css", TestContent.Css(256), Ct).Outcome);

        var everything = new Precompressor(new PrecompressionOptions { MinimumLength = 0 });
        Assert.AreEqual(PrecompressionOutcome.Compressed, everything.Compress("a.css", TestContent.Css(120), Ct).Outcome);
        Assert.AreEqual(PrecompressionOutcome.NotEffective, everything.Compress("a.css", "x"u8.ToArray(), Ct).Outcome);
        Assert.AreEqual(PrecompressionOutcome.SkippedTooSmall, everything.Compress("a.css", ReadOnlyMemory<byte>.Empty, Ct).Outcome);
        Assert.AreEqual(PrecompressionOutcome.SkippedTooSmall, precompressor.GetSkipOutcome("a.css", 0));
        Assert.IsNull(precompressor.GetSkipOutcome("a.css", 256));
        Assert.AreEqual(PrecompressionOutcome.Disabled, new Precompressor(new PrecompressionOptions { Brotli = false, Gzip = false }).Compress("a.css", TestContent.Css(10_000), Ct).Outcome);
    }

    [TestMethod]
    public void Output_is_byte_identical_across_instances_and_runs_and_the_gzip_header_is_normalized()
    {
        // Over 1 MiB so the encoders see more than one slice.
        byte[] css = TestContent.Css(1_300_000, seed: 7);
        var options = new PrecompressionOptions { BrotliQuality = 5 };

        PrecompressionResult first = new Precompressor(options).Compress("a.css", css, Ct);
        PrecompressionResult second = new Precompressor(options).Compress("a.css", css, Ct);

        Assert.HasCount(2, first.Variants);
        for (int i = 0; i < 2; i++)
        {
            CollectionAssert.AreEqual(first.Variants[i].Content.ToArray(), second.Variants[i].Content.ToArray());
            Assert.AreEqual(first.Variants[i].ContentHash, second.Variants[i].ContentHash);
        }

        // RFC 1952: ID1 ID2 CM=deflate FLG=0 (no name, no comment, no header CRC), MTIME=0, XFL=2 (level 9), OS=255 (unknown).
        CollectionAssert.AreEqual(new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255 }, first.Variants[1].Content[..10].ToArray());
        CollectionAssert.AreEqual(css, TestContent.Decompress("gzip", first.Variants[1].Content));
        CollectionAssert.AreEqual(css, TestContent.Decompress("br", first.Variants[0].Content));
    }

    [TestMethod]
    public void Brotli_bytes_are_the_same_in_every_process()
    {
        // A fixed digest, so a run in another process (or on another machine) must produce the same bytes. Brotli has
        // no CPU-specific code paths; if a new .NET runtime ships another Brotli and this fails, every .br hash of
        // every site changes with that upgrade: say so in the release notes, then update the digest.
        PrecompressionResult result = new Precompressor(new PrecompressionOptions { BrotliQuality = 9, Gzip = false }).Compress("a.css", TestContent.Css(100_000, seed: 11), Ct);

        Assert.AreEqual("b2f0a9994f11aff0a25108329b2405bea5434ea0ef75cab6e4a9ef7915c48042", result.Variants[0].ContentHash);
    }

    [TestMethod]
    public void Brotli_bytes_equal_the_one_shot_encoder_so_slicing_changes_nothing()
    {
        byte[] css = TestContent.Css(1_200_000, seed: 3);
        byte[] expected = new byte[System.IO.Compression.BrotliEncoder.GetMaxCompressedLength(css.Length)];
        Assert.IsTrue(System.IO.Compression.BrotliEncoder.TryCompress(css, expected, out int length, 5, 22));

        PrecompressionResult result = new Precompressor(new PrecompressionOptions { BrotliQuality = 5, Gzip = false }).Compress("a.css", css, Ct);

        CollectionAssert.AreEqual(expected.AsSpan(0, length).ToArray(), result.Variants[0].Content.ToArray());
    }

    [TestMethod]
    public void Compression_stops_when_cancelled()
    {
        var precompressor = new Precompressor();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsExactly<OperationCanceledException>(() => precompressor.Compress("a.css", TestContent.Css(10_000), cancelled.Token));

        // Brotli 11 needs seconds for 6 MB; the token is seen between 1 MiB slices.
        using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        Assert.ThrowsExactly<OperationCanceledException>(() => precompressor.Compress("big.js", TestContent.Css(6_000_000, seed: 9), soon.Token));
    }

    [TestMethod]
    public async Task The_async_API_without_a_cache_matches_the_synchronous_one()
    {
        byte[] css = TestContent.Css(20_000);
        var precompressor = new Precompressor(PrecompressionOptions.Fast);

        PrecompressionResult sync = precompressor.Compress("a.css", css, Ct);
        PrecompressionResult async = await precompressor.CompressAsync("a.css", css, cancellationToken: Ct);

        Assert.AreEqual(PrecompressionOutcome.Compressed, async.Outcome);
        CollectionAssert.AreEqual(sync.Variants.Select(v => v.ContentHash).ToArray(), async.Variants.Select(v => v.ContentHash).ToArray());
        Assert.AreEqual(PrecompressionOutcome.SkippedExtension, (await precompressor.CompressAsync("a.png", css, cancellationToken: Ct)).Outcome);
    }

    [TestMethod]
    public void Options_are_validated_and_the_settings_key_names_what_changes_the_output()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Precompressor(new PrecompressionOptions { BrotliQuality = 12 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Precompressor(new PrecompressionOptions { GzipLevel = 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Precompressor(new PrecompressionOptions { MaxRatio = 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Precompressor(new PrecompressionOptions { MaxRatio = 1.5 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Precompressor(new PrecompressionOptions { MinimumLength = -1 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Precompressor(new PrecompressionOptions { MaxDegreeOfParallelism = 0 }));

        Assert.AreEqual("v1-br11w22-gz9-r0.95", new Precompressor().SettingsKey);
        Assert.AreEqual("v1-br5w22-gz6-r0.95", new Precompressor(PrecompressionOptions.Fast).SettingsKey);
        Assert.AreEqual("v1-gz9-r0.9", new Precompressor(new PrecompressionOptions { Brotli = false, MaxRatio = 0.9 }).SettingsKey);
        Assert.AreEqual(new Precompressor().SettingsKey, new Precompressor(new PrecompressionOptions { MinimumLength = 0 }).SettingsKey, "Skip rules do not change a compressed file's output.");
    }
}
