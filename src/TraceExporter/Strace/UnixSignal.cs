using System.Runtime.InteropServices;

namespace TraceExporter.Strace;

/// <summary>kill(2): .NET can only SIGKILL one process; stopping a command needs SIGTERM to its whole process group.</summary>
public static class UnixSignal
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>Sends <paramref name="signal"/> to every process in group <paramref name="processGroup"/>; false when none is left.</summary>
    public static bool SendToGroup(int processGroup, int signal) => processGroup > 1 && Kill(-processGroup, signal) == 0;

    public static bool Send(int pid, int signal) => pid > 0 && Kill(pid, signal) == 0;

    // DllImport, not LibraryImport: two ints need no marshalling, and LibraryImport would need unsafe code in the project.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
