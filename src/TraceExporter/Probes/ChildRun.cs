namespace TraceExporter.Probes;

/// <summary>How one run of a child ended, and what its supervisor should do next.</summary>
public readonly record struct ChildRun(ChildRunEnd End, TimeSpan Duration, string Detail = "");
