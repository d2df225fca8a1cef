using System.Text;
using Wharf.Storage.FileSystem;
using Wharf.Storage.Tests.Support;

namespace Wharf.Storage.Tests;

[TestClass]
public sealed class StorageExtensionsTests
{
    private TempFolder _folder = null!;
    private TempFolder _otherFolder = null!;

    [TestInitialize]
    public void Initialize()
    {
        _folder = new TempFolder();
        _otherFolder = new TempFolder();
    }

    [TestCleanup]
    public void Cleanup()
    {
        _folder.Dispose();
        _otherFolder.Dispose();
    }

    [TestMethod]
    public async Task SaveTextAsync_and_ReadAllTextAsync_round_trip_utf8_without_a_bom()
    {
        using FileSystemStorage storage = Storages.Create(_folder);
        const string text = "Grüße, 世界! 😀\nline two";

        SaveResult result = await storage.SaveTextAsync("notes/hello.txt", text);

        Assert.AreEqual(Encoding.UTF8.GetByteCount(text), result.Length);
        Assert.AreEqual(text, await storage.ReadAllTextAsync("notes/hello.txt"));
        CollectionAssert.AreEqual(Encoding.UTF8.GetBytes(text), await File.ReadAllBytesAsync(Path.Combine(_folder.Path, "notes", "hello.txt")));
    }

    [TestMethod]
    public async Task SaveTextAsync_with_another_encoding_is_read_back_with_it()
    {
        using FileSystemStorage storage = Storages.Create(_folder);
        const string text = "Grüße";

        SaveResult result = await storage.SaveTextAsync("latin.txt", text, encoding: Encoding.Latin1);

        Assert.AreEqual(5, result.Length);
        Assert.AreEqual(text, await storage.ReadAllTextAsync("latin.txt", Encoding.Latin1));
    }

    [TestMethod]
    public async Task SaveBytesAsync_and_ReadAllBytesAsync_round_trip()
    {
        using FileSystemStorage storage = Storages.Create(_folder);
        byte[] content = new byte[300_000];
        new Random(42).NextBytes(content);

        SaveResult result = await storage.SaveBytesAsync("blobs/random.bin", content);

        Assert.AreEqual(content.Length, result.Length);
        CollectionAssert.AreEqual(content, await storage.ReadAllBytesAsync("blobs/random.bin"));
    }

    [TestMethod]
    public async Task SaveBytesAsync_saves_only_the_given_slice()
    {
        using FileSystemStorage storage = Storages.Create(_folder);
        byte[] buffer = [0, 1, 2, 3, 4];

        SaveResult result = await storage.SaveBytesAsync("slice.bin", buffer.AsMemory(1, 3));

        Assert.AreEqual(3, result.Length);
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, await storage.ReadAllBytesAsync("slice.bin"));
    }

    [TestMethod]
    public async Task ReadAllTextAsync_honours_a_byte_order_mark()
    {
        using FileSystemStorage storage = Storages.Create(_folder);
        byte[] utf16 = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("Grüße")];
        byte[] utf8 = [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("Grüße")];

        await storage.SaveBytesAsync("utf16.txt", utf16);
        await storage.SaveBytesAsync("utf8.txt", utf8);

        Assert.AreEqual("Grüße", await storage.ReadAllTextAsync("utf16.txt"));
        Assert.AreEqual("Grüße", await storage.ReadAllTextAsync("utf8.txt"));
    }

    [TestMethod]
    public async Task SaveBytesAsync_of_nothing_stores_an_empty_object()
    {
        using FileSystemStorage storage = Storages.Create(_folder);

        SaveResult result = await storage.SaveBytesAsync("empty.bin", ReadOnlyMemory<byte>.Empty);

        Assert.AreEqual(0, result.Length);
        Assert.IsEmpty(await storage.ReadAllBytesAsync("empty.bin"));
        Assert.AreEqual(0, (await storage.GetInfoAsync("empty.bin")).Length);
    }

    [TestMethod]
    public async Task CopyToAsync_copies_content_type_cache_control_and_metadata()
    {
        using FileSystemStorage source = Storages.Create(_folder);
        using FileSystemStorage destination = Storages.Create(_otherFolder);
        if (!source.Capabilities.CustomMetadata || !destination.Capabilities.CustomMetadata)
        {
            Assert.Inconclusive("The temp folder's file system has no user extended attributes, so metadata is not stored.");
        }

        await source.SaveTextAsync("in/report.dat", "payload", new SaveOptions
        {
            ContentType = "application/vnd.example+json",
            CacheControl = "public, max-age=60",
            Metadata = new Dictionary<string, string> { ["Owner"] = "ann", ["rev"] = "7" },
        });

        SaveResult copied = await source.CopyToAsync("in/report.dat", destination, "out/report.dat");
        StorageObjectInfo info = await destination.GetInfoAsync(copied.Name);

        Assert.AreEqual("out/report.dat", copied.Name);
        Assert.AreEqual("payload", await destination.ReadAllTextAsync("out/report.dat"));
        Assert.AreEqual("application/vnd.example+json", info.ContentType);
        Assert.AreEqual("public, max-age=60", info.CacheControl);
        Assert.HasCount(2, info.Metadata);
        Assert.AreEqual("ann", info.Metadata["owner"]);
        Assert.AreEqual("7", info.Metadata["rev"]);
        Assert.AreEqual("payload", await source.ReadAllTextAsync("in/report.dat"), "the source is left in place");
    }

    [TestMethod]
    public async Task CopyToAsync_keeps_the_name_and_takes_an_alternative_when_it_is_taken()
    {
        using FileSystemStorage source = Storages.Create(_folder);
        using FileSystemStorage destination = Storages.Create(_otherFolder);
        await source.SaveTextAsync("a/b.txt", "new");
        await destination.SaveTextAsync("a/b.txt", "existing");

        SaveResult copied = await source.CopyToAsync("a/b.txt", destination);

        Assert.MatchesRegex(@"^a/b_[A-Za-z0-9]{7}\.txt$", copied.Name);
        Assert.AreEqual("existing", await destination.ReadAllTextAsync("a/b.txt"));
        Assert.AreEqual("new", await destination.ReadAllTextAsync(copied.Name));
    }

    [TestMethod]
    public async Task CopyToAsync_options_override_what_is_copied()
    {
        using FileSystemStorage source = Storages.Create(_folder);
        using FileSystemStorage destination = Storages.Create(_otherFolder);
        if (!destination.Capabilities.StoresContentType)
        {
            Assert.Inconclusive("The temp folder's file system has no user extended attributes, so the content type is not stored.");
        }

        await source.SaveTextAsync("a.txt", "x", new SaveOptions { ContentType = "text/x-one" });
        await source.CopyToAsync("a.txt", destination, options: new SaveOptions { ContentType = "text/x-two" });

        Assert.AreEqual("text/x-two", (await destination.GetInfoAsync("a.txt")).ContentType);
    }

    [TestMethod]
    public async Task CopyToAsync_of_a_missing_object_is_not_found()
    {
        using FileSystemStorage source = Storages.Create(_folder);
        using FileSystemStorage destination = Storages.Create(_otherFolder);

        await Assert.ThrowsExactlyAsync<ObjectNotFoundException>(() => source.CopyToAsync("missing.txt", destination).AsTask());
        Assert.IsEmpty(_otherFolder.Files());
    }

    [TestMethod]
    public void TryGetPublicUrl_is_false_without_a_public_base_url()
    {
        using FileSystemStorage storage = Storages.Create(_folder);

        Assert.IsFalse(storage.Capabilities.PublicUrls);
        Assert.IsFalse(storage.TryGetPublicUrl("a.txt", out Uri? url));
        Assert.IsNull(url);
        Assert.ThrowsExactly<StorageNotSupportedException>(() => storage.GetPublicUrl("a.txt"));
    }

    [TestMethod]
    [DataRow("/media/", "a b/ü.txt", "/media/a%20b/%C3%BC.txt")]
    [DataRow("/media", "a b/ü.txt", "/media/a%20b/%C3%BC.txt")]
    [DataRow("/media/", "q?#&+%.txt", "/media/q%3F%23%26%2B%25.txt")]
    [DataRow("/media/", "dir\\file.txt", "/media/dir/file.txt")]
    [DataRow("/media/", "日本/写真.png", "/media/%E6%97%A5%E6%9C%AC/%E5%86%99%E7%9C%9F.png")]
    public void TryGetPublicUrl_escapes_each_segment_of_a_relative_base(string baseUrl, string name, string expected)
    {
        using FileSystemStorage storage = Storages.Create(_folder, o => o.PublicBaseUrl = baseUrl);

        Assert.IsTrue(storage.Capabilities.PublicUrls);
        Assert.IsTrue(storage.TryGetPublicUrl(name, out Uri? url));
        Assert.IsFalse(url.IsAbsoluteUri);
        Assert.AreEqual(expected, url.OriginalString);
    }

    [TestMethod]
    public void TryGetPublicUrl_escapes_against_an_absolute_base()
    {
        using FileSystemStorage storage = Storages.Create(_folder, o => o.PublicBaseUrl = "https://cdn.example.com/media");

        Assert.IsTrue(storage.TryGetPublicUrl("a b/ü.txt", out Uri? url));

        Assert.IsTrue(url.IsAbsoluteUri);
        Assert.AreEqual("https://cdn.example.com/media/a%20b/%C3%BC.txt", url.AbsoluteUri);
    }

    [TestMethod]
    public void GetPublicUrl_rejects_invalid_names()
    {
        using FileSystemStorage storage = Storages.Create(_folder, o => o.PublicBaseUrl = "/media/");

        Assert.ThrowsExactly<InvalidObjectNameException>(() => storage.TryGetPublicUrl("../secret.txt", out _));
    }

    [TestMethod]
    public void TryGetLocalPath_gives_a_path_inside_the_root()
    {
        using FileSystemStorage storage = Storages.Create(_folder);

        Assert.IsTrue(storage.TryGetLocalPath("a/b.txt", out string? path));

        Assert.AreEqual(Path.Combine(storage.RootPath, "a", "b.txt"), path);
    }

    [TestMethod]
    public async Task GetInfoOrNullAsync_is_null_for_a_missing_object_and_the_info_otherwise()
    {
        using FileSystemStorage storage = Storages.Create(_folder);
        await storage.SaveTextAsync("present.txt", "12345");

        Assert.IsNull(await storage.GetInfoOrNullAsync("missing.txt"));
        Assert.IsNull(await storage.GetInfoOrNullAsync("missing/folder/file.txt"));
        StorageObjectInfo? info = await storage.GetInfoOrNullAsync("present.txt");
        Assert.IsNotNull(info);
        Assert.AreEqual("present.txt", info.Name);
        Assert.AreEqual(5, info.Length);
    }

    [TestMethod]
    public async Task GetInfoOrNullAsync_still_rejects_invalid_names()
    {
        using FileSystemStorage storage = Storages.Create(_folder);

        await Assert.ThrowsExactlyAsync<InvalidObjectNameException>(() => storage.GetInfoOrNullAsync("../x").AsTask());
    }
}
