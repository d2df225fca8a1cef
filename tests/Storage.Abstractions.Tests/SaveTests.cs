using System.Text;
using Wharf.Storage.FileSystem;
using Wharf.Storage.Tests.Support;

namespace Wharf.Storage.Tests;

/// <summary>The save loop and option checks of <see cref="StorageBase"/>, through the real file-system backend.</summary>
[TestClass]
public sealed class SaveTests
{
    private TempFolder _folder = null!;

    [TestInitialize]
    public void Initialize() => _folder = new TempFolder();

    [TestCleanup]
    public void Cleanup() => _folder.Dispose();

    [TestMethod]
    public async Task Saving_a_free_name_keeps_it()
    {
        using FileSystemStorage storage = Storages.Create(_folder);

        SaveResult result = await storage.SaveTextAsync("docs/report.pdf", "v1");

        Assert.AreEqual("docs/report.pdf", result.Name);
        Assert.AreEqual(2, result.Length);
        Assert.AreEqual("v1", await storage.ReadAllTextAsync("docs/report.pdf"));
    }

    [TestMethod]
    public async Task Saving_a_taken_name_gets_an_alternative_and_keeps_both_contents()
    {
        using FileSystemStorage storage = Storages.Create(_folder);

        SaveResult first = await storage.SaveTextAsync("docs/my.report.v2.pdf", "first");
        SaveResult second = await storage.SaveTextAsync("docs/my.report.v2.pdf", "second");
        SaveResult third = await storage.SaveTextAsync("docs/my.report.v2.pdf", "third");

        Assert.AreEqual("docs/my.report.v2.pdf", first.Name);
        Assert.MatchesRegex(@"^docs/my\.report\.v2_[A-Za-z0-9]{7}\.pdf$", second.Name);
        Assert.MatchesRegex(@"^docs/my\.report\.v2_[A-Za-z0-9]{7}\.pdf$", third.Name);
        Assert.AreNotEqual(second.Name, third.Name);
        Assert.AreEqual("first", await storage.ReadAllTextAsync(first.Name));
        Assert.AreEqual("second", await storage.ReadAllTextAsync(second.Name));
        Assert.AreEqual("third", await storage.ReadAllTextAsync(third.Name));
        CollectionAssert.AreEquivalent(new[] { first.Name, second.Name, third.Name }, _folder.Files());
    }

    [TestMethod]
    public async Task Backslash_names_are_stored_under_the_normalised_name()
    {
        using FileSystemStorage storage = Storages.Create(_folder);

        SaveResult result = await storage.SaveTextAsync("a\\b\\c.txt", "x");

        Assert.AreEqual("a/b/c.txt", result.Name);
        Assert.AreEqual("x", await storage.ReadAllTextAsync("a/b/c.txt"));
    }

    [TestMethod]
    public async Task Overwrite_per_call_replaces_the_object()
    {
        using FileSystemStorage storage = Storages.Create(_folder);
        await storage.SaveTextAsync("notes.txt", "old content that is longer");

        SaveResult result = await storage.SaveTextAsync("notes.txt", "new", new SaveOptions { Overwrite = true });

        Assert.AreEqual("notes.txt", result.Name);
        Assert.AreEqual("new", await storage.ReadAllTextAsync("notes.txt"));
        CollectionAssert.AreEqual(new[] { "notes.txt" }, _folder.Files());
    }

    [TestMethod]
    public async Task Overwrite_from_the_storage_options_replaces_the_object()
    {
        using FileSystemStorage storage = Storages.Create(_folder, o => o.Overwrite = true);
        await storage.SaveTextAsync("notes.txt", "old");

        SaveResult result = await storage.SaveTextAsync("notes.txt", "new");

        Assert.AreEqual("notes.txt", result.Name);
        Assert.AreEqual("new", await storage.ReadAllTextAsync("notes.txt"));
        CollectionAssert.AreEqual(new[] { "notes.txt" }, _folder.Files());
    }

    [TestMethod]
    public async Task Overwrite_false_per_call_wins_over_the_storage_option()
    {
        using FileSystemStorage storage = Storages.Create(_folder, o => o.Overwrite = true);
        await storage.SaveTextAsync("notes.txt", "old");

        SaveResult result = await storage.SaveTextAsync("notes.txt", "new", new SaveOptions { Overwrite = false });

        Assert.AreNotEqual("notes.txt", result.Name);
        Assert.AreEqual("old", await storage.ReadAllTextAsync("notes.txt"));
        Assert.AreEqual("new", await storage.ReadAllTextAsync(result.Name));
    }

    [TestMethod]
    public async Task MaxNameLength_shortens_a_long_name_with_an_alternative()
    {
        using FileSystemStorage storage = Storages.Create(_folder);
        const string name = "uploads/a-very-long-original-file-name.txt";

        SaveResult result = await storage.SaveTextAsync(name, "x", new SaveOptions { MaxNameLength = 30 });

        // 30 = "uploads/" (8) + stem + "_XXXXXXX" (8) + ".txt" (4): as in Django, a suffix is added and the stem cut.
        Assert.AreEqual(30, result.Name.Length);
        Assert.MatchesRegex(@"^uploads/a-very-lon_[A-Za-z0-9]{7}\.txt$", result.Name);
        Assert.AreEqual("x", await storage.ReadAllTextAsync(result.Name));
    }

    [TestMethod]
    public async Task MaxNameLength_keeps_a_name_that_fits()
    {
        using FileSystemStorage storage = Storages.Create(_folder);

        SaveResult result = await storage.SaveTextAsync("short.txt", "x", new SaveOptions { MaxNameLength = 9 });

        Assert.AreEqual("short.txt", result.Name);
    }

    [TestMethod]
    public async Task MaxNameLength_also_bounds_the_alternatives_of_a_taken_name()
    {
        using FileSystemStorage storage = Storages.Create(_folder);
        await storage.SaveTextAsync("docs/abcdefghij.txt", "first");

        SaveResult result = await storage.SaveTextAsync("docs/abcdefghij.txt", "second", new SaveOptions { MaxNameLength = 20 });

        Assert.IsLessThanOrEqualTo(20, result.Name.Length);
        Assert.MatchesRegex(@"^docs/abc_[A-Za-z0-9]{7}\.txt$", result.Name);
        Assert.AreEqual("first", await storage.ReadAllTextAsync("docs/abcdefghij.txt"));
        Assert.AreEqual("second", await storage.ReadAllTextAsync(result.Name));
    }

    [TestMethod]
    public async Task MaxNameLength_with_overwrite_only_shortens()
    {
        using FileSystemStorage storage = Storages.Create(_folder);

        SaveResult result = await storage.SaveTextAsync("docs/abcdefghijklmnop.txt", "x", new SaveOptions { MaxNameLength = 15, Overwrite = true });

        Assert.AreEqual("docs/abcdef.txt", result.Name);
    }

    [TestMethod]
    public async Task MaxNameLength_too_small_for_any_alternative_fails_and_stores_nothing()
    {
        using FileSystemStorage storage = Storages.Create(_folder);

        ObjectNameUnavailableException exception = await Assert.ThrowsExactlyAsync<ObjectNameUnavailableException>(
            () => storage.SaveTextAsync("folder/report.pdf", "x", new SaveOptions { MaxNameLength = 12 }).AsTask());

        Assert.AreEqual("folder/report.pdf", exception.ObjectName);
        Assert.AreEqual(storage.Name, exception.StorageName);
        Assert.IsEmpty(_folder.Files());
    }

    [TestMethod]
    public async Task MaxNameLength_too_small_for_a_dotfile_is_name_unavailable_not_an_invalid_name()
    {
        using FileSystemStorage storage = Storages.Create(_folder);

        // With overwrite no suffix is added, so "conf/.bashrc" cut to 6 characters would be "conf/.": no usable
        // name fits, which is ObjectNameUnavailableException about the caller's name.
        ObjectNameUnavailableException exception = await Assert.ThrowsExactlyAsync<ObjectNameUnavailableException>(
            () => storage.SaveTextAsync("conf/.bashrc", "x", new SaveOptions { MaxNameLength = 6, Overwrite = true }).AsTask());

        Assert.AreEqual("conf/.bashrc", exception.ObjectName);
        Assert.IsEmpty(_folder.Files());
    }

    [TestMethod]
    public async Task The_file_systems_segment_limit_shortens_long_file_names()
    {
        using FileSystemStorage storage = Storages.Create(_folder);
        string longName = new string('é', 200) + ".txt"; // 404 bytes, over the 255-byte segment limit of the backend
        Assert.AreEqual(255, storage.Capabilities.MaxSegmentBytes);

        // Validation runs before any shortening: a name over the backend's limit is invalid, not shortened.
        InvalidObjectNameException exception = await Assert.ThrowsExactlyAsync<InvalidObjectNameException>(
            () => storage.SaveTextAsync(longName, "x").AsTask());
        Assert.AreEqual(longName, exception.ObjectName);
        Assert.IsEmpty(_folder.Files());
    }

    [TestMethod]
    public async Task Alternatives_of_a_taken_name_at_the_segment_limit_are_shortened_to_fit()
    {
        using FileSystemStorage storage = Storages.Create(_folder);
        string name = new string('é', 125) + ".txt"; // 254 bytes: fits, but an alternative (+8 bytes) would not

        SaveResult first = await storage.SaveTextAsync(name, "first");
        SaveResult second = await storage.SaveTextAsync(name, "second");

        Assert.AreEqual(name, first.Name);
        Assert.MatchesRegex(@"^é+_[A-Za-z0-9]{7}\.txt$", second.Name);
        Assert.IsLessThanOrEqualTo(255, Encoding.UTF8.GetByteCount(second.Name));
        Assert.AreEqual("second", await storage.ReadAllTextAsync(second.Name));
    }

    [TestMethod]
    public async Task MaxNameAttempts_bounds_the_save_loop()
    {
        await using var storage = new AlwaysTakenStorage(Storages.UniqueName(), new StorageOptions { MaxNameAttempts = 5 });

        ObjectNameUnavailableException exception = await Assert.ThrowsExactlyAsync<ObjectNameUnavailableException>(
            () => storage.SaveAsync("docs/photo.jpg", new MemoryStream([1, 2, 3])).AsTask());

        Assert.HasCount(5, storage.Commits);
        Assert.AreEqual("docs/photo.jpg", storage.Commits[0].Name);
        foreach ((string name, bool overwrite) in storage.Commits.Skip(1))
        {
            Assert.MatchesRegex(@"^docs/photo_[A-Za-z0-9]{7}\.jpg$", name);
            Assert.IsFalse(overwrite);
        }

        Assert.AreEqual(5, storage.Commits.Select(c => c.Name).Distinct().Count(), "each try should be a new candidate");
        Assert.AreEqual(1, storage.StagedDisposals, "the staged content must be released");
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, storage.StagedContent);
        Assert.AreEqual("docs/photo.jpg", exception.ObjectName);
        Assert.AreEqual(storage.Name, exception.StorageName);
        Assert.Contains("5", exception.Message);
    }

    [TestMethod]
    public async Task MaxNameAttempts_of_one_tries_once()
    {
        await using var storage = new AlwaysTakenStorage(Storages.UniqueName(), new StorageOptions { MaxNameAttempts = 1 });

        await Assert.ThrowsExactlyAsync<ObjectNameUnavailableException>(() => storage.SaveAsync("a.txt", new MemoryStream([1])).AsTask());

        Assert.HasCount(1, storage.Commits);
    }

    [TestMethod]
    public async Task The_default_MaxNameAttempts_is_100()
    {
        await using var storage = new AlwaysTakenStorage(Storages.UniqueName(), new StorageOptions());

        await Assert.ThrowsExactlyAsync<ObjectNameUnavailableException>(() => storage.SaveAsync("a.txt", new MemoryStream([1])).AsTask());

        Assert.HasCount(100, storage.Commits);
    }

    [TestMethod]
    public async Task Overwrite_that_the_backend_cannot_do_is_a_conflict_after_one_try()
    {
        await using var storage = new AlwaysTakenStorage(Storages.UniqueName(), new StorageOptions { MaxNameAttempts = 5 });

        StorageConflictException exception = await Assert.ThrowsExactlyAsync<StorageConflictException>(
            () => storage.SaveAsync("a.txt", new MemoryStream([1]), new SaveOptions { Overwrite = true }).AsTask());

        Assert.HasCount(1, storage.Commits);
        Assert.AreEqual(("a.txt", true), storage.Commits[0]);
        Assert.AreEqual("a.txt", exception.ObjectName);
    }

    public static IEnumerable<object[]> BadMetadata =>
    [
        ["key with a dash", new Dictionary<string, string> { ["bad-key"] = "x" }],
        ["key starting with a digit", new Dictionary<string, string> { ["1key"] = "x" }],
        ["empty key", new Dictionary<string, string> { [""] = "x" }],
        ["non-ASCII key", new Dictionary<string, string> { ["clé"] = "x" }],
        ["non-ASCII value", new Dictionary<string, string> { ["author"] = "José" }],
        ["value with a newline", new Dictionary<string, string> { ["author"] = "a\nb" }],
        ["value with a tab", new Dictionary<string, string> { ["author"] = "a\tb" }],
        ["over 2 KiB", new Dictionary<string, string> { ["k"] = new string('v', 2048) }],
        ["over 2 KiB in several entries", new Dictionary<string, string> { ["a"] = new string('v', 1000), ["b"] = new string('v', 1000), ["c"] = new string('v', 100) }],
        ["keys differing by case", new Dictionary<string, string> { ["Author"] = "a", ["AUTHOR"] = "b" }],
    ];

    public static string DisplayName(System.Reflection.MethodInfo method, object[] data) => $"{method.Name} ({data[0]})";

    [TestMethod]
    [DynamicData(nameof(BadMetadata), DynamicDataDisplayName = nameof(DisplayName))]
    public async Task Bad_metadata_is_an_argument_error_and_stores_nothing(string label, Dictionary<string, string> metadata)
    {
        using FileSystemStorage storage = Storages.Create(_folder);

        ArgumentException exception = await Assert.ThrowsExactlyAsync<ArgumentException>(
            () => storage.SaveTextAsync("a.txt", "x", new SaveOptions { Metadata = metadata }).AsTask(), label);

        Assert.Contains("a.txt", exception.Message, label);
        Assert.IsEmpty(_folder.Files(), label);
    }

    [TestMethod]
    public async Task Metadata_at_exactly_2_KiB_is_accepted()
    {
        using FileSystemStorage storage = Storages.Create(_folder);
        var metadata = new Dictionary<string, string> { ["k"] = new string('v', 2047) };

        SaveResult result = await storage.SaveTextAsync("a.txt", "x", new SaveOptions { Metadata = metadata });

        Assert.AreEqual("a.txt", result.Name);
    }

    [TestMethod]
    public async Task Metadata_keys_are_returned_in_lower_case()
    {
        using FileSystemStorage storage = Storages.Create(_folder);
        RequireExtendedAttributes(storage);

        await storage.SaveTextAsync("a.txt", "x", new SaveOptions { Metadata = new Dictionary<string, string> { ["Author_Name"] = "Ann", ["_v2"] = "2" } });
        StorageObjectInfo info = await storage.GetInfoAsync("a.txt");

        Assert.HasCount(2, info.Metadata);
        Assert.AreEqual("Ann", info.Metadata["author_name"]);
        Assert.AreEqual("2", info.Metadata["_v2"]);
    }

    [TestMethod]
    [DataRow("image")]
    [DataRow("/png")]
    [DataRow("")]
    [DataRow("text/plain\r\nX-Evil: 1")]
    public async Task Bad_content_type_is_an_argument_error(string contentType)
    {
        using FileSystemStorage storage = Storages.Create(_folder);

        await Assert.ThrowsExactlyAsync<ArgumentException>(
            () => storage.SaveTextAsync("a.txt", "x", new SaveOptions { ContentType = contentType }).AsTask());

        Assert.IsEmpty(_folder.Files());
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(-1)]
    public async Task Non_positive_MaxNameLength_is_an_argument_error(int maxNameLength)
    {
        using FileSystemStorage storage = Storages.Create(_folder);

        await Assert.ThrowsExactlyAsync<ArgumentException>(
            () => storage.SaveTextAsync("a.txt", "x", new SaveOptions { MaxNameLength = maxNameLength }).AsTask());
    }

    [TestMethod]
    [DataRow("photo.png", "image/png")]
    [DataRow("docs/report.PDF", "application/pdf")]
    [DataRow("site/app.js", "text/javascript; charset=utf-8")]
    [DataRow("noextension", "application/octet-stream")]
    [DataRow("archive.unknownext", "application/octet-stream")]
    public async Task Content_type_is_inferred_from_the_extension_when_not_given(string name, string expected)
    {
        using FileSystemStorage storage = Storages.Create(_folder);

        await storage.SaveTextAsync(name, "x");
        StorageObjectInfo info = await storage.GetInfoAsync(name);

        Assert.AreEqual(expected, info.ContentType);
    }

    [TestMethod]
    public async Task A_given_content_type_is_stored()
    {
        using FileSystemStorage storage = Storages.Create(_folder);
        RequireExtendedAttributes(storage);

        await storage.SaveTextAsync("photo.png", "not really a png", new SaveOptions { ContentType = "text/plain", CacheControl = "no-store" });
        StorageObjectInfo info = await storage.GetInfoAsync("photo.png");

        Assert.AreEqual("text/plain", info.ContentType);
        Assert.AreEqual("no-store", info.CacheControl);
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(-1)]
    [DataRow(5001)]
    public void ListAsync_checks_the_page_size_when_called_not_when_enumerated(int pageSizeHint)
    {
        using FileSystemStorage storage = Storages.Create(_folder);

        ArgumentOutOfRangeException exception = Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => storage.ListAsync(options: new ListOptions { PageSizeHint = pageSizeHint }));

        Assert.AreEqual(pageSizeHint, exception.ActualValue);
    }

    [TestMethod]
    public void ListAsync_checks_the_prefix_when_called()
    {
        using FileSystemStorage storage = Storages.Create(_folder);

        Assert.ThrowsExactly<InvalidObjectNameException>(() => storage.ListAsync("../"));
    }

    [TestMethod]
    public async Task ListAsync_lists_one_level_or_recursively_in_ordinal_order()
    {
        using FileSystemStorage storage = Storages.Create(_folder);
        foreach (string name in new[] { "b.txt", "a/1.txt", "a/2.txt", "A.txt" })
        {
            await storage.SaveTextAsync(name, name);
        }

        List<StorageEntry> top = await ToListAsync(storage.ListAsync(options: new ListOptions { PageSizeHint = 1 }));
        List<StorageEntry> all = await ToListAsync(storage.ListAsync(options: new ListOptions { Recursive = true, PageSizeHint = 5000 }));

        CollectionAssert.AreEqual(new[] { "A.txt", "a/", "b.txt" }, top.Select(e => e.Name).ToArray());
        Assert.IsTrue(top[1].IsDirectory);
        CollectionAssert.AreEqual(new[] { "A.txt", "a/1.txt", "a/2.txt", "b.txt" }, all.Select(e => e.Name).ToArray());
        Assert.AreEqual(7, all[1].Length);
    }

    [TestMethod]
    [DataRow("../escape.txt")]
    [DataRow("/etc/passwd")]
    [DataRow("a//b.txt")]
    public async Task Invalid_names_are_rejected_before_anything_is_written(string name)
    {
        using FileSystemStorage storage = Storages.Create(_folder);

        InvalidObjectNameException exception = await Assert.ThrowsExactlyAsync<InvalidObjectNameException>(
            () => storage.SaveTextAsync(name, "x").AsTask());

        Assert.AreEqual(name, exception.ObjectName);
        Assert.AreEqual(storage.Name, exception.StorageName);
        Assert.IsEmpty(_folder.Files());
    }

    [TestMethod]
    public async Task Missing_objects_raise_ObjectNotFoundException()
    {
        using FileSystemStorage storage = Storages.Create(_folder);

        ObjectNotFoundException open = await Assert.ThrowsExactlyAsync<ObjectNotFoundException>(() => storage.OpenReadAsync("missing.txt").AsTask());
        ObjectNotFoundException info = await Assert.ThrowsExactlyAsync<ObjectNotFoundException>(() => storage.GetInfoAsync("missing.txt").AsTask());

        Assert.AreEqual("missing.txt", open.ObjectName);
        Assert.AreEqual("missing.txt", info.ObjectName);
        Assert.IsFalse(await storage.ExistsAsync("missing.txt"));
        Assert.IsFalse(await storage.DeleteAsync("missing.txt"));
    }

    private static void RequireExtendedAttributes(FileSystemStorage storage)
    {
        if (!storage.Capabilities.CustomMetadata)
        {
            Assert.Inconclusive("The temp folder's file system has no user extended attributes, so metadata is not stored.");
        }
    }

    private static async Task<List<StorageEntry>> ToListAsync(IAsyncEnumerable<StorageEntry> entries)
    {
        var list = new List<StorageEntry>();
        await foreach (StorageEntry entry in entries)
        {
            list.Add(entry);
        }

        return list;
    }
}
