using System.Runtime.InteropServices;

namespace TraceExporter.Kernel;

/// <summary>
/// <c>bpf(BPF_TASK_FD_QUERY)</c>: which BPF program a process's perf event fd runs, and on what (the
/// tracepoint's or kprobe's name). This is what <c>bpftool perf show</c> prints; procfs does not say it.
/// </summary>
public static class BpfTaskFdQuery
{
    private const int BpfTaskFdQueryCommand = 20;
    private const int NameCapacity = 256;

    /// <summary>False when the fd is not a perf event with a BPF program (or the kernel refuses).</summary>
    public static bool TryQuery(int pid, int fd, out uint programId, out string attachedTo)
    {
        programId = 0;
        attachedTo = "";
        var number = BpfSyscall.Number;
        if (number < 0)
        {
            return false;
        }

        var buffer = Marshal.AllocHGlobal(NameCapacity);
        try
        {
            var attr = new TaskFdQueryAttr
            {
                Pid = (uint)pid,
                Fd = (uint)fd,
                BufferLength = NameCapacity,
                Buffer = (ulong)buffer,
            };
            if (Syscall(number, BpfTaskFdQueryCommand, ref attr, Marshal.SizeOf<TaskFdQueryAttr>()) != 0)
            {
                return false;
            }

            programId = attr.ProgramId;
            attachedTo = Marshal.PtrToStringUTF8(buffer, (int)Math.Min(attr.BufferLength, NameCapacity - 1u)).TrimEnd('\0');
            return true;
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }

    // The task_fd_query member of union bpf_attr (include/uapi/linux/bpf.h).
    [StructLayout(LayoutKind.Sequential)]
    private struct TaskFdQueryAttr
    {
        public uint Pid;
        public uint Fd;
        public uint Flags;
        public uint BufferLength;
        public ulong Buffer;
        public uint ProgramId;
        public uint FdType;
        public ulong ProbeOffset;
        public ulong ProbeAddress;
    }

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern long Syscall(long number, long command, ref TaskFdQueryAttr attr, long size);
}
