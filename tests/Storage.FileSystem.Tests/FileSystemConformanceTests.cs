using Wharf.Storage.Testing;

namespace Wharf.Storage.FileSystem.Tests;

/// <summary>Runs the conformance suite on a file-system storage in a fresh temp folder, checking no temp file is left behind.</summary>
public abstract class FileSystemConformanceTestsBase : StorageConformanceTests
{
    private readonly Dictionary<IStorage, TempFolder> _folders = [];

    /// <summary>The options of the storage under test, rooted in <paramref name="root"/>.</summary>
    protected abstract FileSystemStorageOptions CreateOptions(string root);

    /// <summary>Checks what the options promise about the storage made from them.</summary>
    protected abstract void CheckStorage(FileSystemStorage storage);

    protected override ValueTask<IStorage> CreateStorageAsync(CancellationToken cancellationToken)
    {
        var folder = new TempFolder();
        var storage = new FileSystemStorage(GetType().Name, CreateOptions(folder.Join("root")));
        CheckStorage(storage);
        _folders[storage] = folder;
        return ValueTask.FromResult<IStorage>(storage);
    }

    protected override async ValueTask DestroyStorageAsync(IStorage storage)
    {
        await base.DestroyStorageAsync(storage);
        string root = ((FileSystemStorage)storage).RootPath;
        string[] leftovers = Directory.Exists(root)
            ? Directory.GetFiles(root, FileSystemStorage.TemporaryFilePrefix + "*", SearchOption.AllDirectories)
            : [];
        _folders.Remove(storage, out TempFolder? folder);
        folder?.Dispose();
        Assert.IsEmpty(leftovers, "Temp files were left behind: " + string.Join(", ", leftovers));
    }
}

/// <summary>The default file-system storage: extended attributes, fsync, kernel containment on Linux.</summary>
[TestClass]
public sealed class FileSystemConformanceTests : FileSystemConformanceTestsBase
{
    protected override FileSystemStorageOptions CreateOptions(string root) => new() { Root = root, PublicBaseUrl = "/media/" };

    protected override void CheckStorage(FileSystemStorage storage)
    {
        Assert.IsTrue(storage.Capabilities.CustomMetadata, "This machine's temp folder must support user extended attributes.");
        Assert.AreEqual(OperatingSystem.IsLinux(), storage.ContainsByKernel, "Linux must contain names with openat2(RESOLVE_BENEATH).");
    }
}

/// <summary>Without extended attributes: content type inferred, no metadata.</summary>
[TestClass]
public sealed class FileSystemWithoutAttributesConformanceTests : FileSystemConformanceTestsBase
{
    protected override FileSystemStorageOptions CreateOptions(string root) => new() { Root = root, UseExtendedAttributes = false, FlushToDisk = false };

    protected override void CheckStorage(FileSystemStorage storage) => Assert.IsFalse(storage.Capabilities.CustomMetadata);
}

/// <summary>The portable containment check (no <c>openat2</c>), as on macOS, Windows or old kernels.</summary>
[TestClass]
public sealed class FileSystemPortableContainmentConformanceTests : FileSystemConformanceTestsBase
{
    protected override FileSystemStorageOptions CreateOptions(string root) => new() { Root = root, UseResolveBeneath = false, FlushToDisk = false };

    protected override void CheckStorage(FileSystemStorage storage) => Assert.IsFalse(storage.ContainsByKernel);
}
