namespace TraceExporter.Metrics;

/// <summary>What the landing page and /healthz show about one probe; <see cref="Attach"/> names what it is attached to.</summary>
public sealed record ProbeState(string Name, string Source, ProbeStatus Status, string? Reason, string Attach = "");
