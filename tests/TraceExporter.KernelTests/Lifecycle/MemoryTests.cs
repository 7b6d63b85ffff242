using System.Globalization;
using TraceExporter.KernelTests.Faults;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Lifecycle;

public sealed class MemoryTests
{
    // bpftrace 0.17 holds ~70 MB of LLVM and clang pages after compiling; what it needs to print maps is a few MB.
    private const long MaxLibraryKb = 25 * 1024;

    [SkippableFact]
    public async Task After_attaching_bpftrace_keeps_little_of_its_compiler_resident_and_still_counts()
    {
        KernelPrerequisites.Require();
        await using var daemon = await DaemonProcess.StartHealthyAsync();
        var bpftrace = Assert.Single(BpftraceChildren.Of(daemon));
        var logged = await Poll.UntilAsync(
            () => Task.FromResult(daemon.Output.Contains($"paged out bpftrace {bpftrace.Pid}'s compiler libraries", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10));
        await Task.Delay(2 * DaemonProcess.Interval); // two map prints: what printing needs is back in
        var libraryKb = LibraryResidentKb(bpftrace.Pid);

        // And it still works: an exec after the page-out is counted.
        using var binary = new UniqueBinary("tkm");
        await binary.RunAsync(1);
        var page = await Poll.UntilAsync(
            daemon.ScrapePageAsync, p => p.Counter("trace_process_execs_total", ("comm", binary.Name)) >= 1, TimeSpan.FromSeconds(15));

        Assert.True(
            logged && libraryKb <= MaxLibraryKb && page.Value("trace_process_execs_total", ("comm", binary.Name)) == 1,
            FailureReport.Describe(
                $"expected the page-out logged, the pages of files only bpftrace has resident (its libraries) <= {MaxLibraryKb} kB and one exec of {binary.Name} counted after it",
                daemon,
                page,
                ["trace_process_execs_total"],
                $"logged: {logged}; Private_Clean of the file mappings of bpftrace {bpftrace.Pid}: {libraryKb} kB (RssFile {StatusKb(bpftrace.Pid, "RssFile")} kB)"));
    }

    /// <summary>
    /// The pages of files (its libraries, not <c>anon_inode:bpf-map</c>) that bpftrace alone has resident: Private_Clean
    /// of each mapping of a path, what MADV_PAGEOUT can release. RssFile would also count the BPF ring buffer bpftrace
    /// 0.18+ maps from the kernel (32 MB of 0.27's here), and pages another process maps too, which the page-out
    /// leaves alone by design (a compiler running beside the test, e.g. an llvm-objcopy sharing libLLVM).
    /// </summary>
    private static long LibraryResidentKb(int pid)
    {
        long kb = 0;
        var inFile = false;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 5 && fields[0].Contains('-', StringComparison.Ordinal) && !fields[0].EndsWith(':'))
            {
                inFile = fields.Length >= 6 && fields[5].StartsWith('/');
            }
            else if (inFile && fields.Length >= 2 && fields[0] == "Private_Clean:")
            {
                kb += long.Parse(fields[1], CultureInfo.InvariantCulture);
            }
        }

        return kb;
    }

    private static long StatusKb(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
    }
}
