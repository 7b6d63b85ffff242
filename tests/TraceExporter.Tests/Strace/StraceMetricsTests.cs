using System.Text;
using Prometheus;
using TraceExporter.Strace;

namespace TraceExporter.Tests.Strace;

public sealed class StraceMetricsTests
{
    [Fact]
    public async Task Recorded_opens_become_exact_counters_by_result_and_errno()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new StraceMetrics(registry);
        foreach (var call in StraceFixture.Parse("opens_5_missing_3_present").OfType<SyscallEvent>())
        {
            metrics.Count("files", call);
        }

        var text = await ExpositionAsync(registry);

        // 2 libraries + 3 opens of present.txt succeed; the 5 opens of missing.txt fail.
        Assert.Contains("trace_syscalls_total{probe=\"files\",syscall=\"openat\",result=\"ok\"} 5", text);
        Assert.Contains("trace_syscalls_total{probe=\"files\",syscall=\"openat\",result=\"error\"} 5", text);
        Assert.Contains("trace_syscall_errors_total{probe=\"files\",syscall=\"openat\",errno=\"ENOENT\"} 5", text);
    }

    [Fact]
    public async Task Two_probes_on_one_registry_share_the_counters_by_probe_label()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        new StraceMetrics(registry).Count("a", new SyscallEvent(1, "connect", SyscallOutcome.Error, "ECONNREFUSED", null));
        new StraceMetrics(registry).Count("b", new SyscallEvent(1, "exit_group", SyscallOutcome.Unknown, null, null));

        var text = await ExpositionAsync(registry);

        Assert.Contains("trace_syscall_errors_total{probe=\"a\",syscall=\"connect\",errno=\"ECONNREFUSED\"} 1", text);
        Assert.Contains("trace_syscalls_total{probe=\"b\",syscall=\"exit_group\",result=\"unknown\"} 1", text);
        Assert.DoesNotContain("probe=\"b\",syscall=\"exit_group\",errno", text);
    }

    private static async Task<string> ExpositionAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
