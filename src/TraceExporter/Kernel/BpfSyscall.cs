using System.Runtime.InteropServices;

namespace TraceExporter.Kernel;

/// <summary>The number of the <c>bpf(2)</c> system call on this architecture (glibc has no wrapper for it).</summary>
internal static class BpfSyscall
{
    /// <summary>321 on x86_64, 280 on arm64; -1 where we do not know it.</summary>
    public static long Number { get; } = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 321L,
        Architecture.Arm64 => 280L,
        _ => -1L,
    };
}
