namespace TraceExporter;

/// <summary>The daemon's command line, as given.</summary>
public sealed record DaemonOptions(string ConfigFile, string ListenAddress, string TelemetryPath, string LogLevel, bool EnableLifecycle = false, string? WebConfigFile = null);
