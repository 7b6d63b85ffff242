using Prometheus;

namespace TraceExporter.Metrics;

/// <summary>The exporter's metrics about itself: is each probe up, what went wrong, what was lost.</summary>
public sealed class SelfMetrics
{
    public SelfMetrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        ProbeUp = factory.CreateGauge(SelfMetricNames.ProbeUp, "1 when the probe is attached and its bpftrace process runs, else 0.", "probe");
        BuildInfo = factory.CreateGauge(SelfMetricNames.BuildInfo, "Always 1; labels say which versions run.", "version", "bpftrace_version", "runtime");
        Restarts = factory.CreateCounter(SelfMetricNames.Restarts, "Times a probe's bpftrace process was started again after it ended.", "probe");
        ParseErrors = factory.CreateCounter(SelfMetricNames.ParseErrors, "Output lines of bpftrace that could not be parsed and were skipped.", "probe");
        LostEvents = factory.CreateCounter(SelfMetricNames.LostEvents, "Events bpftrace reported lost from its ring/perf buffer.", "probe");
        ReloadSuccessful = factory.CreateGauge(SelfMetricNames.ReloadSuccessful, "1 when the last configuration reload succeeded, else 0.");
        ReloadTimestamp = factory.CreateGauge(SelfMetricNames.ReloadTimestamp, "When the configuration was last loaded successfully.");
        SeriesDropped = factory.CreateCounter(SelfMetricNames.SeriesDropped, "Label sets folded into a metric's overflow series because it reached its series limit.", "probe", "metric");
        UnmatchedLines = factory.CreateCounter(SelfMetricNames.UnmatchedLines, "printf lines of a line-mode probe that matched no rule.", "probe");
        RuntimeErrors = factory.CreateCounter(SelfMetricNames.RuntimeErrors, "Runtime and helper errors reported by bpftrace (e.g. a full map).", "probe");
    }

    public Gauge ProbeUp { get; }

    public Gauge BuildInfo { get; }

    public Counter Restarts { get; }

    public Counter ParseErrors { get; }

    public Counter LostEvents { get; }

    public Counter RuntimeErrors { get; }

    public Gauge ReloadSuccessful { get; }

    public Counter SeriesDropped { get; }

    public Counter UnmatchedLines { get; }

    public Gauge ReloadTimestamp { get; }
}
