using Prometheus;
using TraceExporter.Metrics;

namespace TraceExporter.Tests.Metrics;

public sealed class BpftraceMemoryTests : IDisposable
{
    private readonly DirectoryInfo _proc = Directory.CreateTempSubdirectory("te-proc-");

    public void Dispose() => _proc.Delete(recursive: true);

    private void Status(int pid, string vmRss)
    {
        Directory.CreateDirectory(Path.Combine(_proc.FullName, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        File.WriteAllText(Path.Combine(_proc.FullName, $"{pid}", "status"), $"Name:\tbpftrace\nVmHWM:\t  103244 kB\nVmRSS:\t{vmRss}\nRssAnon:\t   31904 kB\n");
    }

    private static async Task<string> PageAsync(CollectorRegistry registry)
    {
        using var buffer = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    [Fact]
    public async Task Each_running_group_shows_its_bpftrace_VmRSS_in_bytes_and_a_group_that_stopped_disappears()
    {
        Status(4242, "   36512 kB");
        Status(4343, "   90000 kB");
        var processes = new List<(string, int)> { ("builtin", 4242), ("drops", 4343) };
        var registry = Prometheus.Metrics.NewCustomRegistry();
        _ = new BpftraceMemory(registry, () => processes, _proc.FullName);

        var first = await PageAsync(registry);
        processes.RemoveAt(1);
        var second = await PageAsync(registry);

        Assert.Contains("trace_exporter_bpftrace_resident_memory_bytes{probe=\"builtin\"} 37388288\n", first);
        Assert.Contains("trace_exporter_bpftrace_resident_memory_bytes{probe=\"drops\"} 92160000\n", first);
        Assert.Contains("trace_exporter_bpftrace_resident_memory_bytes{probe=\"builtin\"} 37388288\n", second);
        Assert.DoesNotContain("probe=\"drops\"", second);
    }
}
