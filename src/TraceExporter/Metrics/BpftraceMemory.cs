using Prometheus;
using TraceExporter.Kernel;

namespace TraceExporter.Metrics;

/// <summary>
/// Resident memory of each bpftrace the daemon runs, read from <c>/proc/PID/status</c> (VmRSS) at scrape time:
/// with <c>process_working_set_bytes</c> (the daemon's own VmRSS, as prometheus-net names it) it gives what the
/// exporter costs the host in memory. Series of groups no longer running are removed.
/// </summary>
public sealed class BpftraceMemory
{
    private readonly Func<IReadOnlyList<(string Group, int ProcessId)>> _processes;
    private readonly string _procRoot;
    private readonly Gauge _resident;
    private readonly HashSet<string> _shown = new(StringComparer.Ordinal);

    public BpftraceMemory(CollectorRegistry registry, Func<IReadOnlyList<(string Group, int ProcessId)>> processes, string procRoot = "/proc")
    {
        _processes = processes;
        _procRoot = procRoot;
        _resident = Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge(
            SelfMetricNames.BpftraceResidentMemory,
            "Resident memory of the bpftrace process running the probe group (VmRSS); probe=\"builtin\" for the built-ins.",
            "probe");
        registry.AddBeforeCollectCallback(Update);
    }

    private void Update()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (group, pid) in _processes())
        {
            if (ProcStatus.ResidentKb(pid, _procRoot) is { } kb)
            {
                _resident.WithLabels(group).Set(kb * 1024);
                seen.Add(group);
            }
        }

        foreach (var gone in _shown.Where(g => !seen.Contains(g)).ToList())
        {
            _resident.RemoveLabelled(gone);
            _shown.Remove(gone);
        }

        _shown.UnionWith(seen);
    }
}
