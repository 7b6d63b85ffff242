using System.ComponentModel;
using System.Runtime.InteropServices;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>Sends signals with libc <c>kill(2)</c>: .NET can only SIGKILL, and the daemon must see SIGTERM.</summary>
internal static partial class UnixSignal
{
    public const int SigHup = 1;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"kill({pid}, {signal}) failed");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
