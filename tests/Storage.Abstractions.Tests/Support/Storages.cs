using Wharf.Storage.FileSystem;

namespace Wharf.Storage.Tests.Support;

/// <summary>Real file-system storages in temp folders, for tests.</summary>
internal static class Storages
{
    /// <summary>A storage name no other test uses, so process-wide telemetry can be filtered by it.</summary>
    public static string UniqueName(string prefix = "test") => $"{prefix}-{Guid.NewGuid():N}";

    public static FileSystemStorage Create(TempFolder folder, Action<FileSystemStorageOptions>? configure = null, string? name = null)
    {
        var options = new FileSystemStorageOptions { Root = folder.Path };
        configure?.Invoke(options);
        return new FileSystemStorage(name ?? UniqueName(), options);
    }
}
