using BenchmarkDotNet.Attributes;
using Prometheus;
using TraceExporter.Metrics;

namespace TraceExporter.Benchmarks;

/// <summary>
/// One /metrics response with 10,000 series: prometheus-net's <c>CollectAndExportAsTextAsync</c> on a
/// registry holding the six built-in counters and the self-metrics, as the daemon's registry does.
/// </summary>
[MemoryDiagnoser]
public class MetricsRenderBenchmarks
{
    private const int Series = 10_000;
    private CollectorRegistry _registry = null!;
    private MemoryStream _output = null!;

    [GlobalSetup]
    public void Setup()
    {
        _registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(_registry);
        var self = new SelfMetrics(_registry);
        var probes = TraceExporter.Probes.BuiltinProbeCatalogue.All;
        foreach (var probe in probes)
        {
            self.ProbeUp.WithLabels(probe.Name).Set(1);
        }

        var counters = probes.Select(p => factory.CreateCounter(p.MetricName, p.Help, p.LabelName)).ToArray();
        for (var i = 0; i < Series; i++)
        {
            var (first, second) = MapSnapshotBenchmarks.PackedComm(i);
            counters[i % counters.Length].WithLabels(LabelText.FromPackedName(first, second)).Inc(i + 1);
        }

        _output = new MemoryStream(4 << 20);
    }

    [GlobalCleanup]
    public void Cleanup() => _output.Dispose();

    [Benchmark]
    public async Task RenderTenThousandSeries()
    {
        _output.Position = 0;
        await _registry.CollectAndExportAsTextAsync(_output);
    }
}
