using TraceExporter.Kernel;

namespace TraceExporter.Tests.Kernel;

public sealed class ProcessPageOutTests
{
    [Fact]
    public void Only_private_read_only_file_mappings_are_chosen()
    {
        string[] maps =
        [
            "55d0c0a00000-55d0c0a20000 r--p 00000000 08:01 131001                     /usr/bin/bpftrace",
            "7f1c2a000000-7f1c2b000000 r-xp 00100000 08:01 131090                     /usr/lib/x86_64-linux-gnu/libLLVM-14.so.1",
            "7f1c2b000000-7f1c2b100000 rw-p 01100000 08:01 131090                     /usr/lib/x86_64-linux-gnu/libLLVM-14.so.1",
            "7f1c2c000000-7f1c2c001000 r--s 00000000 00:0f 2048                       /memfd:shared (deleted)",
            "7f1c2d000000-7f1c2d400000 rw-p 00000000 00:00 0                          [heap]",
            "7f1c2e000000-7f1c2e010000 r--p 00000000 00:00 0 ",
            "7ffd1e1f0000-7ffd1e1f2000 r-xp 00000000 00:00 0                          [vdso]",
            "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]",
        ];

        var chosen = ProcessPageOut.CleanFileMappings(maps);

        Assert.Equal(
            [(0x55d0c0a00000L, 0x20000L), (0x7f1c2a000000L, 0x1000000L)],
            chosen);
    }
}
