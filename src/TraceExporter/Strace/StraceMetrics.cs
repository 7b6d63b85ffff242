using Prometheus;
using TraceExporter.Configuration;
using TraceExporter.Metrics;

namespace TraceExporter.Strace;

/// <summary>
/// The counters strace probes feed. Every probe of a registry shares them (prometheus-net hands back the same
/// counter for the same name), told apart by the <c>probe</c> label. Label values are only real syscall and
/// errno names (<see cref="SyscallLabel"/>), and each probe writes at most its series limit of label sets per
/// metric: past it, new ones count in one <c>syscall="__overflow__"</c> series and in
/// <c>trace_exporter_series_dropped_total{probe,metric}</c>.
/// </summary>
public sealed class StraceMetrics
{
    public const string Overflow = "__overflow__";

    private readonly Dictionary<string, HashSet<string>> _series = new(StringComparer.Ordinal);
    private readonly HashSet<string> _folded = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _limits = new(StringComparer.Ordinal);

    public StraceMetrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        Syscalls = factory.CreateCounter(
            SelfMetricNames.Syscalls, "System calls a strace probe saw finish, by result (ok, error, unknown).", "probe", "syscall", "result");
        Errors = factory.CreateCounter(
            SelfMetricNames.SyscallErrors, "System calls a strace probe saw fail, by errno name.", "probe", "syscall", "errno");
        SeriesDropped = factory.CreateCounter(
            SelfMetricNames.SeriesDropped, "Label sets folded into a metric's overflow series because it reached its series limit.", "probe", "metric");
        LinesSkipped = factory.CreateCounter(
            SelfMetricNames.StraceLinesSkipped, "Lines of strace output skipped: too_long (over the line limit) or unrecognized.", "probe", "reason");
        ProcessesSkipped = factory.CreateCounter(
            SelfMetricNames.StraceProcessesSkipped, "Processes of a process_name target not traced because the probe traced max_processes already.", "probe");
    }

    public Counter Syscalls { get; }

    public Counter Errors { get; }

    public Counter SeriesDropped { get; }

    public Counter LinesSkipped { get; }

    public Counter ProcessesSkipped { get; }

    /// <summary>The series limit of a probe's metrics (default <see cref="StraceProbeSettings.DefaultSeriesLimit"/>).</summary>
    public void SetSeriesLimit(string probe, int limit)
    {
        lock (_series)
        {
            _limits[probe] = limit;
        }
    }

    public void Count(string probe, SyscallEvent call)
    {
        var syscall = SyscallLabel.Syscall(call.Syscall);
        Syscalls.WithLabels(probe, Admit(probe, SelfMetricNames.Syscalls, syscall, call.ResultLabel), call.ResultLabel).Inc();
        if (call.Errno is { } errno)
        {
            var label = SyscallLabel.Errno(errno);
            Errors.WithLabels(probe, Admit(probe, SelfMetricNames.SyscallErrors, syscall, label), label).Inc();
        }
    }

    /// <summary>The syscall label to write: the call's own while the metric has room for its label set, else the overflow.</summary>
    private string Admit(string probe, string metric, string syscall, string other)
    {
        lock (_series)
        {
            var key = probe + "\0" + metric;
            if (!_series.TryGetValue(key, out var seen))
            {
                _series[key] = seen = new HashSet<string>(StringComparer.Ordinal);
            }

            var set = syscall + "\0" + other;
            if (seen.Contains(set))
            {
                return syscall;
            }

            if (seen.Count < _limits.GetValueOrDefault(probe, StraceProbeSettings.DefaultSeriesLimit))
            {
                seen.Add(set);
                return syscall;
            }

            // Counted once per label set, as for map metrics; the labels are bounded names, so this set is too.
            if (!_folded.Add(key + "\0" + set))
            {
                return Overflow;
            }
        }

        SeriesDropped.WithLabels(probe, metric).Inc();
        return Overflow;
    }
}
