using Wharf.Storage.Testing;

namespace Wharf.Storage.FileSystem.Tests;

/// <summary>The conformance suite on the file-system backend with extended attributes (the default).</summary>
[TestClass]
public sealed class FileSystemConformanceTests : StorageConformanceTests
{
    private readonly Dictionary<IStorage, TempFolder> _folders = [];

    protected override ValueTask<IStorage> CreateStorageAsync(CancellationToken cancellationToken)
    {
        var folder = new TempFolder();
        var storage = new FileSystemStorage("fs-conformance", new FileSystemStorageOptions { Root = folder.Join("root"), PublicBaseUrl = "/media/" });
        Assert.IsTrue(storage.Capabilities.CustomMetadata, "This machine's temp folder must support user extended attributes.");
        Assert.AreEqual(OperatingSystem.IsLinux(), storage.ContainsByKernel, "Linux must contain names with openat2(RESOLVE_BENEATH).");
        _folders[storage] = folder;
        return ValueTask.FromResult<IStorage>(storage);
    }

    protected override async ValueTask DestroyStorageAsync(IStorage storage)
    {
        await base.DestroyStorageAsync(storage);
        AssertNoTempFilesLeft(((FileSystemStorage)storage).RootPath);
        _folders.Remove(storage, out TempFolder? folder);
        folder?.Dispose();
    }

    internal static void AssertNoTempFilesLeft(string root)
    {
        string[] leftovers = Directory.Exists(root)
            ? Directory.GetFiles(root, FileSystemStorage.TemporaryFilePrefix + "*", SearchOption.AllDirectories)
            : [];
        Assert.IsEmpty(leftovers, "Temp files were left behind: " + string.Join(", ", leftovers));
    }
}

/// <summary>The conformance suite on the file-system backend without extended attributes (content type inferred, no metadata).</summary>
[TestClass]
public sealed class FileSystemWithoutAttributesConformanceTests : StorageConformanceTests
{
    private readonly Dictionary<IStorage, TempFolder> _folders = [];

    protected override ValueTask<IStorage> CreateStorageAsync(CancellationToken cancellationToken)
    {
        var folder = new TempFolder();
        var storage = new FileSystemStorage("fs-plain", new FileSystemStorageOptions { Root = folder.Join("root"), UseExtendedAttributes = false, FlushToDisk = false });
        Assert.IsFalse(storage.Capabilities.CustomMetadata);
        _folders[storage] = folder;
        return ValueTask.FromResult<IStorage>(storage);
    }

    protected override async ValueTask DestroyStorageAsync(IStorage storage)
    {
        await base.DestroyStorageAsync(storage);
        FileSystemConformanceTests.AssertNoTempFilesLeft(((FileSystemStorage)storage).RootPath);
        _folders.Remove(storage, out TempFolder? folder);
        folder?.Dispose();
    }
}

/// <summary>The conformance suite on the portable containment check (no <c>openat2</c>), as on macOS, Windows or old kernels.</summary>
[TestClass]
public sealed class FileSystemPortableContainmentConformanceTests : StorageConformanceTests
{
    private readonly Dictionary<IStorage, TempFolder> _folders = [];

    protected override ValueTask<IStorage> CreateStorageAsync(CancellationToken cancellationToken)
    {
        var folder = new TempFolder();
        var storage = new FileSystemStorage("fs-portable", new FileSystemStorageOptions { Root = folder.Join("root"), UseResolveBeneath = false, FlushToDisk = false });
        Assert.IsFalse(storage.ContainsByKernel);
        _folders[storage] = folder;
        return ValueTask.FromResult<IStorage>(storage);
    }

    protected override async ValueTask DestroyStorageAsync(IStorage storage)
    {
        await base.DestroyStorageAsync(storage);
        FileSystemConformanceTests.AssertNoTempFilesLeft(((FileSystemStorage)storage).RootPath);
        _folders.Remove(storage, out TempFolder? folder);
        folder?.Dispose();
    }
}
