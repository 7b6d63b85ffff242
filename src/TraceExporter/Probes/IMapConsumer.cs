using TraceExporter.Parsing;

namespace TraceExporter.Probes;

/// <summary>Receives the entries of one map's snapshot. Each method returns false when the entry does not fit the metric (counted as a parse error).</summary>
public interface IMapConsumer
{
    bool OnValue(ReadOnlySpan<byte> key, long value);

    bool OnHistogram(ReadOnlySpan<byte> key, ReadOnlySpan<HistogramBucket> buckets);

    bool OnStats(ReadOnlySpan<byte> key, long? count, long average, long? total);

    /// <summary>The snapshot of this map is complete.</summary>
    void OnSnapshotEnd();
}
