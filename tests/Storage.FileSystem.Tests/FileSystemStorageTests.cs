using System.Text;

namespace Wharf.Storage.FileSystem.Tests;

/// <summary>What only the file-system backend promises: containment against symlinks, temp files, permission modes, folder conflicts.</summary>
[TestClass]
public sealed class FileSystemStorageTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    [DataRow(true, DisplayName = "A_symlinked_folder_pointing_outside_the_root_is_never_followed (openat2)")]
    [DataRow(false, DisplayName = "A_symlinked_folder_pointing_outside_the_root_is_never_followed (portable check)")]
    public async Task A_symlinked_folder_pointing_outside_the_root_is_never_followed(bool kernelContainment)
    {
        using var temp = new TempFolder();
        string outside = temp.Join("outside");
        Directory.CreateDirectory(outside);
        await File.WriteAllTextAsync(Path.Join(outside, "secret.txt"), "secret", Ct);
        var storage = new FileSystemStorage("fs", new FileSystemStorageOptions { Root = temp.Join("root"), UseResolveBeneath = kernelContainment });
        Directory.CreateSymbolicLink(Path.Join(storage.RootPath, "link"), outside);

        await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(async () => await storage.SaveTextAsync("link/new.txt", "x", cancellationToken: Ct));
        await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(async () => await storage.SaveTextAsync("link/deeper/new.txt", "x", cancellationToken: Ct));
        await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(async () => await storage.OpenReadAsync("link/secret.txt", cancellationToken: Ct));
        await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(async () => await storage.GetInfoAsync("link/secret.txt", Ct));
        await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(async () => await storage.ExistsAsync("link/secret.txt", Ct));
        await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(async () => await storage.DeleteAsync("link/secret.txt", Ct));
        await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(async () =>
        {
            await foreach (StorageEntry _ in storage.ListAsync("link/", cancellationToken: Ct))
            {
            }
        });

        CollectionAssert.AreEqual(new[] { "secret.txt" }, Directory.GetFiles(outside).Select(Path.GetFileName).ToArray(), "Nothing may be written or deleted outside the root.");
        Assert.IsEmpty(Directory.GetDirectories(outside), "No folder may be created outside the root.");
        Assert.AreEqual("secret", await File.ReadAllTextAsync(Path.Join(outside, "secret.txt"), Ct));
        var listed = new List<string>();
        await foreach (StorageEntry entry in storage.ListAsync(options: new ListOptions { Recursive = true }, cancellationToken: Ct))
        {
            listed.Add(entry.Name);
        }

        Assert.IsEmpty(listed, "A listing must not descend into a link that leaves the root.");
    }

    [TestMethod]
    [DataRow(true, DisplayName = "A_symlinked_file_pointing_outside_the_root_cannot_be_read (openat2)")]
    [DataRow(false, DisplayName = "A_symlinked_file_pointing_outside_the_root_cannot_be_read (portable check)")]
    public async Task A_symlinked_file_pointing_outside_the_root_cannot_be_read(bool kernelContainment)
    {
        using var temp = new TempFolder();
        string secret = temp.Join("secret.txt");
        await File.WriteAllTextAsync(secret, "secret", Ct);
        var storage = new FileSystemStorage("fs", new FileSystemStorageOptions { Root = temp.Join("root"), UseResolveBeneath = kernelContainment });
        File.CreateSymbolicLink(Path.Join(storage.RootPath, "evil.txt"), secret);

        var error = await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(async () => await storage.OpenReadAsync("evil.txt", cancellationToken: Ct));
        StringAssert.Contains(error.Message, "evil.txt");
        StringAssert.Contains(error.Message, "symbolic link");
    }

    [TestMethod]
    [DataRow(true, DisplayName = "A_sibling_folder_sharing_the_roots_prefix_is_outside (openat2)")]
    [DataRow(false, DisplayName = "A_sibling_folder_sharing_the_roots_prefix_is_outside (portable check)")]
    public async Task A_sibling_folder_sharing_the_roots_prefix_is_outside(bool kernelContainment)
    {
        using var temp = new TempFolder();
        string sibling = temp.Join("media2");
        Directory.CreateDirectory(sibling);
        await File.WriteAllTextAsync(Path.Join(sibling, "x.txt"), "sibling", Ct);
        var storage = new FileSystemStorage("fs", new FileSystemStorageOptions { Root = temp.Join("media"), UseResolveBeneath = kernelContainment });
        Directory.CreateSymbolicLink(Path.Join(storage.RootPath, "s"), sibling);

        await Assert.ThrowsExactlyAsync<StorageAccessDeniedException>(async () => await storage.OpenReadAsync("s/x.txt", cancellationToken: Ct));
    }

    [TestMethod]
    [DataRow(true, DisplayName = "A_symlink_inside_the_root_is_followed (openat2)")]
    [DataRow(false, DisplayName = "A_symlink_inside_the_root_is_followed (portable check)")]
    public async Task A_symlink_inside_the_root_is_followed(bool kernelContainment)
    {
        using var temp = new TempFolder();
        var storage = new FileSystemStorage("fs", new FileSystemStorageOptions { Root = temp.Join("root"), UseResolveBeneath = kernelContainment });
        await storage.SaveTextAsync("real/file.txt", "inside", cancellationToken: Ct);
        Directory.CreateSymbolicLink(Path.Join(storage.RootPath, "alias"), Path.Join(storage.RootPath, "real"));

        Assert.AreEqual("inside", await storage.ReadAllTextAsync("alias/file.txt", cancellationToken: Ct));
        SaveResult saved = await storage.SaveTextAsync("alias/new.txt", "through the alias", cancellationToken: Ct);
        Assert.AreEqual("through the alias", await storage.ReadAllTextAsync("real/new.txt", cancellationToken: Ct));
        Assert.AreEqual("alias/new.txt", saved.Name);
    }

    [TestMethod]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Permission_modes_are_applied_regardless_of_the_umask()
    {
        using var temp = new TempFolder();
        // 0666 and 0777 would be cut to 0644 and 0755 by the usual umask 022 if the storage relied on it.
        var storage = new FileSystemStorage("fs", new FileSystemStorageOptions { Root = temp.Join("root"), FileMode = "0666", DirectoryMode = "0777" });
        SaveResult saved = await storage.SaveTextAsync("a/b/c/file.txt", "x", cancellationToken: Ct);

        Assert.AreEqual((UnixFileMode)0b110_110_110, File.GetUnixFileMode(storage.GetLocalPath(saved.Name)!));
        foreach (string level in new[] { "a", "a/b", "a/b/c" })
        {
            Assert.AreEqual((UnixFileMode)0b111_111_111, File.GetUnixFileMode(Path.Join(storage.RootPath, level)), level);
        }
    }

    [TestMethod]
    public async Task A_file_where_a_folder_must_go_is_a_conflict()
    {
        using var temp = new TempFolder();
        var storage = new FileSystemStorage("fs", new FileSystemStorageOptions { Root = temp.Join("root") });
        await storage.SaveTextAsync("a.txt", "file", cancellationToken: Ct);

        var error = await Assert.ThrowsExactlyAsync<StorageConflictException>(async () => await storage.SaveTextAsync("a.txt/b.txt", "x", cancellationToken: Ct));
        StringAssert.Contains(error.Message, "a.txt/b.txt");
        Assert.AreEqual("file", await storage.ReadAllTextAsync("a.txt", cancellationToken: Ct));
    }

    [TestMethod]
    public async Task A_folder_name_is_taken_for_saves_and_cannot_be_overwritten()
    {
        using var temp = new TempFolder();
        var storage = new FileSystemStorage("fs", new FileSystemStorageOptions { Root = temp.Join("root") });
        await storage.SaveTextAsync("dir/inner.txt", "x", cancellationToken: Ct);

        SaveResult alternative = await storage.SaveTextAsync("dir", "file", cancellationToken: Ct);
        Assert.MatchesRegex("^dir_[A-Za-z0-9]{7}$", alternative.Name);
        await Assert.ThrowsExactlyAsync<StorageConflictException>(async () => await storage.SaveTextAsync("dir", "file", new SaveOptions { Overwrite = true }, cancellationToken: Ct));
        Assert.AreEqual("x", await storage.ReadAllTextAsync("dir/inner.txt", cancellationToken: Ct));
    }

    [TestMethod]
    [DataRow(true, DisplayName = "Overwriting_a_folder_is_a_conflict_and_leaves_no_temp_file (openat2)")]
    [DataRow(false, DisplayName = "Overwriting_a_folder_is_a_conflict_and_leaves_no_temp_file (portable check)")]
    public async Task Overwriting_a_folder_is_a_conflict_and_leaves_no_temp_file(bool kernelContainment)
    {
        // The replace no longer looks for a folder first: rename(2) refuses (EISDIR), and that must read the same.
        using var temp = new TempFolder();
        var storage = new FileSystemStorage("fs", new FileSystemStorageOptions { Root = temp.Join("root"), UseResolveBeneath = kernelContainment });
        await storage.SaveTextAsync("full/inner.txt", "x", cancellationToken: Ct);
        Directory.CreateDirectory(Path.Join(storage.RootPath, "sub", "empty"));

        foreach (string name in new[] { "full", "sub/empty" })
        {
            var error = await Assert.ThrowsExactlyAsync<StorageConflictException>(
                async () => await storage.SaveTextAsync(name, "file", new SaveOptions { Overwrite = true }, cancellationToken: Ct), name);
            StringAssert.Contains(error.Message, "a folder has this name", name);
            Assert.IsTrue(Directory.Exists(storage.GetLocalPath(name)), name);
        }

        Assert.AreEqual("x", await storage.ReadAllTextAsync("full/inner.txt", cancellationToken: Ct));
        Assert.IsEmpty(Directory.GetFiles(storage.RootPath, FileSystemStorage.TemporaryFilePrefix + "*", SearchOption.AllDirectories), "A refused replace must delete its temp file.");
    }

    [TestMethod]
    [DataRow(true, false, DisplayName = "A_folder_deleted_between_saves_is_created_again (openat2)")]
    [DataRow(false, false, DisplayName = "A_folder_deleted_between_saves_is_created_again (portable check)")]
    [DataRow(true, true, DisplayName = "A_folder_deleted_between_saves_is_created_again (openat2, overwrite)")]
    [DataRow(false, true, DisplayName = "A_folder_deleted_between_saves_is_created_again (portable check, overwrite)")]
    public async Task A_folder_deleted_between_saves_is_created_again(bool kernelContainment, bool overwrite)
    {
        // Saves do not check for the folder first: the temp file's create fails for want of it, and then it is made.
        using var temp = new TempFolder();
        var storage = new FileSystemStorage("fs", new FileSystemStorageOptions { Root = temp.Join("root"), UseResolveBeneath = kernelContainment, Overwrite = overwrite });
        await storage.SaveTextAsync("a/b/one.txt", "1", cancellationToken: Ct);
        Directory.Delete(Path.Join(storage.RootPath, "a"), recursive: true);

        SaveResult saved = await storage.SaveTextAsync("a/b/two.txt", "2", cancellationToken: Ct);
        Assert.AreEqual("a/b/two.txt", saved.Name);
        Assert.AreEqual("2", await storage.ReadAllTextAsync("a/b/two.txt", cancellationToken: Ct));
        Assert.IsFalse(await storage.ExistsAsync("a/b/one.txt", Ct));

        Directory.Delete(Path.Join(storage.RootPath, "a", "b"), recursive: true);
        saved = await storage.SaveTextAsync("a/b/two.txt", "again", cancellationToken: Ct);
        Assert.AreEqual("a/b/two.txt", saved.Name);
        Assert.AreEqual("again", await storage.ReadAllTextAsync("a/b/two.txt", cancellationToken: Ct));
        Assert.AreEqual(saved.ETag, (await storage.GetInfoAsync("a/b/two.txt", Ct)).ETag, "The ETag of a save is the one the object reports.");
    }

    [TestMethod]
    [DataRow(true, DisplayName = "A_file_where_a_folder_must_go_is_a_conflict_either_way (openat2)")]
    [DataRow(false, DisplayName = "A_file_where_a_folder_must_go_is_a_conflict_either_way (portable check)")]
    public async Task A_file_where_a_folder_must_go_is_a_conflict_either_way(bool kernelContainment)
    {
        // The temp file's create meets the file (ENOTDIR) before any folder check: the conflict must still be named.
        using var temp = new TempFolder();
        var storage = new FileSystemStorage("fs", new FileSystemStorageOptions { Root = temp.Join("root"), UseResolveBeneath = kernelContainment });
        await storage.SaveTextAsync("a/file.txt", "file", cancellationToken: Ct);

        foreach (string name in new[] { "a/file.txt/b.txt", "a/file.txt/deeper/b.txt" })
        {
            var error = await Assert.ThrowsExactlyAsync<StorageConflictException>(async () => await storage.SaveTextAsync(name, "x", new SaveOptions { Overwrite = true }, cancellationToken: Ct), name);
            StringAssert.Contains(error.Message, "a file stands where a folder", name);
        }

        Assert.AreEqual("file", await storage.ReadAllTextAsync("a/file.txt", cancellationToken: Ct));
    }

    [TestMethod]
    public async Task Temp_file_names_are_reserved_hidden_and_swept()
    {
        using var temp = new TempFolder();
        var storage = new FileSystemStorage("fs", new FileSystemStorageOptions { Root = temp.Join("root") });
        await Assert.ThrowsExactlyAsync<InvalidObjectNameException>(async () => await storage.SaveTextAsync("a/.wharf-tmp-abc", "x", cancellationToken: Ct));

        Directory.CreateDirectory(Path.Join(storage.RootPath, "a"));
        string stale = Path.Join(storage.RootPath, "a", FileSystemStorage.TemporaryFilePrefix + "stale");
        string fresh = Path.Join(storage.RootPath, FileSystemStorage.TemporaryFilePrefix + "fresh");
        await File.WriteAllTextAsync(stale, "left by a killed process", Ct);
        await File.WriteAllTextAsync(fresh, "a save in progress", Ct);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-3));
        await storage.SaveTextAsync("a/real.txt", "x", cancellationToken: Ct);

        var listed = new List<string>();
        await foreach (StorageEntry entry in storage.ListAsync(options: new ListOptions { Recursive = true }, cancellationToken: Ct))
        {
            listed.Add(entry.Name);
        }

        CollectionAssert.AreEqual(new[] { "a/real.txt" }, listed);
        Assert.AreEqual(1, await storage.SweepTemporaryFilesAsync(TimeSpan.FromHours(1), Ct));
        Assert.IsFalse(File.Exists(stale));
        Assert.IsTrue(File.Exists(fresh), "A young temp file belongs to a save in progress and must stay.");
    }

    [TestMethod]
    public async Task Saved_files_are_complete_before_they_have_their_name()
    {
        using var temp = new TempFolder();
        var storage = new FileSystemStorage("fs", new FileSystemStorageOptions { Root = temp.Join("root") });
        string target = Path.Join(storage.RootPath, "watched.bin");
        long sizeSeenAtName = -1;
        Directory.CreateDirectory(storage.RootPath);
        using var watcher = new FileSystemWatcher(storage.RootPath) { EnableRaisingEvents = true, IncludeSubdirectories = false };
        watcher.Renamed += (_, e) => { if (e.FullPath == target) { sizeSeenAtName = new FileInfo(target).Length; } };
        watcher.Created += (_, e) => { if (e.FullPath == target) { sizeSeenAtName = new FileInfo(target).Length; } };

        await using (var content = new Testing.PatternStream(8 * 1024 * 1024, seed: 5))
        {
            await storage.SaveAsync("watched.bin", content, cancellationToken: Ct);
        }

        await Task.Delay(300, Ct);
        Assert.AreEqual(8 * 1024 * 1024, sizeSeenAtName, "When the name appeared the file must already have been whole.");
    }

    [TestMethod]
    public async Task Flushes_and_sweeps_are_measured()
    {
        using var temp = new TempFolder();
        string storageName = "fs-metrics-" + Guid.NewGuid().ToString("N");
        var storage = new FileSystemStorage(storageName, new FileSystemStorageOptions { Root = temp.Join("root") });
        var flushes = new List<double>();
        long swept = -1;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == FileSystemDiagnostics.SourceName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "wharf.storage.filesystem.flush.duration" && tags.ToArray().Any(t => Equals(t.Value, storageName)))
            {
                lock (flushes)
                {
                    flushes.Add(value);
                }
            }
        });
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "wharf.storage.filesystem.temp_files.swept" && tags.ToArray().Any(t => Equals(t.Value, storageName)))
            {
                swept = value;
            }
        });
        listener.Start();

        await storage.SaveTextAsync("a.txt", "x", cancellationToken: Ct);
        await storage.SaveTextAsync("b.txt", "y", cancellationToken: Ct);
        await storage.SweepTemporaryFilesAsync(TimeSpan.FromHours(1), Ct);

        Assert.HasCount(2, flushes);
        Assert.IsTrue(flushes.TrueForAll(f => f > 0), "Each flush takes some time.");
        Assert.AreEqual(0, swept);
    }

    [TestMethod]
    public void A_missing_root_is_created_or_reported()
    {
        using var temp = new TempFolder();
        var created = new FileSystemStorage("fs", new FileSystemStorageOptions { Root = temp.Join("new", "root") });
        Assert.IsTrue(Directory.Exists(created.RootPath));

        var error = Assert.ThrowsExactly<StorageUnavailableException>(() =>
            new FileSystemStorage("fs", new FileSystemStorageOptions { Root = temp.Join("absent"), CreateRoot = false }));
        StringAssert.Contains(error.Message, "absent");
    }

    [TestMethod]
    public void Invalid_options_name_the_key()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new FileSystemStorage("media", new FileSystemStorageOptions { FileMode = "0999" }));
        StringAssert.Contains(error.Message, "Wharf:Storages:media:Root");
        StringAssert.Contains(error.Message, "Wharf:Storages:media:FileMode");
    }

    [TestMethod]
    public async Task Local_paths_lie_under_the_root_and_hold_the_content()
    {
        using var temp = new TempFolder();
        var storage = new FileSystemStorage("fs", new FileSystemStorageOptions { Root = temp.Join("root") });
        SaveResult saved = await storage.SaveTextAsync("x/ü.txt", "content", cancellationToken: Ct);
        string path = storage.GetLocalPath(saved.Name)!;
        StringAssert.StartsWith(path, storage.RootPath);
        Assert.AreEqual("content", await File.ReadAllTextAsync(path, Encoding.UTF8, Ct));
    }
}
