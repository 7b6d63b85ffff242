namespace TraceExporter.Configuration;

/// <summary>Line mode: each printf line that matches <see cref="Pattern"/> adds one to a counter labelled by its named groups.</summary>
public sealed record LineMetricConfig
{
    public required LinePattern Pattern { get; init; }

    public required string Name { get; init; }

    public required string Help { get; init; }

    /// <summary>The regular expression's named groups, in order: the labels.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    public int SeriesLimit { get; init; } = MapMetricConfig.DefaultSeriesLimit;

    /// <summary>A series that has not changed for this long is removed; null: kept.</summary>
    public TimeSpan? SeriesTtl { get; init; }
}
