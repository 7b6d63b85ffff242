namespace TraceExporter.Probes;

/// <summary>A group's program as bpftrace runs it, and which of its lines write which probe's metric map.</summary>
public sealed record AssembledProgram(string Text, IReadOnlyList<(int Line, string Probe, string Map)> Writes);
