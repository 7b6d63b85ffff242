using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace TraceExporter.Kernel;

/// <summary>
/// Asks the kernel to page out another process's clean, file-backed pages now (process_madvise with
/// MADV_PAGEOUT, Linux 5.10+, needs CAP_SYS_NICE). bpftrace touches about 70 MB of its compiler's libraries
/// (LLVM, clang) to build its program and not a page of them once the program is attached; without this
/// they stay resident for the life of the process. Pages it does use again (printing maps) fault back in
/// from the page cache or the file. Only private, read-only, file-backed mappings are advised: nothing
/// is lost, and anonymous memory is never touched.
/// </summary>
public static class ProcessPageOut
{
    private const long SysPidfdOpen = 434; // the same number on x86_64 and arm64 (asm-generic table)
    private const long SysProcessMadvise = 440;
    private const int MadvPageout = 21;
    private const int EINVAL = 22;

    /// <summary>The outcome: resident kilobytes before and after, or why nothing was done.</summary>
    public readonly record struct Result(long ResidentBeforeKb, long ResidentAfterKb, string? Problem);

    public static Result Run(int pid)
    {
        var before = ProcStatus.ResidentKb(pid) ?? 0;
        if (RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            return new(before, before, $"not supported on {RuntimeInformation.ProcessArchitecture}");
        }

        List<(long Start, long Length)> mappings;
        try
        {
            mappings = CleanFileMappings(File.ReadLines($"/proc/{pid}/maps"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new(before, before, e.Message);
        }

        var fd = PidfdOpen(SysPidfdOpen, pid, 0);
        if (fd < 0)
        {
            return new(before, before, $"pidfd_open: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        using var pidfd = new SafeFileHandle((nint)fd, ownsHandle: true);
        foreach (var (start, length) in mappings)
        {
            var range = new IoVec { Base = (nint)start, Length = (nuint)length };
            if (ProcessMadvise(SysProcessMadvise, pidfd.DangerousGetHandle(), ref range, 1, MadvPageout, 0) < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error == EINVAL)
                {
                    continue; // a mapping the kernel does not page out (locked, special): the others still can
                }

                return new(before, ProcStatus.ResidentKb(pid) ?? 0, error == 1
                    ? "process_madvise: operation not permitted (needs CAP_SYS_NICE)"
                    : $"process_madvise: {Marshal.GetPInvokeErrorMessage(error)}");
            }
        }

        return new(before, ProcStatus.ResidentKb(pid) ?? 0, null);
    }

    /// <summary>Private, read-only mappings of a file (a path and an inode), from /proc/PID/maps lines.</summary>
    public static List<(long Start, long Length)> CleanFileMappings(IEnumerable<string> mapsLines)
    {
        var result = new List<(long, long)>();
        foreach (var line in mapsLines)
        {
            // 7f1c2a000000-7f1c2b000000 r-xp 00000000 08:01 131090   /usr/lib/x86_64-linux-gnu/libLLVM-14.so.1
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[4] == "0" || fields[5].StartsWith('[') || fields[1].Length != 4 || fields[1][1] == 'w' || fields[1][3] != 'p')
            {
                continue;
            }

            var dash = fields[0].IndexOf('-', StringComparison.Ordinal);
            var start = long.Parse(fields[0].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var end = long.Parse(fields[0].AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            result.Add((start, end - start));
        }

        return result;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public nint Base;
        public nuint Length;
    }

    // glibc's syscall(2) is variadic, but takes integer arguments as a plain call does on x86_64 and arm64.
    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern long PidfdOpen(long number, long pid, long flags);

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern long ProcessMadvise(long number, nint pidfd, ref IoVec vector, long count, long advice, long flags);
}
