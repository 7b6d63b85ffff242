using Prometheus;
using TraceExporter.Metrics;

namespace TraceExporter.Strace;

/// <summary>
/// The counters strace probes feed. Every probe of a registry shares them (prometheus-net hands back the same
/// counter for the same name), told apart by the <c>probe</c> label.
/// </summary>
public sealed class StraceMetrics
{
    public StraceMetrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        Syscalls = factory.CreateCounter(
            SelfMetricNames.Syscalls, "System calls a strace probe saw finish, by result (ok, error, unknown).", "probe", "syscall", "result");
        Errors = factory.CreateCounter(
            SelfMetricNames.SyscallErrors, "System calls a strace probe saw fail, by errno name.", "probe", "syscall", "errno");
    }

    public Counter Syscalls { get; }

    public Counter Errors { get; }

    public void Count(string probe, SyscallEvent call)
    {
        Syscalls.WithLabels(probe, call.Syscall, call.ResultLabel).Inc();
        if (call.Errno is { } errno)
        {
            Errors.WithLabels(probe, call.Syscall, errno).Inc();
        }
    }
}
