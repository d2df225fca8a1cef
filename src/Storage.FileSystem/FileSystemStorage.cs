using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Wharf.Storage.FileSystem.Internal;

namespace Wharf.Storage.FileSystem;

/// <summary>
/// A storage in a folder of the local file system.
/// </summary>
/// <remarks>
/// <para>
/// A save writes a temp file (<c>.wharf-tmp-*</c>) in the target folder, flushes it to the disk and then gives it
/// its name with a rename that fails when the name exists, so a crash never leaves a partial file under a final
/// name and two writers never lose each other's data. Overwrite is an atomic rename over the old file.
/// </para>
/// <para>
/// Names cannot leave the root: they have no <c>..</c> segments, and the real (symlink-resolved) path of what is
/// opened or created must lie under the root.
/// </para>
/// </remarks>
public sealed partial class FileSystemStorage : StorageBase
{
    /// <summary>The backend's name in configuration (<c>Backend: FileSystem</c>).</summary>
    public const string BackendId = "FileSystem";

    /// <summary>The file-name prefix of temp files; object names may not start with it.</summary>
    public const string TemporaryFilePrefix = ".wharf-tmp-";

    private const int CopyBufferSize = 128 * 1024;
    private readonly FileSystemStorageOptions _options;
    private readonly UnixFileMode? _fileMode;
    private readonly UnixFileMode? _directoryMode;
    private readonly bool _useAttributes;

    /// <summary>Creates the storage, creating its root when asked to.</summary>
    /// <param name="name">The storage's name.</param>
    /// <param name="options">The options; <see cref="FileSystemStorageOptions.Root"/> is required.</param>
    /// <param name="logger">The logger, if any.</param>
    public FileSystemStorage(string name, FileSystemStorageOptions options, ILogger<FileSystemStorage>? logger = null)
        : base(name, options, logger)
    {
        // Only a storage made directly can fail here: the storage builder validates a storage's options first, under
        // its real configuration path. So the keys are named under the default section.
        var errors = new StorageOptionsErrors($"Wharf:Storages:{name}");
        options.Validate(errors);
        if (errors.Errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors.Errors), nameof(options));
        }

        _options = options;
        _fileMode = FileSystemStorageOptions.ParseMode(options.FileMode);
        _directoryMode = FileSystemStorageOptions.ParseMode(options.DirectoryMode);
        string root = Path.GetFullPath(options.Root!);
        if (!Directory.Exists(root))
        {
            if (!options.CreateRoot)
            {
                throw new StorageUnavailableException(name, null, $"the root folder '{root}' does not exist (and CreateRoot is off).");
            }

            CreateDirectories(root);
        }

        Paths = new FileSystemPaths(root, options.UseResolveBeneath);
        _useAttributes = options.UseExtendedAttributes
            && ExtendedAttributes.Probe(Paths.RootWithoutSeparator, TemporaryFilePrefix + "probe-" + RandomNumberGenerator.GetHexString(16, lowercase: true));
        Capabilities = new StorageCapabilities
        {
            PublicUrls = options.PublicBaseUrl is not null,
            LocalPaths = true,
            StoresContentType = _useAttributes,
            StoresCacheControl = _useAttributes,
            CustomMetadata = _useAttributes,
            MaxSegmentBytes = 255,

            // PATH_MAX (4096 with its NUL) less the root and a separator.
            MaxNameBytes = Math.Max(1, 4095 - System.Text.Encoding.UTF8.GetByteCount(Paths.Root)),
        };
        Log.Created(Logger, name, Paths.Root, _useAttributes);
    }

    /// <inheritdoc/>
    public override string BackendName => BackendId;

    /// <inheritdoc/>
    public override StorageCapabilities Capabilities { get; }

    /// <summary>Files are opened with kernel-enforced containment (<c>openat2(RESOLVE_BENEATH)</c>), not checked after opening.</summary>
    internal bool ContainsByKernel => Paths.CanOpenBeneath;

    /// <summary>The real root folder, ending in a separator.</summary>
    public string RootPath => Paths.Root;

    internal FileSystemPaths Paths { get; }

    /// <summary>
    /// Deletes temp files older than <paramref name="olderThan"/> that interrupted saves left behind (a killed
    /// process cannot clean up after itself). Safe while saves run: a live save's temp file is younger.
    /// </summary>
    /// <returns>How many temp files were deleted.</returns>
    public async Task<int> SweepTemporaryFilesAsync(TimeSpan olderThan, CancellationToken cancellationToken = default)
    {
        DateTime cutoff = DateTime.UtcNow - olderThan;
        int deleted = 0;
        await Task.Yield();
        using System.Diagnostics.Activity? activity = FileSystemDiagnostics.ActivitySource.StartActivity("sweep");
        activity?.SetTag("wharf.storage.name", Name);
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (FileInfo file in new DirectoryInfo(Paths.Root).EnumerateFiles(TemporaryFilePrefix + "*", options))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.LastWriteTimeUtc < cutoff)
            {
                try
                {
                    file.Delete();
                    deleted++;
                }
                catch (IOException)
                {
                }
            }
        }

        activity?.SetTag("wharf.storage.filesystem.swept", deleted);
        FileSystemDiagnostics.TempFilesSwept.Add(deleted, new KeyValuePair<string, object?>("wharf.storage.name", Name));
        Log.Swept(Logger, Name, deleted);
        return deleted;
    }

    /// <inheritdoc/>
    protected override string ValidateName(string name)
    {
        string valid = base.ValidateName(name);
        string fileName = ObjectName.Split(valid).FileName;
        if (fileName.StartsWith(TemporaryFilePrefix, StringComparison.Ordinal))
        {
            throw new InvalidObjectNameException(Name, name, $"file names starting with '{TemporaryFilePrefix}' are reserved for the storage's temp files.");
        }

        if (OperatingSystem.IsWindows() && WindowsNames.GetProblem(valid) is { } problem)
        {
            throw new InvalidObjectNameException(Name, name, problem);
        }

        return valid;
    }

    /// <inheritdoc/>
    protected override async ValueTask<IStagedObject> StageAsync(Stream content, StagingRequest request, CancellationToken cancellationToken)
    {
        string relativeFolder = ObjectName.Split(request.Name).Folder;
        string folder = Path.GetDirectoryName(Paths.GetPath(request.Name))!;
        string tempFileName = CreateTempFileName();
        string tempPath = Path.Join(folder, tempFileName);
        long length = 0;
        string etag;
        try
        {
            using SafeFileHandle file = CreateTempFile(request.Name, folder, relativeFolder + tempFileName, tempPath);

            // The content's own CopyToAsync: a MemoryStream writes its buffer in one call, others stream through a
            // pooled buffer of this size. The stream counts what it writes, so the length is free.
            var writer = new SynchronousWriteStream(file);
            await content.CopyToAsync(writer, CopyBufferSize, cancellationToken).ConfigureAwait(false);
            length = writer.Position;

            // The attribute is written only when it says more than the name does: reading infers the same type.
            bool describesMore = request.CacheControl is not null || request.Metadata.Count > 0
                || !string.Equals(request.ContentType, ContentTypes.FromName(request.Name), StringComparison.Ordinal);
            if (_useAttributes && describesMore && ExtendedAttributes.Write(file, request) is not 0 and var errno)
            {
                throw new StorageUnavailableException(Name, request.Name, $"could not store the content type and metadata: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}", $"errno {errno}");
            }

            if (_fileMode is { } mode && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, mode);
            }

            if (_options.FlushToDisk)
            {
                long flushStarted = System.Diagnostics.Stopwatch.GetTimestamp();
                RandomAccess.FlushToDisk(file);
                if (FileSystemDiagnostics.FlushDuration.Enabled)
                {
                    FileSystemDiagnostics.FlushDuration.Record(
                        System.Diagnostics.Stopwatch.GetElapsedTime(flushStarted).TotalSeconds, new KeyValuePair<string, object?>("wharf.storage.name", Name));
                }
            }

            // One fstat: the ETag carries the modification time the file system gave the file, which is what
            // reading the object's metadata later reports.
            etag = CreateETag(File.GetLastWriteTimeUtc(file), length);
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }

        return new StagedFile(this, tempPath, folder, length, etag);
    }

    /// <summary>
    /// A unique temp file name. <see cref="Random.Shared"/> (seeded from the OS's random source) rather than
    /// <see cref="RandomNumberGenerator"/>: the name only has to be unique, which the exclusive create enforces anyway,
    /// and the crypto generator makes a <c>getpid</c> call per use to detect forks.
    /// </summary>
    private static string CreateTempFileName()
    {
        Span<byte> random = stackalloc byte[12];
        Random.Shared.NextBytes(random);
        return TemporaryFilePrefix + Convert.ToHexStringLower(random);
    }

    /// <summary>
    /// Creates the temp file exclusively in the object's folder, proving it lies under the root. The folder is
    /// nearly always there already, so the create is simply tried: only when it fails for want of the folder is the
    /// folder made (with its checks) and the create tried once more. That spares a stat of the folder per save.
    /// </summary>
    private SafeFileHandle CreateTempFile(string name, string folder, string relativeTempName, string tempPath)
    {
        if (TryCreateTempFile(name, folder, relativeTempName, tempPath, out int errno) is { } handle)
        {
            return handle;
        }

        EnsureFolder(name, folder);
        return TryCreateTempFile(name, folder, relativeTempName, tempPath, out errno) ?? throw OpenError(name, errno);
    }

    /// <summary>Null, with ENOENT or ENOTDIR, when the folder is missing (or a file stands in its path).</summary>
    private SafeFileHandle? TryCreateTempFile(string name, string folder, string relativeTempName, string tempPath, out int errno)
    {
        if (Paths.CanOpenBeneath)
        {
            SafeFileHandle? handle = Paths.TryOpenBeneath(relativeTempName, NativeMethods.OWrOnly | NativeMethods.OCreat | NativeMethods.OExcl, 0b110_110_110, out errno);
            if (handle is not null || errno is NativeMethods.ENOENT or NativeMethods.ENOTDIR)
            {
                return handle;
            }

            // EXDEV also refuses absolute symlinks that stay inside the root: let the real-path check decide.
            if (errno != NativeMethods.EXDEV)
            {
                throw OpenError(name, errno);
            }
        }

        SafeFileHandle created;
        try
        {
            created = File.OpenHandle(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
        catch (IOException) when (!Directory.Exists(folder))
        {
            errno = NativeMethods.ENOENT;
            return null;
        }

        errno = 0;
        string? real = FileSystemPaths.GetOpenedPath(created, tempPath);
        if (real is null || !Paths.IsContained(real))
        {
            created.Dispose();
            TryDelete(tempPath);
            throw new StorageAccessDeniedException(Name, name, "the folder resolves outside the storage's root through a symbolic link.");
        }

        return created;
    }

    private StorageException OpenError(string name, int errno) => errno switch
    {
        NativeMethods.EXDEV => new StorageAccessDeniedException(Name, name, "the path resolves outside the storage's root through a symbolic link."),
        NativeMethods.EACCES or NativeMethods.EPERM => new StorageAccessDeniedException(Name, name, $"the file system denied access: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}", $"errno {errno}"),
        NativeMethods.ENOENT or NativeMethods.ENOTDIR => new StorageConflictException(Name, name, "its folder vanished while the object was being saved."),
        _ => new StorageUnavailableException(Name, name, $"the file could not be opened: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}", $"errno {errno}"),
    };

    /// <inheritdoc/>
    protected override ValueTask<Stream?> OpenReadCoreAsync(string name, ByteRange? range, CancellationToken cancellationToken)
    {
        FileStream? file = Paths.CanOpenBeneath ? OpenBeneath(name) : OpenChecked(name);
        if (file is null)
        {
            return ValueTask.FromResult<Stream?>(null);
        }

        try
        {
            if (range is not { } r)
            {
                return ValueTask.FromResult<Stream?>(file);
            }

            (long offset, long count) = r.Clip(file.Length);
            file.Position = offset;
            return ValueTask.FromResult<Stream?>(offset + count == file.Length ? file : new BoundedReadStream(file, count));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Opens with kernel-enforced containment; null when there is no such file.</summary>
    private FileStream? OpenBeneath(string name)
    {
        SafeFileHandle? handle = Paths.TryOpenBeneath(name, NativeMethods.ORdOnly, 0, out int errno);
        if (handle is null)
        {
            return errno switch
            {
                NativeMethods.ENOENT or NativeMethods.ENOTDIR => null,

                // EXDEV also refuses absolute symlinks that stay inside the root: let the real-path check decide.
                NativeMethods.EXDEV => OpenChecked(name),
                _ => throw OpenError(name, errno),
            };
        }

        if ((File.GetAttributes(handle) & FileAttributes.Directory) != 0)
        {
            handle.Dispose();
            return null;
        }

        return new FileStream(handle, FileAccess.Read, bufferSize: 0);
    }

    /// <summary>Opens by path, then proves the opened file lies under the root; null when there is no such file.</summary>
    private FileStream? OpenChecked(string name)
    {
        string path = Paths.GetPath(name);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0, FileOptions.SequentialScan);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException
            || (exception is UnauthorizedAccessException && Directory.Exists(path)))
        {
            return null;
        }

        string? real = FileSystemPaths.GetOpenedPath(file.SafeFileHandle, path);
        if (real is null || !Paths.IsContained(real))
        {
            file.Dispose();
            throw new StorageAccessDeniedException(Name, name, "the object resolves outside the storage's root through a symbolic link.");
        }

        return file;
    }

    /// <inheritdoc/>
    protected override ValueTask<StorageObjectInfo?> GetInfoCoreAsync(string name, CancellationToken cancellationToken)
    {
        string? path = ResolveExisting(name);
        var file = path is null ? null : new FileInfo(path);
        if (file is null || !file.Exists)
        {
            return ValueTask.FromResult<StorageObjectInfo?>(null);
        }

        var attributes = _useAttributes ? ExtendedAttributes.Read(path!) : null;
        return ValueTask.FromResult<StorageObjectInfo?>(new StorageObjectInfo
        {
            Name = name,
            Length = file.Length,
            LastModified = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero),
            ETag = CreateETag(file.LastWriteTimeUtc, file.Length),
            ContentType = attributes?.ContentType ?? ContentTypes.FromName(name),
            CacheControl = attributes?.CacheControl,
            Metadata = attributes?.Metadata ?? (IReadOnlyDictionary<string, string>)EmptyMetadata,
        });
    }

    /// <inheritdoc/>
    protected override ValueTask<bool> ExistsCoreAsync(string name, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ResolveExisting(name) is { } path && File.Exists(path));

    /// <inheritdoc/>
    protected override ValueTask<bool> DeleteCoreAsync(string name, CancellationToken cancellationToken)
    {
        string path = Paths.GetPath(name);
        string? folder = FileSystemPaths.RealPath(Path.GetDirectoryName(path)!);
        if (folder is null)
        {
            return ValueTask.FromResult(false);
        }

        if (!Paths.IsContained(folder))
        {
            throw new StorageAccessDeniedException(Name, name, "the object's folder resolves outside the storage's root through a symbolic link.");
        }

        // File.Delete removes a symlink itself, never its target, and is silent when the file is gone; the
        // attribute check tells whether anything was there without a separate exists-then-delete race mattering.
        var info = new FileInfo(path);
        if (!info.Exists && info.LinkTarget is null)
        {
            return ValueTask.FromResult(false);
        }

        try
        {
            File.Delete(path);
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(path))
        {
            return ValueTask.FromResult(false);
        }

        return ValueTask.FromResult(true);
    }

    /// <inheritdoc/>
    protected override async IAsyncEnumerable<StorageEntry> ListCoreAsync(string prefix, ListOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        (string folder, string partial) = ObjectName.Split(prefix);
        string? realFolder = FileSystemPaths.RealPath(Path.TrimEndingDirectorySeparator(Paths.GetPath(folder)));
        if (realFolder is null || !Directory.Exists(realFolder))
        {
            yield break;
        }

        if (!Paths.IsContained(realFolder))
        {
            throw new StorageAccessDeniedException(Name, prefix, "the listed folder resolves outside the storage's root through a symbolic link.");
        }

        foreach (StorageEntry entry in Walk(realFolder, folder, partial, options.Recursive))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }
    }

    /// <summary>Depth first, each folder sorted with sub-folders compared as "name/", which yields names in ordinal order.</summary>
    private IEnumerable<StorageEntry> Walk(string directory, string namePrefix, string filter, bool recursive)
    {
        foreach ((string key, FileSystemInfo info) in ReadFolder(directory, filter))
        {
            if (info is not FileInfo file)
            {
                if (!recursive)
                {
                    yield return new StorageEntry { Name = namePrefix + key, IsDirectory = true };
                    continue;
                }

                foreach (StorageEntry entry in Walk(info.FullName, namePrefix + key, string.Empty, recursive: true))
                {
                    yield return entry;
                }

                continue;
            }

            yield return new StorageEntry
            {
                Name = namePrefix + key,
                Length = file.Length,
                LastModified = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero),
                ETag = CreateETag(file.LastWriteTimeUtc, file.Length),
            };
        }
    }

    /// <summary>One folder's entries that start with <paramref name="filter"/>, as sort keys ("name" or "name/"), in ordinal order; temp files and escaping links left out.</summary>
    private List<(string Key, FileSystemInfo Info)> ReadFolder(string directory, string filter)
    {
        var children = new List<(string Key, FileSystemInfo Info)>();
        var enumeration = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = 0, ReturnSpecialDirectories = false };
        foreach (FileSystemInfo info in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", enumeration))
        {
            string fileName = info.Name;
            if (!fileName.StartsWith(filter, StringComparison.Ordinal) || fileName.StartsWith(TemporaryFilePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            FileSystemInfo entry = info;
            // The attributes come from the enumeration's own stat; LinkTarget alone would cost a readlink per entry
            // (failing for every plain file), a large part of listing a big tree.
            if ((info.Attributes & FileAttributes.ReparsePoint) != 0 && info.LinkTarget is not null)
            {
                string? real = FileSystemPaths.RealPath(info.FullName);
                if (real is null || !Paths.IsContained(real))
                {
                    continue;
                }

                entry = Directory.Exists(real) ? new DirectoryInfo(info.FullName) : new FileInfo(info.FullName);
            }

            children.Add((entry is DirectoryInfo ? fileName + "/" : fileName, entry));
        }

        children.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return children;
    }

    /// <inheritdoc/>
    protected override string? GetLocalPathCore(string name) => Paths.GetPath(name);

    /// <inheritdoc/>
    protected override ValueTask DisposeAsyncCore()
    {
        Paths.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    protected override StorageException TranslateException(Exception exception, string? objectName) => exception switch
    {
        UnauthorizedAccessException => new StorageAccessDeniedException(Name, objectName, $"the file system denied access: {exception.Message}", innerException: exception),
        IOException io when IsDiskFull(io) => new StorageUnavailableException(Name, objectName, $"the disk is full: {exception.Message}", "ENOSPC", exception),
        PathTooLongException => new InvalidObjectNameException(Name, objectName ?? string.Empty, $"the path is too long for the file system: {exception.Message}", exception),
        _ => base.TranslateException(exception, objectName),
    };

    private static bool IsDiskFull(IOException exception) =>
        exception.HResult is 28 or unchecked((int)0x80070070) || exception.Message.Contains("No space left", StringComparison.Ordinal);

    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>(0);

    /// <summary>The object's real path when it exists inside the root; null when it does not exist.</summary>
    private string? ResolveExisting(string name)
    {
        string path = Paths.GetPath(name);
        string? real = FileSystemPaths.RealPath(path);
        if (real is null)
        {
            return null;
        }

        return Paths.IsContained(real)
            ? real
            : throw new StorageAccessDeniedException(Name, name, "the object resolves outside the storage's root through a symbolic link.");
    }

    private void EnsureFolder(string name, string folder)
    {
        if (Directory.Exists(folder))
        {
            return;
        }

        // Creating folders follows symlinks: make sure the deepest folder that exists is inside the root first, so a
        // link that leads outside never gets an empty folder created beyond it.
        string? existing = Path.GetDirectoryName(folder);
        while (existing is not null && !Directory.Exists(existing))
        {
            existing = Path.GetDirectoryName(existing);
        }

        if (existing is not null && FileSystemPaths.RealPath(existing) is { } real && !Paths.IsContained(real))
        {
            throw new StorageAccessDeniedException(Name, name, "the folder resolves outside the storage's root through a symbolic link.");
        }

        try
        {
            CreateDirectories(folder);
        }
        catch (IOException exception) when (File.Exists(FindFileInPath(folder)))
        {
            throw new StorageConflictException(Name, name, $"a file stands where a folder of the name must be ('{FindFileInPath(folder)}').", innerException: exception);
        }
    }

    private string FindFileInPath(string folder)
    {
        string? current = folder;
        while (current is not null && current.Length >= Paths.RootWithoutSeparator.Length)
        {
            if (File.Exists(current))
            {
                return current;
            }

            current = Path.GetDirectoryName(current);
        }

        return folder;
    }

    /// <summary>Creates each missing level and applies the directory mode to it explicitly (no process-wide umask games).</summary>
    private void CreateDirectories(string folder)
    {
        if (_directoryMode is not { } mode || OperatingSystem.IsWindows())
        {
            // Without a mode the process umask decides, as for any other folder the app creates.
            Directory.CreateDirectory(folder);
            return;
        }

        var missing = new Stack<string>();
        for (string? current = folder; current is not null && !Directory.Exists(current); current = Path.GetDirectoryName(current))
        {
            missing.Push(current);
        }

        while (missing.TryPop(out string? level))
        {
            Directory.CreateDirectory(level, mode);
            File.SetUnixFileMode(level, mode);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    internal static string CreateETag(DateTime lastWriteUtc, long length) =>
        $"\"{lastWriteUtc.Ticks:x}-{length:x}\"";

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "File-system storage {Storage} at {Root} (extended attributes: {Attributes})")]
        public static partial void Created(ILogger logger, string storage, string root, bool attributes);

        [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "File-system storage {Storage} swept {Count} stale temp files")]
        public static partial void Swept(ILogger logger, string storage, int count);
    }
}
