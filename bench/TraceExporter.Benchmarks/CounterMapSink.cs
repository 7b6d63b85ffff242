using TraceExporter.Metrics;
using TraceExporter.Parsing;

namespace TraceExporter.Benchmarks;

/// <summary>
/// What the daemon does with a built-in probe's map records: entries of the probe's map are parsed as
/// <see cref="NumericKey"/>s and applied to its <see cref="CumulativeCounterMap"/>; everything else is ignored.
/// Kept here so the benchmark measures only parsing and applying, not the probe plumbing around them.
/// </summary>
public sealed class CounterMapSink(byte[] exportedMap, CumulativeCounterMap counter) : IRecordSink
{
    private bool _inMap;

    public long Rejected { get; private set; }

    public void OnAttachedProbes(long count)
    {
    }

    public void OnPrintf(ReadOnlySpan<byte> text)
    {
    }

    public void OnLostEvents(long count)
    {
    }

    public void OnMapStart(ReadOnlySpan<byte> mapName) => _inMap = mapName.SequenceEqual(exportedMap);

    public void OnValue(ReadOnlySpan<byte> key, long value)
    {
        if (!_inMap)
        {
            return;
        }

        if (NumericKey.TryParse(key, out var numericKey))
        {
            counter.Apply(numericKey, value);
        }
        else
        {
            Rejected++;
        }
    }

    public void OnHistogram(ReadOnlySpan<byte> key, ReadOnlySpan<HistogramBucket> buckets) => Rejected++;

    public void OnStats(ReadOnlySpan<byte> key, long? count, long average, long? total) => Rejected++;

    public void OnMapEnd() => _inMap = false;

    public void OnRuntimeError(ReadOnlySpan<byte> type, ReadOnlySpan<byte> message) => Rejected++;

    public void OnMalformed(ParseError kind) => Rejected++;
}
