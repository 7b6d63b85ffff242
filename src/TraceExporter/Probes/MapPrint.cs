namespace TraceExporter.Probes;

/// <summary>A map the daemon prints on each interval; <see cref="Clear"/> for maps that count per interval (delta).</summary>
public readonly record struct MapPrint(string MapName, bool Clear);
