namespace Wharf.Storage.Tests.Support;

/// <summary>A unique folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "wharf-abstractions-tests-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The folder's path; it does not exist until something creates it.</summary>
    public string Path { get; }

    /// <summary>Every file below the folder, relative and '/'-separated, sorted.</summary>
    public string[] Files() => Directory.Exists(Path)
        ? Directory.GetFiles(Path, "*", SearchOption.AllDirectories)
            .Select(f => System.IO.Path.GetRelativePath(Path, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray()
        : [];

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
