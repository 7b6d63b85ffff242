namespace TraceExporter.Configuration;

/// <summary>One built-in probe as the configuration sets it: <c>tcp_connects: true</c>, or a mapping of its options.</summary>
public sealed record BuiltinProbeConfig
{
    public const int DefaultSeriesLimit = 10_000;

    public required string Name { get; init; }

    public bool Enabled { get; init; } = true;

    /// <summary>New label sets past this many fold into the metric's <c>__overflow__</c> series.</summary>
    public int SeriesLimit { get; init; } = DefaultSeriesLimit;

    /// <summary>A series that has not changed for this long is removed; null: kept.</summary>
    public TimeSpan? SeriesTtl { get; init; }

    /// <summary>tcp_accepts: local ports in the host's ephemeral range count as one <c>port="ephemeral"</c> series.</summary>
    public bool FoldEphemeralPorts { get; init; } = true;

    /// <summary>
    /// The labels of its metric: its own label (comm, port, interface, reason) and the workload labels its events
    /// can be attributed by (<see cref="BuiltinCatalogue.LabelChoices"/>), shown in that order whatever the order
    /// given. Null: its own label alone, as <c>tcp_connects: true</c> means.
    /// </summary>
    public IReadOnlyList<string>? Labels { get; init; }
}
