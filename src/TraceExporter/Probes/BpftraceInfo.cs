namespace TraceExporter.Probes;

/// <summary>The bpftrace this host runs: its version decides how some output must be read.</summary>
public sealed record BpftraceInfo(Version Version);
