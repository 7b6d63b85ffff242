using TraceExporter.Configuration;

namespace TraceExporter.Metrics;

/// <summary>
/// What a metric family is, apart from its values. A reload that keeps its <see cref="Name"/>, type, labels and
/// scale keeps the values (<see cref="SameSeries"/>); help, series limit and TTL may change on the way.
/// </summary>
public sealed record MetricShape(string Name, string Help, MetricType Type, IReadOnlyList<string> LabelNames, double Scale, int SeriesLimit, TimeSpan? SeriesTtl)
{
    public static MetricShape Of(MapMetricConfig metric) =>
        new(metric.Name, metric.Help, metric.Type, [.. metric.Labels.SelectMany(l => l.Names)], metric.Scale, metric.SeriesLimit, metric.SeriesTtl);

    public static MetricShape Of(LineMetricConfig rule) =>
        new(rule.Name, rule.Help, MetricType.Counter, rule.Labels, 1, rule.SeriesLimit, rule.SeriesTtl);

    /// <summary>Whether values of a family of this shape mean the same in one of <paramref name="other"/>'s.</summary>
    public bool SameSeries(MetricShape other) =>
        Name == other.Name && Type == other.Type && Scale.Equals(other.Scale) && LabelNames.SequenceEqual(other.LabelNames);

    public bool Equals(MetricShape? other) =>
        other is not null && SameSeries(other) && Help == other.Help && SeriesLimit == other.SeriesLimit && SeriesTtl == other.SeriesTtl;

    public override int GetHashCode() => HashCode.Combine(Name, Type, LabelNames.Count);
}
