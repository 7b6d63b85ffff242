using System.Globalization;
using TraceExporter.KernelTests.Faults;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Lifecycle;

public sealed class MemoryTests
{
    // bpftrace 0.17 holds ~70 MB of LLVM and clang pages after compiling; what it needs to print maps is a few MB.
    private const long MaxFileBackedKb = 25 * 1024;

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
        var fileBackedKb = StatusKb(bpftrace.Pid, "RssFile");

        // And it still works: an exec after the page-out is counted.
        using var binary = new UniqueBinary("tkm");
        await binary.RunAsync(1);
        var page = await Poll.UntilAsync(
            daemon.ScrapePageAsync, p => p.Counter("trace_process_execs_total", ("comm", binary.Name)) >= 1, TimeSpan.FromSeconds(15));

        Assert.True(
            logged && fileBackedKb <= MaxFileBackedKb && page.Value("trace_process_execs_total", ("comm", binary.Name)) == 1,
            FailureReport.Describe(
                $"expected the page-out logged, bpftrace's file-backed resident memory <= {MaxFileBackedKb} kB and one exec of {binary.Name} counted after it",
                daemon,
                page,
                ["trace_process_execs_total"],
                $"logged: {logged}; RssFile of bpftrace {bpftrace.Pid}: {fileBackedKb} kB"));
    }

    private static long StatusKb(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
    }
}
