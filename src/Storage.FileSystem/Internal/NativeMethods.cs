using System.Runtime.InteropServices;

namespace Wharf.Storage.FileSystem.Internal;

/// <summary>The few Linux calls .NET does not expose: a no-replace rename, realpath and extended attributes.</summary>
internal static partial class NativeMethods
{
    public const int AtFdCwd = -100;
    public const uint RenameNoReplace = 1;

    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EEXIST = 17;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int ERANGE = 34;
    public const int ENOSYS = 38;
    public const int ENOTEMPTY = 39;
    public const int ENODATA = 61;
    public const int EOPNOTSUPP = 95;

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Link(string oldPath, string newPath);

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint RealPath(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    public static partial void Free(nint pointer);

    [LibraryImport("libc", EntryPoint = "fsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FSetXAttr(SafeHandle fd, string name, ReadOnlySpan<byte> value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "getxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint GetXAttr(string path, string name, Span<byte> value, nuint size);
}
