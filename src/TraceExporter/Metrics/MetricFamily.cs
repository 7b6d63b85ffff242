using System.Globalization;
using System.Text;
using TraceExporter.Configuration;
using TraceExporter.Parsing;

namespace TraceExporter.Metrics;

/// <summary>
/// One metric family, built-in or a user's, and the arithmetic that turns map prints into its values: a delta
/// map's print is added, a cumulative map's print is the total so far (continued across bpftrace restarts).
/// Holds at most <see cref="MetricShape.SeriesLimit"/> series; entries of other label sets go to one
/// <see cref="Overflow"/> series in constant memory (nothing is kept per folded label set), so the family's
/// series add up to everything the kernel counted. Written by one probe process's reader at a time, rendered
/// by the web; every method takes the family's own lock.
/// </summary>
public sealed class MetricFamily
{
    public const string Overflow = "__overflow__";
    private readonly Dictionary<string, MetricSeries> _series = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly string[] _overflowLabels;
    private MetricSeries? _overflow;
    private long _lastExpiryCheck;

    // A cumulative map's folded entries are added up afresh on every print: their total is the overflow's.
    private double _foldedValues, _foldedSums, _foldedGauges;
    private SortedDictionary<long, double>? _foldedBuckets;
    private bool _foldedValuesSeen, _foldedSumsSeen;

    public MetricFamily(MetricShape shape, TimeProvider time)
    {
        Shape = shape;
        _time = time;
        _overflowLabels = [.. shape.LabelNames.Select(_ => Overflow)];
    }

    public MetricShape Shape { get; private set; }

    public string Name => Shape.Name;

    public MetricType Type => Shape.Type;

    /// <summary>Grows whenever series are removed (<c>series_ttl</c>): whoever holds on to series must look them up again.</summary>
    internal int RemovalEpoch { get; private set; }

    /// <summary>Series shown on the page, the overflow series included.</summary>
    public int SeriesCount
    {
        get
        {
            lock (_lock)
            {
                return _series.Count + (_overflow is null ? 0 : 1);
            }
        }
    }

    /// <summary>A reload changed help, series limit or TTL: series already shown stay (a lower limit only stops new ones).</summary>
    internal void Reshape(MetricShape shape)
    {
        lock (_lock)
        {
            Shape = shape;
        }
    }

    /// <summary>The series of these label values; null when the family is full and they go to the overflow series.</summary>
    internal MetricSeries? Resolve(string[] labelValues)
    {
        var key = labelValues.Length == 1 ? labelValues[0] : string.Join('\0', labelValues);
        lock (_lock)
        {
            if (_series.TryGetValue(key, out var series))
            {
                return series;
            }

            if (_series.Count >= Shape.SeriesLimit)
            {
                return null;
            }

            series = new MetricSeries(labelValues, key) { LastChangedTicks = Now() };
            _series[key] = series;
            return series;
        }
    }

    /// <summary>A print of a cumulative map starts: its folded entries are added up again.</summary>
    internal void BeginPrint(bool sums)
    {
        lock (_lock)
        {
            if (sums)
            {
                _foldedSums = 0;
                _foldedSumsSeen = false;
            }
            else
            {
                _foldedValues = 0;
                _foldedGauges = 0;
                _foldedBuckets?.Clear();
                _foldedValuesSeen = false;
            }
        }
    }

    /// <summary>The print is complete: a cumulative map's folded entries set the overflow series' totals.</summary>
    internal void EndPrint(bool sums, MapUpdate update)
    {
        lock (_lock)
        {
            if (sums ? !_foldedSumsSeen : !_foldedValuesSeen)
            {
                return;
            }

            var overflow = OverflowSeries();
            if (sums)
            {
                if (update == MapUpdate.Cumulative)
                {
                    overflow.Sum.SetTotal(_foldedSums);
                }

                return;
            }

            if (Type == MetricType.Gauge)
            {
                overflow.Gauge = _foldedGauges;
            }
            else if (update == MapUpdate.Cumulative)
            {
                overflow.Value.SetTotal(_foldedValues);
                foreach (var (bound, total) in _foldedBuckets ?? [])
                {
                    var bucket = overflow.Bucket(bound);
                    bucket.SetTotal(total);
                    overflow.SetBucket(bound, bucket);
                }
            }

            overflow.LastChangedTicks = Now();
        }
    }

    /// <summary>An integer entry (count, sum, min, max, value) for a series, or for the overflow series when null.</summary>
    internal void AddValue(MetricSeries? series, long value, MapUpdate update)
    {
        lock (_lock)
        {
            if (series is null)
            {
                _foldedValuesSeen = true;
                _foldedGauges += value;
                if (update == MapUpdate.Delta && Type != MetricType.Gauge)
                {
                    OverflowSeries().Value.Add(value);
                }
                else
                {
                    _foldedValues += value;
                }

                return;
            }

            var before = series.Value.Value;
            if (Type == MetricType.Gauge)
            {
                Touch(series, series.Gauge != value);
                series.Gauge = value;
                return;
            }

            Update(ref series.Value, value, update);
            Touch(series, series.Value.Value != before);
        }
    }

    /// <summary>A histogram's paired sum() entry: only its <c>_sum</c>.</summary>
    internal void AddSum(MetricSeries? series, long value, MapUpdate update)
    {
        lock (_lock)
        {
            if (series is null)
            {
                _foldedSumsSeen = true;
                if (update == MapUpdate.Delta)
                {
                    OverflowSeries().Sum.Add(value);
                }
                else
                {
                    _foldedSums += value;
                }

                return;
            }

            var before = series.Sum.Value;
            Update(ref series.Sum, value, update);
            Touch(series, series.Sum.Value != before);
        }
    }

    internal void AddHistogram(MetricSeries? series, ReadOnlySpan<HistogramBucket> buckets, MapUpdate update)
    {
        lock (_lock)
        {
            long total = 0;
            if (series is null && update == MapUpdate.Cumulative)
            {
                _foldedValuesSeen = true;
                _foldedBuckets ??= [];
                foreach (var bucket in buckets)
                {
                    var bound = bucket.Max ?? long.MaxValue;
                    _foldedBuckets[bound] = _foldedBuckets.GetValueOrDefault(bound) + bucket.Count;
                    total += bucket.Count;
                }

                _foldedValues += total;
                return;
            }

            var target = series ?? OverflowSeries();
            var before = target.Value.Value;
            foreach (var bucket in buckets)
            {
                var bound = bucket.Max ?? long.MaxValue;
                var value = target.Bucket(bound);
                Update(ref value, bucket.Count, update);
                target.SetBucket(bound, value);
                total += bucket.Count;
            }

            Update(ref target.Value, total, update);
            Touch(target, target.Value.Value != before);
        }
    }

    internal void AddStats(MetricSeries? series, long count, long total, MapUpdate update)
    {
        lock (_lock)
        {
            if (series is null && update == MapUpdate.Cumulative)
            {
                _foldedValuesSeen = _foldedSumsSeen = true;
                _foldedValues += count;
                _foldedSums += total;
                return;
            }

            var target = series ?? OverflowSeries();
            var before = target.Value.Value;
            Update(ref target.Value, count, update);
            Update(ref target.Sum, total, update);
            Touch(target, target.Value.Value != before);
        }
    }

    /// <summary>
    /// Events the kernel could not put in the map (it was full): counted in the overflow series, so the
    /// family's series still add up to every event. For counts, histograms and summaries each is one more
    /// in the count; a sum's lost amounts are unknown and only counted by the caller.
    /// </summary>
    internal void AddLostUpdates(long events)
    {
        lock (_lock)
        {
            var overflow = OverflowSeries();
            overflow.Value.Add(events);
            overflow.LastChangedTicks = Now();
        }
    }

    /// <summary>A new bpftrace process: its cumulative maps count from zero again.</summary>
    internal void StartGeneration()
    {
        lock (_lock)
        {
            foreach (var series in _series.Values)
            {
                series.StartGeneration();
            }

            _overflow?.StartGeneration();
        }
    }

    /// <summary>Removes these series (a cgroup that is gone); returns how many were still shown.</summary>
    internal int Remove(IEnumerable<MetricSeries> series)
    {
        lock (_lock)
        {
            var removed = 0;
            foreach (var one in series)
            {
                if (_series.TryGetValue(one.Key, out var shown) && ReferenceEquals(shown, one))
                {
                    _series.Remove(one.Key);
                    removed++;
                }
            }

            if (removed > 0)
            {
                RemovalEpoch++;
            }

            return removed;
        }
    }

    /// <summary>Removes series unchanged for longer than <see cref="MetricShape.SeriesTtl"/> (checked at most once a second).</summary>
    internal void ExpireIdle()
    {
        if (Shape.SeriesTtl is not { } ttl)
        {
            return;
        }

        lock (_lock)
        {
            var now = Now();
            if (now - _lastExpiryCheck < TimeSpan.TicksPerSecond)
            {
                return;
            }

            _lastExpiryCheck = now;
            var oldest = now - ttl.Ticks;
            List<string>? idle = null;
            foreach (var (key, series) in _series)
            {
                if (series.LastChangedTicks < oldest)
                {
                    (idle ??= []).Add(key);
                }
            }

            if (idle is not null)
            {
                foreach (var key in idle)
                {
                    _series.Remove(key);
                }

                RemovalEpoch++;
            }

            if (_overflow is not null && _overflow.LastChangedTicks < oldest)
            {
                _overflow = null;
                RemovalEpoch++;
            }
        }
    }

    public void Render(StringBuilder text)
    {
        using var writer = new StringWriter(text, System.Globalization.CultureInfo.InvariantCulture);
        Render(writer);
    }

    /// <summary>The family in the Prometheus text format, written as it is read (no page-sized string in between).</summary>
    public void Render(TextWriter text)
    {
        lock (_lock)
        {
            var type = Type switch
            {
                MetricType.Counter => "counter",
                MetricType.Gauge => "gauge",
                MetricType.Histogram => "histogram",
                _ => "summary",
            };
            text.Write("# HELP ");
            text.Write(Name);
            text.Write(' ');
            text.Write(EscapeHelp(Shape.Help));
            text.Write("\n# TYPE ");
            text.Write(Name);
            text.Write(' ');
            text.Write(type);
            text.Write('\n');

            var bounds = Type == MetricType.Histogram ? Bounds() : [];
            foreach (var series in _series.Values)
            {
                RenderSeries(text, series, bounds);
            }

            if (_overflow is not null)
            {
                RenderSeries(text, _overflow, bounds);
            }
        }
    }

    private static void Update(ref CumulativeValue value, long reported, MapUpdate update)
    {
        if (update == MapUpdate.Delta)
        {
            value.Add(reported);
        }
        else
        {
            value.SetTotal(reported);
        }
    }

    private void Touch(MetricSeries series, bool changed)
    {
        if (changed && Shape.SeriesTtl is not null)
        {
            series.LastChangedTicks = Now();
        }
    }

    private long Now() => _time.GetUtcNow().UtcTicks;

    private MetricSeries OverflowSeries() => _overflow ??= new MetricSeries(_overflowLabels, Overflow) { LastChangedTicks = Now() };

    /// <summary>Every finite bucket bound any series has: each series is rendered with all of them, so its buckets line up.</summary>
    private List<long> Bounds()
    {
        var bounds = new SortedSet<long>();
        foreach (var series in _series.Values.Append(_overflow))
        {
            foreach (var bound in series?.Buckets?.Keys ?? Enumerable.Empty<long>())
            {
                if (bound != long.MaxValue)
                {
                    bounds.Add(bound);
                }
            }
        }

        return [.. bounds];
    }

    private void RenderSeries(TextWriter text, MetricSeries series, List<long> bounds)
    {
        var scale = Shape.Scale;
        switch (Type)
        {
            case MetricType.Counter:
                Sample(text, Name, series.LabelValues, null, series.Value.Value * scale);
                break;
            case MetricType.Gauge:
                Sample(text, Name, series.LabelValues, null, series.Gauge * scale);
                break;
            case MetricType.Histogram:
                double cumulative = 0;
                foreach (var bound in bounds)
                {
                    cumulative += series.Bucket(bound).Value;
                    Sample(text, Name + "_bucket", series.LabelValues, (bound * scale).ToString("G15", CultureInfo.InvariantCulture), cumulative);
                }

                Sample(text, Name + "_bucket", series.LabelValues, "+Inf", series.Value.Value);
                Sample(text, Name + "_sum", series.LabelValues, null, series.Sum.Value * scale);
                Sample(text, Name + "_count", series.LabelValues, null, series.Value.Value);
                break;
            default:
                Sample(text, Name + "_sum", series.LabelValues, null, series.Sum.Value * scale);
                Sample(text, Name + "_count", series.LabelValues, null, series.Value.Value);
                break;
        }
    }

    private void Sample(TextWriter text, string name, string[] labelValues, string? le, double value)
    {
        text.Write(name);
        if (labelValues.Length > 0 || le is not null)
        {
            text.Write('{');
            for (var i = 0; i < labelValues.Length; i++)
            {
                if (i > 0)
                {
                    text.Write(',');
                }

                text.Write(Shape.LabelNames[i]);
                text.Write("=\"");
                AppendEscapedLabel(text, labelValues[i]);
                text.Write('"');
            }

            if (le is not null)
            {
                text.Write(labelValues.Length > 0 ? ",le=\"" : "le=\"");
                text.Write(le);
                text.Write('"');
            }

            text.Write('}');
        }

        text.Write(' ');
        text.Write(Format(value));
        text.Write('\n');
    }

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    private static void AppendEscapedLabel(TextWriter text, string value)
    {
        if (value.AsSpan().IndexOfAny('\\', '"', '\n') < 0)
        {
            text.Write(value);
            return;
        }

        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    text.Write("\\\\");
                    break;
                case '"':
                    text.Write("\\\"");
                    break;
                case '\n':
                    text.Write("\\n");
                    break;
                default:
                    text.Write(c);
                    break;
            }
        }
    }

    private static string EscapeHelp(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
