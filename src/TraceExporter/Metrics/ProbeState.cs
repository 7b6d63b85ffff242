namespace TraceExporter.Metrics;

/// <summary>What the landing page and /healthz show about one probe.</summary>
public sealed record ProbeState(string Name, string Source, ProbeStatus Status, string? Reason);
