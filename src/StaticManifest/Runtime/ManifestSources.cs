using System.Globalization;
using Wharf.Storage;

namespace Wharf.StaticManifest.Runtime;

/// <summary>The bytes of a manifest and the source's version of them.</summary>
/// <param name="Utf8Json">The manifest; null when the source re-read it and found the content it had (only the stamp changed).</param>
/// <param name="Stamp">What changes when the manifest does (file time and size, or the object's ETag), passed back to the next <see cref="ManifestSource.ReadIfChangedAsync"/>.</param>
internal sealed record ManifestContent(byte[]? Utf8Json, string Stamp);

/// <summary>Where a manifest is read from. Cheap to poll: the version is checked before the content is read.</summary>
internal abstract class ManifestSource
{
    /// <summary>Where the manifest is, for messages and logs, such as <c>file '/srv/static/staticfiles.json'</c>.</summary>
    public abstract string Description { get; }

    /// <summary>The configuration key that chose this source, for start-up errors.</summary>
    public abstract string SettingKey { get; }

    /// <summary>Reads the manifest unless its version is still <paramref name="knownStamp"/>.</summary>
    /// <returns><see langword="null"/> when unchanged.</returns>
    /// <exception cref="StaticManifestException">It cannot be read; the message says why.</exception>
    public abstract ValueTask<ManifestContent?> ReadIfChangedAsync(string? knownStamp, CancellationToken cancellationToken);
}

/// <summary>A manifest file on a local (or mounted) file system, checked by its last-write time and size.</summary>
/// <remarks>
/// Polled rather than watched with <see cref="FileSystemWatcher"/>: a watcher misses changes on network shares and in
/// some containers, misses a replaced symbolic link (how Kubernetes swaps mounted files), and fires mid-write; a stat
/// every couple of seconds is cheap and sees all of them.
/// </remarks>
internal sealed class FileManifestSource : ManifestSource
{
    public FileManifestSource(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        // A folder (STATIC_ROOT, to a Django user) means the manifest inside it.
        FilePath = Path.EndsInDirectorySeparator(path) || Directory.Exists(path) ? Path.Combine(path, StaticAssetManifest.DefaultName) : path;
        Description = $"file '{FilePath}'";
    }

    public string FilePath { get; }

    public override string Description { get; }

    public override string SettingKey => $"{StaticAssetOptions.SectionPath}:{nameof(StaticAssetOptions.ManifestPath)}";

    public override async ValueTask<ManifestContent?> ReadIfChangedAsync(string? knownStamp, CancellationToken cancellationToken)
    {
        try
        {
            var info = new FileInfo(FilePath);
            if (!info.Exists)
            {
                throw new StaticManifestException($"The manifest {Description} does not exist.");
            }

            if (IsUnchanged(knownStamp, info.LastWriteTimeUtc, info.Length))
            {
                return null;
            }

            DateTime readStarted = DateTime.UtcNow;

            // FileShare.Delete: a deployment may replace the file (rename over it) while we read; we read the old one whole.
            var stream = new FileStream(FilePath, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                Options = FileOptions.Asynchronous,
                BufferSize = 0,
            });
            await using (stream.ConfigureAwait(false))
            {
                // The stamp of the handle we read, not of the stat above, so the two always belong together.
                DateTime written = File.GetLastWriteTimeUtc(stream.SafeFileHandle);
                long length = stream.Length;
                byte[] bytes = await ReadAllAsync(stream, cancellationToken).ConfigureAwait(false);
                return Compare(knownStamp, written, length, readStarted, bytes);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new StaticManifestException($"The manifest {Description} cannot be read: {exception.Message}", exception);
        }
    }

    /// <summary>How long after a write a file's time and length may not reveal another write.</summary>
    private static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(2);

    /// <summary>Whether a file with this time and length is the version a stamp names (and that stamp was settled).</summary>
    internal static bool IsUnchanged(string? knownStamp, DateTime lastWriteUtc, long length) =>
        knownStamp is not null && CreateStamp(lastWriteUtc, length) == knownStamp;

    /// <summary>
    /// What a read of the manifest file brought, against the version known: null when it is that version, content
    /// without bytes when only the stamp moves on, otherwise the bytes and their stamp. Shared with the serving
    /// middleware's poller (<c>StaticAssetIndexSource</c>), so both decide alike.
    /// </summary>
    /// <remarks>
    /// A file written moments ago may be written again within the same timestamp tick (file systems keep times to a
    /// few milliseconds, some to seconds) with the same length: its time and length would not show that change.
    /// Until the time is settled, the stamp carries the content's hash, so every poll reads it again and compares
    /// content; the same content then only moves the stamp on. <paramref name="readStarted"/> is the clock before the
    /// read: taken after it, a read stalled across the window would trust a time a write just after it still shares.
    /// </remarks>
    internal static ManifestContent? Compare(string? knownStamp, DateTime lastWriteUtc, long length, DateTime readStarted, byte[] bytes)
    {
        string stamp = CreateStamp(lastWriteUtc, length);
        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        bool racy = readStarted - lastWriteUtc < RacyWindow;
        if (knownStamp is not null && knownStamp == $"{stamp}:{hash}")
        {
            return racy ? null : new ManifestContent(null, stamp);
        }

        return new ManifestContent(bytes, racy ? $"{stamp}:{hash}" : stamp);
    }

    internal static string CreateStamp(DateTime lastWriteUtc, long length) =>
        string.Create(CultureInfo.InvariantCulture, $"{lastWriteUtc.Ticks}:{length}");

    internal static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }
}

/// <summary>A manifest object in a Wharf storage, checked by its ETag (one HEAD-like request per check).</summary>
internal sealed class StorageManifestSource : ManifestSource
{
    private readonly Func<IStorage> _getStorage;
    private IStorage? _storage;

    /// <param name="getStorage">Gets the storage on first use, so a storage that cannot be created fails the manifest load with its own message.</param>
    /// <param name="storageName">The storage's name, for messages.</param>
    /// <param name="objectName">The manifest's object name.</param>
    public StorageManifestSource(Func<IStorage> getStorage, string storageName, string objectName)
    {
        ArgumentNullException.ThrowIfNull(getStorage);
        _getStorage = getStorage;
        ObjectName = objectName;
        Description = $"storage '{storageName}', object '{objectName}'";
    }

    public StorageManifestSource(IStorage storage, string objectName)
        : this(() => storage, storage.Name, objectName)
    {
    }

    public string ObjectName { get; }

    public override string Description { get; }

    public override string SettingKey => $"{StaticAssetOptions.SectionPath}:{nameof(StaticAssetOptions.Storage)}";

    public override async ValueTask<ManifestContent?> ReadIfChangedAsync(string? knownStamp, CancellationToken cancellationToken)
    {
        try
        {
            IStorage storage = _storage ??= _getStorage();
            StorageObjectInfo info = await storage.GetInfoAsync(ObjectName, cancellationToken).ConfigureAwait(false);
            if (knownStamp is not null && CreateStamp(info) == knownStamp)
            {
                return null;
            }

            // The stamp is the HEAD's; if the object changes between HEAD and GET we read the newer bytes under the
            // older stamp, and the next check sees a new ETag and reads them again: one wasted read, never a missed one.
            Stream stream = await storage.OpenReadAsync(ObjectName, null, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                byte[] bytes = await FileManifestSource.ReadAllAsync(stream, cancellationToken).ConfigureAwait(false);
                return new ManifestContent(bytes, CreateStamp(info));
            }
        }
        catch (ObjectNotFoundException exception)
        {
            throw new StaticManifestException($"The manifest {Description} does not exist.", exception);
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            // StorageException is an IOException; InvalidOperationException is an unknown or misconfigured storage.
            throw new StaticManifestException($"The manifest {Description} cannot be read: {exception.Message}", exception);
        }
    }

    private static string CreateStamp(StorageObjectInfo info) =>
        info.ETag ?? string.Create(CultureInfo.InvariantCulture, $"{info.LastModified.UtcTicks}:{info.Length}");
}
