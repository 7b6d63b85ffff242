namespace TraceExporter.Metrics;

/// <summary>The state of one labelled series of a metric family. Changed only under the family's lock.</summary>
internal sealed class MetricSeries(string[] labelValues, string key)
{
    public string[] LabelValues { get; } = labelValues;

    /// <summary>The label values joined, as the family indexes the series.</summary>
    public string Key { get; } = key;

    /// <summary>Counter value, or histogram/summary count.</summary>
    public CumulativeValue Value;

    /// <summary>Histogram/summary sum.</summary>
    public CumulativeValue Sum;

    /// <summary>Histogram buckets by their inclusive upper bound (unscaled); long.MaxValue is "above every bound".</summary>
    public SortedDictionary<long, CumulativeValue>? Buckets;

    public double Gauge;

    /// <summary>When a value of this series last changed, for <c>series_ttl</c>.</summary>
    public long LastChangedTicks;

    public void StartGeneration()
    {
        Value.StartGeneration();
        Sum.StartGeneration();
        if (Buckets is not null)
        {
            foreach (var bound in Buckets.Keys.ToList())
            {
                var bucket = Buckets[bound];
                bucket.StartGeneration();
                Buckets[bound] = bucket;
            }
        }
    }

    public CumulativeValue Bucket(long bound) => Buckets?.GetValueOrDefault(bound) ?? default;

    public void SetBucket(long bound, CumulativeValue value)
    {
        Buckets ??= [];
        Buckets[bound] = value;
    }
}
