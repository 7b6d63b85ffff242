namespace TraceExporter.Metrics;

/// <summary>
/// The largest value recorded in the last <see cref="Window"/>: a map's fill as a scrape every 15 s or an alert
/// should see it, not only the one interval that happened to be printed last.
/// </summary>
public sealed class PeakWindow(TimeSpan window)
{
    private readonly Queue<(DateTimeOffset At, long Value)> _values = new();

    public TimeSpan Window { get; } = window;

    /// <summary>Records a value and returns the peak of the window ending now.</summary>
    public long Record(long value, DateTimeOffset now)
    {
        _values.Enqueue((now, value));
        while (_values.Count > 0 && _values.Peek().At < now - Window)
        {
            _values.Dequeue();
        }

        var peak = 0L;
        foreach (var (_, recorded) in _values)
        {
            peak = Math.Max(peak, recorded);
        }

        return peak;
    }
}
