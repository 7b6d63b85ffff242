namespace TraceExporter.Configuration;

/// <summary>A user's bpftrace program and how its maps (or printed lines) become metrics.</summary>
public sealed record UserProbeConfig
{
    public required string Name { get; init; }

    /// <summary>The program text (read from <c>program_file</c> when that was given).</summary>
    public required string Program { get; init; }

    /// <summary>Where the program came from, for messages: the config file or the program file.</summary>
    public required string ProgramSource { get; init; }

    /// <summary>How often the daemon prints the probe's maps; null: the top-level interval.</summary>
    public TimeSpan? Interval { get; init; }

    public int? BufferPages { get; init; }

    /// <summary>Keys each of the probe's maps can hold; null: <see cref="BpftraceSettings.MaxMapKeys"/>.</summary>
    public int? MaxMapKeys { get; init; }

    public IReadOnlyList<MapMetricConfig> Metrics { get; init; } = [];

    public IReadOnlyList<LineMetricConfig> Lines { get; init; } = [];

    /// <summary>Line and column of the probe in the configuration file, for errors found later (e.g. by <c>check</c>).</summary>
    public int Line { get; init; }

    public int Column { get; init; }
}
