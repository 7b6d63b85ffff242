using Prometheus;

namespace TraceExporter.Metrics;

/// <summary>
/// Turns successive snapshots of one cumulative bpftrace map into increments of a Prometheus counter.
/// bpftrace's maps start from zero in every new process; <see cref="StartGeneration"/> says so, and the
/// counter continues from where it was instead of going down or counting twice.
/// </summary>
public sealed class CumulativeCounterMap
{
    private readonly Counter _counter;
    private readonly Func<NumericKey, string> _label;
    private readonly Dictionary<NumericKey, Series> _series = [];

    public CumulativeCounterMap(Counter counter, Func<NumericKey, string> label)
    {
        _counter = counter;
        _label = label;
    }

    public int SeriesCount => _series.Count;

    /// <summary>A new bpftrace process: its map values count from zero again.</summary>
    public void StartGeneration()
    {
        foreach (var series in _series.Values)
        {
            series.LastSeen = 0;
        }
    }

    /// <summary>Applies one entry of a snapshot: the map's cumulative value for <paramref name="key"/>.</summary>
    public void Apply(NumericKey key, long value)
    {
        if (!_series.TryGetValue(key, out var series))
        {
            series = new Series(_counter.WithLabels(_label(key)));
            _series[key] = series;
        }

        var delta = value - series.LastSeen;
        if (delta < 0)
        {
            // Only a map that restarted without us being told can shrink: count what it has now.
            delta = value;
        }

        if (delta > 0)
        {
            series.Child.Inc(delta);
        }

        series.LastSeen = value;
    }

    private sealed class Series(Counter.Child child)
    {
        public Counter.Child Child { get; } = child;

        public long LastSeen { get; set; }
    }
}
