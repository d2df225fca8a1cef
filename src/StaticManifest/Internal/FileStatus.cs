using System.Runtime.InteropServices;

namespace Wharf.StaticManifest.Internal;

/// <summary>
/// A file's length, modification time and status-change time (<c>ctime</c>), from one <c>statx(2)</c> call on Linux.
/// </summary>
/// <remarks>
/// The collect cache needs the change time: tools set modification times at will (npm gives every file it installs
/// 1985-10-26), so a package upgrade that keeps a file's length would otherwise look unchanged. The change time is
/// set by the kernel on every write, rename and attribute change, and no tool can set it back. .NET exposes no
/// change time (<see cref="FileSystemInfo.CreationTimeUtc"/> on Linux is the earlier of the modification and change
/// times), hence the call. <c>struct statx</c> has the same layout on every Linux architecture.
/// </remarks>
internal static partial class FileStatus
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxSize = 0x200;
    private const uint StatxMtime = 0x40;
    private const uint StatxCtime = 0x80;
    private const uint StatxIno = 0x100;

    private static bool s_unavailable = !OperatingSystem.IsLinux();

    /// <summary>Reads a file's status; false when <c>statx</c> cannot be used here or failed (the file is gone, say).</summary>
    /// <param name="path">The file.</param>
    /// <param name="followLinks">Whether a symbolic link is followed (true) or described itself (false).</param>
    /// <param name="isLink">Whether it is a symbolic link (only when not followed).</param>
    /// <param name="length">Its length.</param>
    /// <param name="lastWriteUtc">Its modification time.</param>
    /// <param name="changeUtc">Its status-change time.</param>
    public static bool TryGet(string path, bool followLinks, out bool isLink, out long length, out DateTime lastWriteUtc, out DateTime changeUtc)
    {
        isLink = false;
        length = 0;
        lastWriteUtc = changeUtc = default;
        if (Volatile.Read(ref s_unavailable))
        {
            return false;
        }

        const uint wanted = StatxType | StatxSize | StatxMtime | StatxCtime;
        if (!TryStatx(path, followLinks ? 0 : AtSymlinkNoFollow, wanted, out Statx status))
        {
            return false;
        }

        isLink = (status.Mode & 0xF000) == 0xA000;
        length = (long)status.Size;
        lastWriteUtc = ToDateTime(status.MtimeSeconds, status.MtimeNanoseconds);
        changeUtc = ToDateTime(status.CtimeSeconds, status.CtimeNanoseconds);
        return true;
    }

    /// <summary>
    /// A file's identity (device and inode, following symbolic links) and times, in one call; false when they cannot
    /// be read here. A folder's times change when an entry is added, removed or renamed in it.
    /// </summary>
    public static bool TryGetIdentity(string path, out ulong device, out ulong inode, out DateTime lastWriteUtc, out DateTime changeUtc)
    {
        device = inode = 0;
        lastWriteUtc = changeUtc = default;
        if (Volatile.Read(ref s_unavailable))
        {
            return false;
        }

        if (!TryStatx(path, 0, StatxIno | StatxMtime | StatxCtime, out Statx status))
        {
            return false;
        }

        device = ((ulong)status.DeviceMajor << 32) | status.DeviceMinor;
        inode = status.Inode;
        lastWriteUtc = ToDateTime(status.MtimeSeconds, status.MtimeNanoseconds);
        changeUtc = ToDateTime(status.CtimeSeconds, status.CtimeNanoseconds);
        return true;
    }

    /// <summary>One <c>statx</c> call that must return every field of <paramref name="mask"/>; marks the call unavailable for good when the system lacks it.</summary>
    private static bool TryStatx(string path, int flags, uint mask, out Statx status)
    {
        try
        {
            if (NativeStatx(AtFdCwd, path, flags, mask, out status) == 0)
            {
                return (status.Mask & mask) == mask;
            }

            if (Marshal.GetLastPInvokeError() is 38 /* ENOSYS */ or 1 /* EPERM: a seccomp filter */)
            {
                Volatile.Write(ref s_unavailable, true);
            }

            return false;
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            // A C library without statx (glibc before 2.28, some musl builds).
            Volatile.Write(ref s_unavailable, true);
            status = default;
            return false;
        }
    }

    private static DateTime ToDateTime(long seconds, uint nanoseconds) =>
        DateTime.UnixEpoch.AddTicks((seconds * TimeSpan.TicksPerSecond) + (nanoseconds / 100));

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeStatx(int directory, string path, int flags, uint mask, out Statx status);

    /// <summary>The fields of <c>struct statx</c> read here, at their offsets (256 bytes in all).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct Statx
    {
        [FieldOffset(0)]
        public uint Mask;

        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(32)]
        public ulong Inode;

        [FieldOffset(40)]
        public ulong Size;

        [FieldOffset(96)]
        public long CtimeSeconds;

        [FieldOffset(104)]
        public uint CtimeNanoseconds;

        [FieldOffset(112)]
        public long MtimeSeconds;

        [FieldOffset(120)]
        public uint MtimeNanoseconds;

        [FieldOffset(136)]
        public uint DeviceMajor;

        [FieldOffset(140)]
        public uint DeviceMinor;
    }
}
