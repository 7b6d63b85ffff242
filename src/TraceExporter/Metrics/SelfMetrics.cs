using Prometheus;

namespace TraceExporter.Metrics;

/// <summary>The exporter's metrics about itself: is each probe up, what went wrong, what was lost.</summary>
public sealed class SelfMetrics
{
    public SelfMetrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        ProbeUp = factory.CreateGauge("trace_exporter_probe_up", "1 when the probe is attached and its bpftrace process runs, else 0.", "probe");
        BuildInfo = factory.CreateGauge("trace_exporter_build_info", "Always 1; labels say which versions run.", "version", "bpftrace_version", "runtime");
        Restarts = factory.CreateCounter("trace_exporter_probe_restarts_total", "Times a probe's bpftrace process was started again after it ended.", "probe");
        ParseErrors = factory.CreateCounter("trace_exporter_parse_errors_total", "Output lines of bpftrace that could not be parsed and were skipped.", "probe");
        LostEvents = factory.CreateCounter("trace_exporter_lost_events_total", "Events bpftrace reported lost from its ring/perf buffer.", "probe");
        ReloadSuccessful = factory.CreateGauge("trace_exporter_config_last_reload_successful", "1 when the last configuration reload succeeded, else 0.");
        ReloadTimestamp = factory.CreateGauge("trace_exporter_config_last_reload_success_timestamp_seconds", "When the configuration was last loaded successfully.");
        SeriesDropped = factory.CreateCounter("trace_exporter_series_dropped_total", "Label sets folded into a metric's overflow series because it reached its series limit.", "probe", "metric");
        UnmatchedLines = factory.CreateCounter("trace_exporter_unmatched_lines_total", "printf lines of a line-mode probe that matched no rule.", "probe");
        RuntimeErrors = factory.CreateCounter("trace_exporter_runtime_errors_total", "Runtime and helper errors reported by bpftrace (e.g. a full map).", "probe");
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
