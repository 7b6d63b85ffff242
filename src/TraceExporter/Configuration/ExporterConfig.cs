namespace TraceExporter.Configuration;

/// <summary>The YAML configuration file, typed. Keys are snake_case; unknown keys are an error.</summary>
public sealed record ExporterConfig
{
    /// <summary>How often bpftrace prints its in-kernel maps.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Built-in probe name → enabled. Null when the section is absent: then every built-in is on.</summary>
    public IReadOnlyDictionary<string, bool>? Builtin { get; init; }

    public BpftraceSettings Bpftrace { get; init; } = new();

    /// <summary>Users' own bpftrace programs.</summary>
    public IReadOnlyList<UserProbeConfig> Probes { get; init; } = [];

    /// <summary>strace probes (<c>kind: strace</c> in <c>probes:</c>).</summary>
    public IReadOnlyList<Strace.StraceProbeSettings> StraceProbes { get; init; } = [];

    /// <summary>The file this was read from, for messages.</summary>
    public string SourcePath { get; init; } = "";
}
