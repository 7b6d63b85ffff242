namespace TraceExporter.Configuration;

/// <summary>One map of a user probe exported as one metric family.</summary>
public sealed record MapMetricConfig
{
    /// <summary>The map, with its '@'.</summary>
    public required string Map { get; init; }

    public required string Name { get; init; }

    public required string Help { get; init; }

    public MetricType Type { get; init; } = MetricType.Counter;

    /// <summary>Labels for the key's parts, in order.</summary>
    public IReadOnlyList<LabelConfig> Labels { get; init; } = [];

    /// <summary>Multiplies values (and histogram bounds) into base units, e.g. 1e-9 for nanoseconds → seconds.</summary>
    public double Scale { get; init; } = 1;

    /// <summary>Histogram: the sum() map with the same keys that gives the true <c>_sum</c>.</summary>
    public string? SumMap { get; init; }

    /// <summary>Delta: the daemon rotates the map (two copies, the one no longer written is printed and cleared each interval).</summary>
    public MapUpdate Update { get; init; } = MapUpdate.Delta;

    /// <summary>The aggregation the program assigns the map (<c>count</c>, <c>sum</c>, <c>hist</c>, …; <c>++</c> for an increment), when known.</summary>
    public string? Aggregation { get; init; }

    /// <summary>New label sets past this many fold into one overflow series.</summary>
    public int SeriesLimit { get; init; } = DefaultSeriesLimit;

    /// <summary>A series that has not changed for this long is removed; null: kept for the daemon's life.</summary>
    public TimeSpan? SeriesTtl { get; init; }

    public const int DefaultSeriesLimit = 1000;
}
