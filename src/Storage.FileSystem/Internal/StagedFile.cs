using System.Runtime.InteropServices;

namespace Wharf.Storage.FileSystem.Internal;

/// <summary>
/// A fully written and flushed temp file in the target folder, committed by a no-replace rename
/// (<c>renameat2(RENAME_NOREPLACE)</c>, else <c>link</c> + <c>unlink</c>), so the name is claimed atomically and
/// a final name never holds a partial file. Disposing deletes the temp file unless it was committed.
/// </summary>
internal sealed class StagedFile(FileSystemStorage storage, string tempPath, string folder, long length, string etag) : IStagedObject
{
    private static bool s_renameAt2Unsupported;
    private bool _committed;

    public ValueTask<SaveResult?> TryCommitAsync(string name, bool overwrite, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string target = storage.Paths.GetPath(name);
        if (!string.Equals(Path.GetDirectoryName(target), folder, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("A candidate name must stay in the folder its content was staged in.");
        }

        bool claimed = overwrite ? Replace(name, target) : TryClaim(name, target);
        if (!claimed)
        {
            return ValueTask.FromResult<SaveResult?>(null);
        }

        _committed = true;
        return ValueTask.FromResult<SaveResult?>(new SaveResult(name, length, etag));
    }

    private bool Replace(string name, string target)
    {
        if (!OperatingSystem.IsWindows())
        {
            // rename(2) replaces atomically: readers see the old file or the new one, never a mix. It is called
            // directly, without a look at the target first: the call itself refuses to put a file over a folder
            // (EISDIR), so that check would cost a stat per save for a case that is rare (File.Move adds two).
            if (NativeMethods.Rename(tempPath, target) == 0)
            {
                return true;
            }

            int errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                NativeMethods.EISDIR or NativeMethods.ENOTEMPTY or NativeMethods.EEXIST => FolderConflict(name),
                NativeMethods.ENOENT or NativeMethods.ENOTDIR => new StorageConflictException(storage.Name, name, "its folder vanished while the object was being saved."),
                NativeMethods.EACCES or NativeMethods.EPERM => new StorageAccessDeniedException(
                    storage.Name, name, $"the file system denied access: {Marshal.GetPInvokeErrorMessage(errno)}", $"errno {errno}"),
                _ => Error(name, errno, "rename"),
            };
        }

        if (Directory.Exists(target))
        {
            throw FolderConflict(name);
        }

        File.Move(tempPath, target, overwrite: true);
        return true;
    }

    private StorageConflictException FolderConflict(string name) =>
        new(storage.Name, name, "a folder has this name, so no object can replace it.");

    private bool TryClaim(string name, string target)
    {
        if (OperatingSystem.IsLinux() && !Volatile.Read(ref s_renameAt2Unsupported))
        {
            if (NativeMethods.RenameAt2(NativeMethods.AtFdCwd, tempPath, NativeMethods.AtFdCwd, target, NativeMethods.RenameNoReplace) == 0)
            {
                return true;
            }

            int errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case NativeMethods.EEXIST:
                    return false;
                case NativeMethods.EINVAL or NativeMethods.ENOSYS or NativeMethods.EOPNOTSUPP:
                    // The file system cannot do a no-replace rename (some network file systems): fall back to link.
                    Volatile.Write(ref s_renameAt2Unsupported, true);
                    break;
                default:
                    throw Error(name, errno, "rename");
            }
        }

        if (!OperatingSystem.IsWindows())
        {
            if (NativeMethods.Link(tempPath, target) == 0)
            {
                File.Delete(tempPath);
                return true;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == NativeMethods.EEXIST)
            {
                return false;
            }

            throw Error(name, errno, "link");
        }

        // Windows: MoveFileEx without MOVEFILE_REPLACE_EXISTING fails atomically when the name exists.
        try
        {
            File.Move(tempPath, target, overwrite: false);
            return true;
        }
        catch (IOException) when (Path.Exists(target))
        {
            return false;
        }
    }

    private StorageException Error(string name, int errno, string call) => new StorageUnavailableException(
        storage.Name, name, $"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)}", errorCode: $"errno {errno}");

    public ValueTask DisposeAsync()
    {
        if (!_committed)
        {
            try
            {
                File.Delete(tempPath);
            }
            catch (IOException)
            {
                // Left for SweepTemporaryFilesAsync; its name marks it as a temp file.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return ValueTask.CompletedTask;
    }
}
