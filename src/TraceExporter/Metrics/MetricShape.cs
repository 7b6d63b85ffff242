using TraceExporter.Configuration;

namespace TraceExporter.Metrics;

/// <summary>What a metric family is, apart from its values: a reload that keeps the shape keeps the values.</summary>
public sealed record MetricShape(string Name, string Help, MetricType Type, IReadOnlyList<string> LabelNames, double Scale, int SeriesLimit, TimeSpan? SeriesTtl)
{
    public static MetricShape Of(MapMetricConfig metric) =>
        new(metric.Name, metric.Help, metric.Type, [.. metric.Labels.Select(l => l.Name)], metric.Scale, metric.SeriesLimit, metric.SeriesTtl);

    public static MetricShape Of(LineMetricConfig rule) =>
        new(rule.Name, rule.Help, MetricType.Counter, rule.Labels, 1, rule.SeriesLimit, rule.SeriesTtl);

    public bool Equals(MetricShape? other) =>
        other is not null && Name == other.Name && Help == other.Help && Type == other.Type && Scale.Equals(other.Scale)
        && SeriesLimit == other.SeriesLimit && SeriesTtl == other.SeriesTtl && LabelNames.SequenceEqual(other.LabelNames);

    public override int GetHashCode() => HashCode.Combine(Name, Type, LabelNames.Count);
}
