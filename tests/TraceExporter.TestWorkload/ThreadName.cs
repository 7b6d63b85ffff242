using System.ComponentModel;
using System.Runtime.InteropServices;

namespace TraceExporter.TestWorkload;

/// <summary>Sets the kernel's name (comm) of the calling thread to raw bytes.</summary>
internal static partial class ThreadName
{
    private const int PrSetName = 15;

    public static unsafe void SetForCallingThread(byte[] name)
    {
        // PR_SET_NAME copies at most 16 bytes including the terminating NUL.
        var buffer = stackalloc byte[16];
        new Span<byte>(buffer, 16).Clear();
        name.AsSpan(0, Math.Min(name.Length, 15)).CopyTo(new Span<byte>(buffer, 15));
        if (Prctl(PrSetName, (nuint)buffer, 0, 0, 0) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "prctl(PR_SET_NAME) failed");
        }
    }

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
