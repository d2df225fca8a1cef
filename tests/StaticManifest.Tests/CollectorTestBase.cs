using Wharf.StaticManifest.Collecting;
using Wharf.Storage;
using Wharf.Storage.FileSystem;

namespace Wharf.StaticManifest.Tests;

/// <summary>
/// The base of the tests of the whole collect: source trees and file-system destinations in temp folders (deleted
/// after each test), and a collect from source folders to a storage, as a deploy runs it.
/// </summary>
public abstract class CollectorTestBase
{
    private readonly List<string> _folders = [];

    public TestContext TestContext { get; set; } = null!;

    protected CancellationToken Ct => TestContext.CancellationToken;

    [TestCleanup]
    public void DeleteFolders()
    {
        foreach (string folder in _folders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Sets the last-write time of every file under <paramref name="root"/> to <paramref name="age"/> ago.</summary>
    protected static void Age(string root, TimeSpan age)
    {
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow - age);
        }
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="relative"/> under <paramref name="root"/>, creating its folder.</summary>
    protected static void Write(string root, string relative, string content)
    {
        string path = Path.Join(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    /// <summary>A new empty temp folder, deleted after the test.</summary>
    protected string Folder()
    {
        string path = Path.Join(Path.GetTempPath(), "wharf-collect-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        _folders.Add(path);
        return path;
    }

    /// <summary>A file-system storage over a new temp folder, and that folder.</summary>
    protected (IStorage Storage, string Root) Destination()
    {
        string root = Folder();
        return (new FileSystemStorage("static", new FileSystemStorageOptions { Root = root, FlushToDisk = false }), root);
    }

    protected Task<CollectResult> Collect(IStorage storage, string source, Action<StaticCollectOptions>? configure = null) =>
        Collect(storage, [source], configure);

    protected async Task<CollectResult> Collect(IStorage storage, string[] sources, Action<StaticCollectOptions>? configure = null)
    {
        var options = new StaticCollectOptions();
        foreach (string source in sources)
        {
            options.Sources.Add(source);
        }

        configure?.Invoke(options);
        return await new StaticCollector(storage, options).CollectAsync(cancellationToken: Ct);
    }
}
