namespace TraceExporter.Parsing;

/// <summary>
/// One bucket of a bpftrace <c>hist()</c>/<c>lhist()</c>: values in [<see cref="Min"/>, <see cref="Max"/>].
/// The first bucket may have no lower bound and an lhist's last bucket no upper bound.
/// </summary>
public readonly record struct HistogramBucket(long? Min, long? Max, long Count);
