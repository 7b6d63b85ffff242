namespace TraceExporter.Configuration;

/// <summary>The YAML configuration file, typed. Keys are snake_case; unknown keys are an error.</summary>
public sealed record ExporterConfig
{
    /// <summary>How often bpftrace prints its in-kernel maps.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Every built-in probe, in <see cref="BuiltinCatalogue.Names"/> order, with its options. Without a
    /// <c>builtin:</c> section all are enabled; with one, only those it enables.
    /// </summary>
    public IReadOnlyList<BuiltinProbeConfig> Builtins { get; init; } = [.. BuiltinCatalogue.Names.Select(n => new BuiltinProbeConfig { Name = n })];

    public BpftraceSettings Bpftrace { get; init; } = new();

    public CgroupSettings Cgroups { get; init; } = new();

    /// <summary>Users' own bpftrace programs.</summary>
    public IReadOnlyList<UserProbeConfig> Probes { get; init; } = [];

    /// <summary>strace probes (<c>kind: strace</c> in <c>probes:</c>).</summary>
    public IReadOnlyList<StraceProbeSettings> StraceProbes { get; init; } = [];

    /// <summary>The file this was read from, for messages.</summary>
    public string SourcePath { get; init; } = "";
}
