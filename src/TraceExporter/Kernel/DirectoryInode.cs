using System.Runtime.InteropServices;

namespace TraceExporter.Kernel;

/// <summary>
/// A directory's inode number, which on cgroup2 is the cgroup's id (bpftrace's <c>cgroup</c>). .NET has no public
/// API for inode numbers, so this asks <c>statx(2)</c> (glibc 2.28+, musl 1.2.5+): unlike <c>struct stat</c> its
/// buffer has one layout on every architecture, and a mask of only type and inode lets the file system skip the rest.
/// </summary>
public static class DirectoryInode
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxIno = 0x100;
    private const ushort FileTypeMask = 0xF000; // S_IFMT
    private const ushort DirectoryType = 0x4000; // S_IFDIR

    /// <summary>
    /// The inode number of <paramref name="path"/> when it is a directory. False when it does not exist (or no
    /// longer does), cannot be looked up, or is anything else, a symbolic link to a directory included.
    /// </summary>
    public static bool TryGet(string path, out ulong inode)
    {
        inode = 0;
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType | StatxIno, out var buffer) != 0
            || (buffer.Mask & (StatxType | StatxIno)) != (StatxType | StatxIno)
            || (buffer.Mode & FileTypeMask) != DirectoryType)
        {
            return false;
        }

        inode = buffer.Ino;
        return true;
    }

    // struct statx (include/uapi/linux/stat.h): 256 bytes; only the members read here are declared.
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(0)]
        public uint Mask;

        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(32)]
        public ulong Ino;
    }

    // DllImport, not LibraryImport: as elsewhere in the project, which does not allow unsafe code.
    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(
        int directoryFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out StatxBuffer buffer);
}
