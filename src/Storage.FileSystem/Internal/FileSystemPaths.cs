using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Wharf.Storage.FileSystem.Internal;

/// <summary>
/// Maps object names to paths under a root and proves containment on the real (symlink-resolved) path, with the
/// root compared as a separator-terminated prefix so that <c>/data/media2</c> is not inside <c>/data/media</c>.
/// </summary>
/// <remarks>
/// On Linux files are opened with <c>openat2(RESOLVE_BENEATH)</c> against a handle on the root: the kernel refuses,
/// during the open itself, any resolution that leaves the root (through <c>..</c> or a symlink), so the check costs
/// nothing and no rename or symlink swap can race it. Elsewhere (or where seccomp forbids <c>openat2</c>) the real
/// path of the opened file is checked after opening.
/// </remarks>
internal sealed class FileSystemPaths : IDisposable
{
    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private static readonly bool HasProcFd = OperatingSystem.IsLinux() && Directory.Exists("/proc/self/fd");

    public FileSystemPaths(string root, bool useResolveBeneath = true)
    {
        string real = RealPath(root) ?? Path.GetFullPath(root);
        RootWithoutSeparator = Path.TrimEndingDirectorySeparator(real);
        Root = RootWithoutSeparator + Path.DirectorySeparatorChar;
        RootHandle = useResolveBeneath ? OpenRootForResolveBeneath(RootWithoutSeparator) : null;
    }

    /// <summary>A handle on the root for <c>openat2</c>, or null where that is not available.</summary>
    private SafeFileHandle? RootHandle { get; }

    /// <summary>Files are opened with kernel-enforced containment (<see cref="TryOpenBeneath"/>).</summary>
    public bool CanOpenBeneath => RootHandle is not null;

    /// <summary>
    /// Opens a (valid) object name relative to the root, refusing any resolution that leaves it. Returns null with
    /// the errno on failure: <c>ENOENT</c>/<c>ENOTDIR</c> when absent, <c>EXDEV</c> when it would leave the root.
    /// </summary>
    public SafeFileHandle? TryOpenBeneath(string relativeName, int flags, int mode, out int errno)
    {
        var how = new NativeMethods.OpenHow
        {
            Flags = (ulong)(flags | NativeMethods.OCloExec),
            Mode = (ulong)mode,
            Resolve = NativeMethods.ResolveBeneath | NativeMethods.ResolveNoMagicLinks,
        };
        long fd = NativeMethods.OpenAt2(NativeMethods.SysOpenAt2, RootHandle!, relativeName, how, (nuint)Marshal.SizeOf<NativeMethods.OpenHow>());
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        errno = 0;
        return new SafeFileHandle((nint)fd, ownsHandle: true);
    }

    public void Dispose() => RootHandle?.Dispose();

    private static SafeFileHandle? OpenRootForResolveBeneath(string root)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            int fd = NativeMethods.Open(root, NativeMethods.OPath | NativeMethods.ODirectory | NativeMethods.OCloExec, 0);
            if (fd < 0)
            {
                return null;
            }

            var handle = new SafeFileHandle(fd, ownsHandle: true);
            var how = new NativeMethods.OpenHow { Flags = (ulong)(NativeMethods.OPath | NativeMethods.OCloExec), Resolve = NativeMethods.ResolveBeneath };
            long probe = NativeMethods.OpenAt2(NativeMethods.SysOpenAt2, handle, ".", how, (nuint)Marshal.SizeOf<NativeMethods.OpenHow>());
            if (probe < 0)
            {
                // ENOSYS before Linux 5.6, EPERM or ENOSYS under some seccomp profiles: use the portable check.
                handle.Dispose();
                return null;
            }

            new SafeFileHandle((nint)probe, ownsHandle: true).Dispose();
            return handle;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
        catch (DllNotFoundException)
        {
            return null;
        }
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
