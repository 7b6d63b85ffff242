using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using TraceExporter.Kernel;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>
/// BPF map syscalls without pause, one thread per CPU: each looks up the one key of a per-CPU hash map of its own
/// in a loop. The kernel holds the CPU's <c>bpf_prog_active</c> guard during every such lookup
/// (<c>bpf_disable_instrumentation</c>), as it does whenever bpftrace prints or clears a map, so a softirq that
/// runs on top of one finds the guard taken: the BPF programs of classic (perf event) tracepoints are skipped
/// for it and the kernel counts each skip in the program's recursion_misses. Raw tracepoint programs have a
/// guard of their own per program and still run. This makes that rare overlap frequent.
/// </summary>
internal sealed class MapSyscallStorm : IAsyncDisposable
{
    private const int BpfMapCreate = 0;
    private const int BpfMapLookupElem = 1;
    private const int BpfMapUpdateElem = 2;
    private const uint PerCpuHash = 5;

    // A per-CPU value is copied out for every possible CPU, 8 bytes each: room for 4,096 of them.
    private const int ValueBytes = 8 * 4096;

    private readonly SafeFileHandle _map;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread[] _threads;
    private long _lookups;

    private MapSyscallStorm(SafeFileHandle map)
    {
        _map = map;
        _threads = [.. Enumerable.Range(0, Environment.ProcessorCount).Select(i => new Thread(Run) { IsBackground = true, Name = $"map-storm-{i}" })];
    }

    /// <summary>The lookups made so far, by all threads.</summary>
    public long Lookups => Interlocked.Read(ref _lookups);

    public static MapSyscallStorm Start()
    {
        var create = new MapCreateAttr { MapType = PerCpuHash, KeySize = 4, ValueSize = 8, MaxEntries = 1 };
        var fd = Syscall(BpfSyscall.Number, BpfMapCreate, ref create, Marshal.SizeOf<MapCreateAttr>());
        if (fd < 0)
        {
            throw new InvalidOperationException($"bpf(BPF_MAP_CREATE) failed: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        var storm = new MapSyscallStorm(new SafeFileHandle((nint)fd, ownsHandle: true));
        storm.Insert();
        foreach (var thread in storm._threads)
        {
            thread.Start();
        }

        return storm;
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        foreach (var thread in _threads)
        {
            thread.Join();
        }

        _map.Dispose();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }

    private unsafe void Run()
    {
        var value = NativeMemory.AllocZeroed(ValueBytes);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                for (var i = 0; i < 1000; i++)
                {
                    Element(BpfMapLookupElem, value);
                }

                Interlocked.Add(ref _lookups, 1000);
            }
        }
        finally
        {
            NativeMemory.Free(value);
        }
    }

    private unsafe void Insert()
    {
        var value = NativeMemory.AllocZeroed(ValueBytes);
        try
        {
            if (Element(BpfMapUpdateElem, value) < 0)
            {
                throw new InvalidOperationException($"bpf(BPF_MAP_UPDATE_ELEM) failed: {Marshal.GetLastPInvokeErrorMessage()}");
            }
        }
        finally
        {
            NativeMemory.Free(value);
        }
    }

    private unsafe long Element(int command, void* value)
    {
        var key = 0u;
        var attr = new MapElemAttr { MapFd = (uint)_map.DangerousGetHandle(), Key = (ulong)&key, Value = (ulong)value };
        return Syscall(BpfSyscall.Number, command, ref attr, Marshal.SizeOf<MapElemAttr>());
    }

    // The MAP_CREATE and the element members of union bpf_attr (include/uapi/linux/bpf.h).
    [StructLayout(LayoutKind.Sequential)]
    private struct MapCreateAttr
    {
        public uint MapType;
        public uint KeySize;
        public uint ValueSize;
        public uint MaxEntries;
        public uint MapFlags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MapElemAttr
    {
        public uint MapFd;
        public uint Padding;
        public ulong Key;
        public ulong Value;
        public ulong Flags;
    }

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long Syscall(long number, long command, ref MapCreateAttr attr, long size);

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long Syscall(long number, long command, ref MapElemAttr attr, long size);
}
