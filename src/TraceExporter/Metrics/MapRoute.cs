using Prometheus;
using TraceExporter.Configuration;
using TraceExporter.Parsing;

namespace TraceExporter.Metrics;

/// <summary>
/// Where the entries of one printed map go: each key decoded into label values once (then found by its raw
/// bytes, without allocating), its value applied to the metric family as a delta or a total. For a delta map
/// both of its copies print through the same route. Entries of label sets past the family's series limit
/// go to the overflow series and are counted as dropped; nothing is kept for them.
/// </summary>
public sealed class MapRoute
{
    private readonly KeyDecoder _decoder;
    private readonly Counter.Child _dropped;
    private readonly Dictionary<byte[], MetricSeries> _byKey = new(ByteKeyComparer.Instance);
    private readonly Dictionary<byte[], MetricSeries>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private readonly Dictionary<ulong, HashSet<MetricSeries>> _byCgroup = [];
    private readonly System.Collections.Concurrent.ConcurrentQueue<ulong> _goneCgroups = new();
    private readonly int _keysKept;
    private int _epoch;

    /// <param name="probe">The probe the map belongs to, for self-metrics.</param>
    /// <param name="map">The map as configured (<c>@name</c>), for self-metrics.</param>
    /// <param name="sums">A histogram's paired sum() map: its entries are only the <c>_sum</c>.</param>
    /// <param name="dropped">Counts entries folded into the overflow series.</param>
    public MapRoute(string probe, string map, MetricFamily family, KeyDecoder decoder, MapUpdate update, bool sums, Counter.Child dropped)
    {
        Probe = probe;
        Map = map;
        Family = family;
        Update = update;
        Sums = sums;
        _decoder = decoder;
        _dropped = dropped;
        _lookup = _byKey.GetAlternateLookup<ReadOnlySpan<byte>>();
        // Raw keys of one label set (e.g. every ephemeral port) are remembered only up to a bound.
        _keysKept = Math.Max(1024, family.Shape.SeriesLimit * 2);
    }

    public string Probe { get; }

    public string Map { get; }

    public MetricFamily Family { get; }

    public MapUpdate Update { get; }

    public bool Sums { get; }

    /// <summary>Entries in the current (or last) print of the map.</summary>
    public int EntriesInPrint { get; private set; }

    /// <summary>The most entries one print held over the last minute (the map's fill, as its self-metric shows it).</summary>
    public PeakWindow Fill { get; } = new(TimeSpan.FromMinutes(1));

    public void BeginPrint()
    {
        EntriesInPrint = 0;
        Family.BeginPrint(Sums);
    }

    public void EndPrint()
    {
        Family.EndPrint(Sums, Update);
        Family.ExpireIdle();
    }

    public bool OnValue(ReadOnlySpan<byte> key, long value)
    {
        if (!Sums && Family.Type is MetricType.Histogram or MetricType.Summary)
        {
            return false;
        }

        if (!TryResolve(key, out var series))
        {
            return false;
        }

        if (Sums)
        {
            Family.AddSum(series, value, Update);
        }
        else
        {
            Family.AddValue(series, value, Update);
        }

        return true;
    }

    public bool OnHistogram(ReadOnlySpan<byte> key, ReadOnlySpan<HistogramBucket> buckets)
    {
        if (Sums || Family.Type != MetricType.Histogram || !TryResolve(key, out var series))
        {
            return false;
        }

        Family.AddHistogram(series, buckets, Update);
        return true;
    }

    public bool OnStats(ReadOnlySpan<byte> key, long? count, long? total)
    {
        if (Sums || Family.Type != MetricType.Summary || count is null || total is null || !TryResolve(key, out var series))
        {
            return false;
        }

        Family.AddStats(series, count.Value, total.Value, Update);
        return true;
    }

    /// <summary>The entry's series, or null for the overflow series; false when the key does not fit the labels.</summary>
    private bool TryResolve(ReadOnlySpan<byte> key, out MetricSeries? series)
    {
        EntriesInPrint++;
        if (_epoch != Family.RemovalEpoch)
        {
            _byKey.Clear(); // series were removed: what the raw keys point at may be gone
            _epoch = Family.RemovalEpoch;
        }

        if (_lookup.TryGetValue(key, out series))
        {
            return true;
        }

        if (!_decoder.TryDecode(key, out var values, out var cgroup))
        {
            return false;
        }

        series = Family.Resolve(values);
        if (series is null)
        {
            _dropped.Inc();
            return true;
        }

        if (cgroup is { } owner)
        {
            if (!owner.Resolved)
            {
                return true; // not remembered: the next print resolves it again, and may find the cgroup then
            }

            if (!_byCgroup.TryGetValue(owner.Id, out var ofCgroup))
            {
                _byCgroup[owner.Id] = ofCgroup = [];
            }

            ofCgroup.Add(series);
        }

        if (_byKey.Count < _keysKept)
        {
            _lookup[key] = series;
        }

        return true;
    }

    /// <summary>Cgroups gone past their grace period (from the sweeper's thread): their series go at the next <see cref="RemoveGoneCgroups"/>.</summary>
    public void QueueCgroupRemoval(IEnumerable<ulong> ids)
    {
        foreach (var id in ids)
        {
            _goneCgroups.Enqueue(id);
        }
    }

    /// <summary>Removes the series of the cgroups queued as gone, on the thread that applies the prints; returns how many.</summary>
    public int RemoveGoneCgroups()
    {
        var removed = 0;
        while (_goneCgroups.TryDequeue(out var id))
        {
            if (_byCgroup.Remove(id, out var series))
            {
                removed += Family.Remove(series);
            }
        }

        return removed;
    }
}
