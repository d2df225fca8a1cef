using Wharf.Storage.Tests.Support;

namespace Wharf.Storage.Tests;

[TestClass]
public sealed class UploadNameGeneratorTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 3, 7, 9, 5, 4, TimeSpan.Zero));

    [TestMethod]
    public void Generate_expands_date_tokens_and_sanitises_the_file_name()
    {
        var generator = new UploadNameGenerator("documents/{yyyy}/{MM}/", Clock);

        Assert.AreEqual("documents/2026/03/johns_portrait.jpg", generator.Generate("john's portrait.jpg"));
    }

    [TestMethod]
    public void Generate_uses_every_date_token_in_utc()
    {
        var local = new FakeTimeProvider(new DateTimeOffset(2026, 3, 8, 1, 5, 4, TimeSpan.FromHours(5))); // 2026-03-07 20:05:04 UTC
        var generator = new UploadNameGenerator("{yyyy}-{yy}/{MM}/{dd}/{HH}{mm}{ss}", local);

        Assert.AreEqual("2026-26/03/07/200504/a.txt", generator.Generate("a.txt"));
    }

    [TestMethod]
    public void Generate_takes_the_file_name_from_a_client_path()
    {
        var generator = new UploadNameGenerator("documents/{yyyy}/{MM}/", Clock);

        Assert.AreEqual("documents/2026/03/photo.jpg", generator.Generate("C:\\fakepath\\photo.jpg"));
    }

    [TestMethod]
    public void Generate_adds_the_missing_trailing_slash_and_reads_backslashes()
    {
        Assert.AreEqual("docs/2026/x.txt", new UploadNameGenerator("docs\\{yyyy}", Clock).Generate("x.txt"));
        Assert.AreEqual("x.txt", new UploadNameGenerator(string.Empty, Clock).Generate("x.txt"));
    }

    [TestMethod]
    public void Guid_token_makes_32_hex_digits_that_differ_per_call()
    {
        var generator = new UploadNameGenerator("u/{guid}/", Clock);

        string first = generator.Generate("a.txt");
        string second = generator.Generate("a.txt");

        Assert.MatchesRegex("^u/[0-9a-f]{32}/a\\.txt$", first);
        Assert.AreNotEqual(first, second);
    }

    [TestMethod]
    public void Unknown_token_is_an_error_at_construction()
    {
        ArgumentException exception = Assert.ThrowsExactly<ArgumentException>(() => new UploadNameGenerator("documents/{year}/", Clock));

        Assert.Contains("{year}", exception.Message);
    }

    [TestMethod]
    public void Unclosed_brace_is_an_error_at_construction()
    {
        ArgumentException exception = Assert.ThrowsExactly<ArgumentException>(() => new UploadNameGenerator("documents/{yyyy/", Clock));

        Assert.Contains("unclosed", exception.Message);
    }

    [TestMethod]
    [DataRow("../")]
    [DataRow("..")]
    [DataRow("documents/../secrets/")]
    [DataRow("documents/{yyyy}/../")]
    [DataRow("/absolute/")]
    [DataRow("a//b/")]
    [DataRow("./")]
    public void Template_making_invalid_names_is_an_error_at_construction(string template)
    {
        ArgumentException exception = Assert.ThrowsExactly<ArgumentException>(() => new UploadNameGenerator(template, Clock));

        Assert.Contains(template, exception.Message);
    }

    [TestMethod]
    public void Generate_rejects_file_names_with_nothing_usable()
    {
        var generator = new UploadNameGenerator("documents/", Clock);

        Assert.ThrowsExactly<InvalidObjectNameException>(() => generator.Generate("$%&"));
    }

    [TestMethod]
    public async Task SaveUploadAsync_saves_under_the_generated_name()
    {
        using var folder = new TempFolder();
        using var storage = Storages.Create(folder);
        var generator = new UploadNameGenerator("documents/{yyyy}/{MM}/", Clock);

        SaveResult result = await storage.SaveUploadAsync(generator, "john's portrait.jpg", new MemoryStream([1, 2, 3]));

        Assert.AreEqual("documents/2026/03/johns_portrait.jpg", result.Name);
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, await storage.ReadAllBytesAsync(result.Name));
    }
}
