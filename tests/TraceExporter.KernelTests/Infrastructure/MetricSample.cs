namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>One sample line of the Prometheus text format, with label values already unescaped.</summary>
internal sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public bool HasExactly(IReadOnlyDictionary<string, string> labels) =>
        Labels.Count == labels.Count
        && labels.All(pair => Labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    public override string ToString() =>
        $"{Name}{{{string.Join(",", Labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}} {Value}";
}
