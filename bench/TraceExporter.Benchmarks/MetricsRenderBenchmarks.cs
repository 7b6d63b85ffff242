using BenchmarkDotNet.Attributes;
using Prometheus;
using TraceExporter.Configuration;
using TraceExporter.Metrics;
using TraceExporter.Web;

namespace TraceExporter.Benchmarks;

/// <summary>
/// One /metrics page with 10,000 series, as the daemon renders it: prometheus-net's self-metrics, then the
/// six built-in metric families (rendered by the daemon's own <see cref="MetricFamilySet"/>, as every probe's are).
/// </summary>
[MemoryDiagnoser]
public class MetricsRenderBenchmarks
{
    private const int Series = 10_000;
    private CollectorRegistry _registry = null!;
    private MetricFamilySet _families = null!;

    [GlobalSetup]
    public void Setup()
    {
        _registry = Prometheus.Metrics.NewCustomRegistry();
        var self = new SelfMetrics(_registry);
        _families = new MetricFamilySet();
        foreach (var name in BuiltinCatalogue.Names)
        {
            self.ProbeUp.WithLabels(name).Set(1);
        }

        // Every series through the real path: map prints of the tcp_connects route, 10,000 distinct comms.
        var sink = MapSnapshotBenchmarks.TcpConnectsSink(Series, _families);
        new TraceExporter.Parsing.BpftraceJsonParser().Parse(MapSnapshotBenchmarks.SnapshotLine("@tcp_connects_te0", Series, 1), sink);
    }

    [Benchmark]
    public async Task<int> RenderTenThousandSeries() => (await MetricsEndpoint.RenderAsync(_registry, _families, CancellationToken.None)).Count;
}
