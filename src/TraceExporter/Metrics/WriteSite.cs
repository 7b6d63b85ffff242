namespace TraceExporter.Metrics;

/// <summary>
/// A statement of the program that writes a metric's map, by its line in the program bpftrace runs: where
/// bpftrace's report of a failed map update points. <paramref name="Aggregation"/> says what one lost
/// update was worth: one event for counts, increments, histograms and stats; an unknown amount for a sum.
/// </summary>
public sealed record WriteSite(MapRoute Route, string? Aggregation)
{
    /// <summary>Whether each failed update is one event of the metric's count.</summary>
    public bool CountsEvents => Aggregation is "count" or "++" or "hist" or "lhist" or "stats";
}
