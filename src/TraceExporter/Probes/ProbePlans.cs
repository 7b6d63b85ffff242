using TraceExporter.Metrics;

namespace TraceExporter.Probes;

/// <summary>What a configuration means on this host: the bpftrace groups to run, and the probes that cannot run here (with why).</summary>
public sealed record ProbePlans(IReadOnlyList<GroupPlan> Groups, IReadOnlyList<ProbeState> Unavailable);
