namespace TraceExporter.Metrics;

/// <summary>
/// One number that bpftrace reports (a count, a sum, a bucket) turned into a value that never goes down:
/// either totals of a cumulative map (<see cref="SetTotal"/>, across bpftrace restarts: what earlier
/// processes counted stays in the base) or amounts of a delta map (<see cref="Add"/>).
/// </summary>
internal struct CumulativeValue
{
    private double _base;
    private double _last;

    public readonly double Value => _base + _last;

    /// <summary>The map's total so far in the current process.</summary>
    public void SetTotal(double total)
    {
        if (total < _last)
        {
            _base += _last; // the map restarted without us being told: keep what it had
        }

        _last = total;
    }

    /// <summary>An amount counted since the last print (a delta map).</summary>
    public void Add(double amount) => _base += amount;

    /// <summary>A new bpftrace process: its maps start from zero.</summary>
    public void StartGeneration()
    {
        _base += _last;
        _last = 0;
    }
}
