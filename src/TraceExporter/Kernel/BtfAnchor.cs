using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace TraceExporter.Kernel;

/// <summary>
/// A tiny BTF object (one <c>int</c> type) loaded into the kernel with <c>bpf(BPF_BTF_LOAD)</c> and kept while
/// its handle is open. bpftrace 0.24 and newer look for typed raw tracepoints in the kernel's BTF only when some
/// BTF object besides vmlinux's is loaded (it takes that as "modules have BTF"); on a kernel built without
/// modules there is none, and <c>rawtracepoint:vmlinux:…</c> matches nothing. Holding this one object is
/// enough for bpftrace to read vmlinux's BTF as it does on any modular kernel. It holds 45 bytes of kernel memory.
/// </summary>
public static class BtfAnchor
{
    private const int BpfBtfLoad = 18;
    private const ushort BtfMagic = 0xEB9F;
    private const uint BtfKindInt = 1;

    /// <summary>Whether the kernel has BTF objects of modules, in which case bpftrace needs no anchor.</summary>
    public static bool HasModuleBtf(string btfDirectory = "/sys/kernel/btf") =>
        Directory.Exists(btfDirectory) && Directory.EnumerateFiles(btfDirectory).Any(f => Path.GetFileName(f) != "vmlinux");

    /// <summary>Loads the object; null (with the kernel's reason in <paramref name="problem"/>) when the kernel refuses.</summary>
    public static SafeFileHandle? Load(out string? problem)
    {
        problem = null;
        var number = BpfSyscall.Number;
        if (number < 0)
        {
            problem = $"no bpf syscall number known for {RuntimeInformation.ProcessArchitecture}";
            return null;
        }

        var blob = Blob();
        var buffer = Marshal.AllocHGlobal(blob.Length);
        try
        {
            Marshal.Copy(blob, 0, buffer, blob.Length);
            var attr = new BtfLoadAttr { Btf = (ulong)buffer, BtfSize = (uint)blob.Length };
            var fd = Syscall(number, BpfBtfLoad, ref attr, Marshal.SizeOf<BtfLoadAttr>());
            if (fd < 0)
            {
                problem = $"bpf(BPF_BTF_LOAD) failed: {Marshal.GetLastPInvokeErrorMessage()}";
                return null;
            }

            return new SafeFileHandle((nint)fd, ownsHandle: true);
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }

    /// <summary>A BTF header, one type (<c>int</c>: 4 bytes, 32 bits, signed) and its string section.</summary>
    internal static byte[] Blob()
    {
        byte[] strings = [0, (byte)'i', (byte)'n', (byte)'t', 0];
        const int headerLength = 24, typesLength = 16;
        var blob = new byte[headerLength + typesLength + strings.Length];
        var span = blob.AsSpan();
        BitConverter.TryWriteBytes(span[0..], BtfMagic);
        span[2] = 1; // version
        span[3] = 0; // flags
        BitConverter.TryWriteBytes(span[4..], (uint)headerLength);
        BitConverter.TryWriteBytes(span[8..], 0u); // type_off
        BitConverter.TryWriteBytes(span[12..], (uint)typesLength);
        BitConverter.TryWriteBytes(span[16..], (uint)typesLength); // str_off
        BitConverter.TryWriteBytes(span[20..], (uint)strings.Length);
        var types = span[headerLength..];
        BitConverter.TryWriteBytes(types[0..], 1u); // name "int"
        BitConverter.TryWriteBytes(types[4..], BtfKindInt << 24);
        BitConverter.TryWriteBytes(types[8..], 4u); // size
        BitConverter.TryWriteBytes(types[12..], (1u << 24) | 32u); // signed, 32 bits
        strings.CopyTo(span[(headerLength + typesLength)..]);
        return blob;
    }

    // The BTF_LOAD member of union bpf_attr (include/uapi/linux/bpf.h), without the log.
    [StructLayout(LayoutKind.Sequential)]
    private struct BtfLoadAttr
    {
        public ulong Btf;
        public ulong LogBuffer;
        public uint BtfSize;
        public uint LogSize;
        public uint LogLevel;
    }

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern long Syscall(long number, long command, ref BtfLoadAttr attr, long size);
}
