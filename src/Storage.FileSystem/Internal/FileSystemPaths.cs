using System.Runtime.InteropServices;

namespace Wharf.Storage.FileSystem.Internal;

/// <summary>
/// Maps object names to paths under a root and proves containment on the real (symlink-resolved) path, with the
/// root compared as a separator-terminated prefix so that <c>/data/media2</c> is not inside <c>/data/media</c>.
/// </summary>
internal sealed class FileSystemPaths
{
    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private static readonly bool HasProcFd = OperatingSystem.IsLinux() && Directory.Exists("/proc/self/fd");

    public FileSystemPaths(string root)
    {
        string real = RealPath(root) ?? Path.GetFullPath(root);
        RootWithoutSeparator = Path.TrimEndingDirectorySeparator(real);
        Root = RootWithoutSeparator + Path.DirectorySeparatorChar;
    }

    /// <summary>The real root, ending in a separator.</summary>
    public string Root { get; }

    public string RootWithoutSeparator { get; }

    /// <summary>The path of a (valid) object name; lexically inside the root because names have no '..' segments.</summary>
    public string GetPath(string name) => Path.DirectorySeparatorChar == '/'
        ? string.Concat(Root, name)
        : string.Concat(Root, name.Replace('/', Path.DirectorySeparatorChar));

    public bool IsContained(string realPath) =>
        realPath.StartsWith(Root, PathComparison) || string.Equals(realPath, RootWithoutSeparator, PathComparison);

    /// <summary>The real path of an opened file: what was actually opened, so no symlink swap can fool the check.</summary>
    public static string? GetOpenedPath(SafeHandle handle, string path)
    {
        if (HasProcFd)
        {
            string? target = new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}").LinkTarget;
            if (target is not null)
            {
                return target;
            }
        }

        return RealPath(path);
    }

    /// <summary>The path with every symlink resolved, or <see langword="null"/> when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return ResolveManaged(path);
        }

        nint resolved = NativeMethods.RealPath(path, 0);
        if (resolved == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            NativeMethods.Free(resolved);
        }
    }

    private static string? ResolveManaged(string path)
    {
        string full = Path.GetFullPath(path);
        if (!Path.Exists(full))
        {
            return null;
        }

        FileSystemInfo info = Directory.Exists(full) ? new DirectoryInfo(full) : new FileInfo(full);
        FileSystemInfo? target = info.ResolveLinkTarget(returnFinalTarget: true);
        string resolved = target?.FullName ?? full;
        string? parent = Path.GetDirectoryName(resolved);
        return parent is null ? resolved : Path.Join(ResolveManaged(parent) ?? parent, Path.GetFileName(resolved));
    }
}
