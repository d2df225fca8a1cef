using Wharf.Storage;
using Wharf.Storage.FileSystem;
using Wharf.Storage.Testing;

namespace Wharf.PackageConsumption.Tests;

/// <summary>The conformance suite from the Wharf.Storage.Testing package, run on a backend written outside Wharf.</summary>
[TestClass]
public sealed class InMemoryConformanceTests : StorageConformanceTests
{
    /// <summary>
    /// An in-memory backend must hold the whole object in managed memory, so the default budget (half the object)
    /// cannot apply. Allowed: the object once, plus 16 MiB for the harness and bookkeeping. That still fails a
    /// backend that buffers by doubling (a growing MemoryStream allocates about twice the object) or copies the
    /// object on save or read. (Measured: the object plus about 140 KiB.)
    /// </summary>
    protected override long LargeObjectAllocationBudget => LargeObjectSize + 16L * 1024 * 1024;

    /// <inheritdoc/>
    protected override ValueTask<IStorage> CreateStorageAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IStorage>(new InMemoryStorage("memory-conformance", new InMemoryStorageOptions { PublicBaseUrl = "/media/" }));
}

/// <summary>The conformance suite from the package, run on the file-system backend from the package.</summary>
[TestClass]
public sealed class FileSystemPackageConformanceTests : StorageConformanceTests
{
    private readonly Dictionary<IStorage, string> _folders = [];

    /// <inheritdoc/>
    protected override ValueTask<IStorage> CreateStorageAsync(CancellationToken cancellationToken)
    {
        string folder = TempFolders.Create();
        var storage = new FileSystemStorage("fs-package-conformance", new FileSystemStorageOptions { Root = Path.Join(folder, "root"), PublicBaseUrl = "/media/" });
        _folders[storage] = folder;
        return ValueTask.FromResult<IStorage>(storage);
    }

    /// <inheritdoc/>
    protected override async ValueTask DestroyStorageAsync(IStorage storage)
    {
        await base.DestroyStorageAsync(storage);
        if (_folders.Remove(storage, out string? folder))
        {
            TempFolders.Delete(folder);
        }
    }
}

/// <summary>Fresh folders under the temp directory.</summary>
internal static class TempFolders
{
    public static string Create() =>
        Directory.CreateDirectory(Path.Join(Path.GetTempPath(), "wharf-package-tests", Guid.NewGuid().ToString("N"))).FullName;

    public static void Delete(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
