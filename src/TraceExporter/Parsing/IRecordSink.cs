namespace TraceExporter.Parsing;

/// <summary>
/// Receives the records of bpftrace's <c>-f json</c> stream. Spans are only valid during the call:
/// the parser reuses its buffers, so a sink copies what it keeps.
/// </summary>
public interface IRecordSink
{
    /// <summary>The number of probes bpftrace says it attaches (≤0.23: before attaching; ≥0.24: after).</summary>
    void OnAttachedProbes(long count);

    /// <summary>A <c>printf</c> record; <paramref name="text"/> is UTF-8, unescaped, with the script's newline kept.</summary>
    void OnPrintf(ReadOnlySpan<byte> text);

    /// <summary>bpftrace reports events it could not read from the ring/perf buffer.</summary>
    void OnLostEvents(long count);

    /// <summary>A map record starts: every entry until <see cref="OnMapEnd"/> belongs to <paramref name="mapName"/> (with its <c>@</c>).</summary>
    void OnMapStart(ReadOnlySpan<byte> mapName);

    /// <summary>One entry of a <c>map</c> record whose value is an integer (count, sum, min, max, scalar).</summary>
    /// <param name="key">The key as bpftrace printed it (tuple parts joined with ','), unescaped; empty for a map without keys.</param>
    void OnValue(ReadOnlySpan<byte> key, long value);

    /// <summary>One entry of a <c>hist</c> record: buckets in the order bpftrace printed them.</summary>
    void OnHistogram(ReadOnlySpan<byte> key, ReadOnlySpan<HistogramBucket> buckets);

    /// <summary>One entry of a <c>stats</c> record. For <c>avg()</c> only <paramref name="average"/> is known (count and total are null).</summary>
    void OnStats(ReadOnlySpan<byte> key, long? count, long average, long? total);

    void OnMapEnd();

    /// <summary>
    /// A <c>helper_error</c>, <c>runtime_error</c>, <c>errorf</c> or <c>warnf</c> record. A failed helper
    /// (e.g. <c>map_update_elem</c> into a full map) names the helper and the program line of the statement;
    /// <paramref name="line"/> is 0 when the record has none.
    /// </summary>
    void OnRuntimeError(ReadOnlySpan<byte> type, ReadOnlySpan<byte> helper, int line, ReadOnlySpan<byte> message);

    /// <summary>A line that is not valid bpftrace JSON, or a record of a shape we do not understand.</summary>
    void OnMalformed(ParseError kind);
}
