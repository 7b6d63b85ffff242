namespace TraceExporter.Metrics;

/// <summary>The state of one labelled series of a user metric.</summary>
internal sealed class UserSeries(string[] labelValues)
{
    public string[] LabelValues { get; } = labelValues;

    /// <summary>Counter value, gauge value, or histogram/summary count.</summary>
    public CumulativeValue Value;

    /// <summary>Histogram/summary sum.</summary>
    public CumulativeValue Sum;

    /// <summary>Histogram buckets by their inclusive upper bound (unscaled); long.MaxValue is "above every bound".</summary>
    public SortedDictionary<long, CumulativeValue>? Buckets;

    public double Gauge;

    /// <summary>Past the family's series limit: counted in the overflow series, not shown on its own.</summary>
    public bool Folded { get; init; }

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
}
