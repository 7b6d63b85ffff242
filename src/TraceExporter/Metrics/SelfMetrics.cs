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
        SeriesDropped = factory.CreateCounter(SelfMetricNames.SeriesDropped, "Updates (map entries of a print, or printf lines) folded into a metric's __overflow__ series because the metric reached its series limit.", "probe", "metric");
        UnmatchedLines = factory.CreateCounter(SelfMetricNames.UnmatchedLines, "printf lines of a line-mode probe that matched no rule.", "probe");
        RuntimeErrors = factory.CreateCounter(SelfMetricNames.RuntimeErrors, "Runtime and helper errors reported by bpftrace, other than updates of a metric's full map.", "probe");
        MapEntries = factory.CreateGauge(SelfMetricNames.MapEntries, "The most keys one print of the probe's map held in the last minute (a delta map: the distinct keys of one interval); compare with trace_exporter_map_max_entries.", "probe", "map");
        MapMaxEntries = factory.CreateGauge(SelfMetricNames.MapMaxEntries, "Keys the probe's map can hold (max_map_keys); an update past it fails and is counted in trace_exporter_map_updates_failed_total.", "probe", "map");
        MapUpdatesFailed = factory.CreateCounter(SelfMetricNames.MapUpdatesFailed, "Events the kernel could not add to the probe's full map. Counted in the metric's __overflow__ series (for sum() maps their amounts are unknown).", "probe", "map");
        DrainsLate = factory.CreateCounter(SelfMetricNames.DrainsLate, "Prints of the probe's delta maps that bpftrace finished only after writes had moved back to the printed copy: events of that moment may be missing.", "probe");
    }

    /// <summary>Removes every series of these self-metrics that carries <c>probe="NAME"</c>: a probe the configuration no longer has.</summary>
    public void Forget(string probe)
    {
        foreach (var counter in new[] { Restarts, ParseErrors, LostEvents, RuntimeErrors, SeriesDropped, UnmatchedLines, MapUpdatesFailed, DrainsLate })
        {
            var index = Array.IndexOf(counter.LabelNames, "probe");
            foreach (var labels in counter.GetAllLabelValues().Where(l => l[index] == probe).ToList())
            {
                counter.RemoveLabelled(labels);
            }
        }

        foreach (var gauge in new[] { ProbeUp, MapEntries, MapMaxEntries })
        {
            var index = Array.IndexOf(gauge.LabelNames, "probe");
            foreach (var labels in gauge.GetAllLabelValues().Where(l => l[index] == probe).ToList())
            {
                gauge.RemoveLabelled(labels);
            }
        }
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

    public Gauge MapEntries { get; }

    public Gauge MapMaxEntries { get; }

    public Counter MapUpdatesFailed { get; }

    public Counter DrainsLate { get; }
}
