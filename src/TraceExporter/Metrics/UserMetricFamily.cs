using System.Globalization;
using System.Text;
using TraceExporter.Configuration;

namespace TraceExporter.Metrics;

/// <summary>
/// One metric family of a user probe, rendered by the daemon itself (prometheus-net cannot be told a
/// histogram's exact buckets and sum). Holds at most <see cref="SeriesLimit"/> label sets; later ones fold
/// into one overflow series whose labels all read <see cref="Overflow"/>.
/// </summary>
public sealed class UserMetricFamily
{
    public const string Overflow = "__overflow__";
    private readonly Dictionary<string, UserSeries> _series = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly Action _onDropped;
    private UserSeries? _overflow;

    public UserMetricFamily(string name, string help, MetricType type, IReadOnlyList<string> labelNames, double scale, int seriesLimit, Action onDropped)
    {
        Name = name;
        Help = help;
        Type = type;
        LabelNames = labelNames;
        Scale = scale;
        SeriesLimit = seriesLimit;
        _onDropped = onDropped;
    }

    public string Name { get; }

    public string Help { get; }

    public MetricType Type { get; }

    public IReadOnlyList<string> LabelNames { get; }

    public double Scale { get; }

    public int SeriesLimit { get; }

    /// <summary>Whether a new configuration can keep this family (and its values).</summary>
    public bool SameShape(string help, MetricType type, IReadOnlyList<string> labelNames, double scale, int seriesLimit) =>
        Help == help && Type == type && Scale.Equals(scale) && SeriesLimit == seriesLimit && LabelNames.SequenceEqual(labelNames);

    internal Lock Sync => _lock;

    /// <summary>The series for these label values (caller holds <see cref="Sync"/>). Past the limit: the overflow series.</summary>
    internal UserSeries Series(string[] labelValues, string key)
    {
        if (_series.TryGetValue(key, out var series))
        {
            return series;
        }

        if (_series.Count < SeriesLimit)
        {
            series = new UserSeries(labelValues);
            _series[key] = series;
            return series;
        }

        // Remember the folded key so it is counted once, and its cumulative value keeps its own baseline.
        _overflow ??= new UserSeries([.. LabelNames.Select(_ => Overflow)]);
        series = new UserSeries(labelValues) { Folded = true };
        _series[key] = series;
        _onDropped();
        return series;
    }

    internal void StartGeneration()
    {
        lock (_lock)
        {
            foreach (var series in _series.Values)
            {
                series.StartGeneration();
            }
        }
    }

    internal int SeriesCount
    {
        get
        {
            lock (_lock)
            {
                return _series.Values.Count(s => !s.Folded) + (_overflow is null ? 0 : 1);
            }
        }
    }

    public void Render(StringBuilder text)
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
            text.Append("# HELP ").Append(Name).Append(' ').Append(EscapeHelp(Help)).Append('\n');
            text.Append("# TYPE ").Append(Name).Append(' ').Append(type).Append('\n');

            var visible = _series.Values.Where(s => !s.Folded).ToList();
            if (_overflow is not null)
            {
                visible.Add(Merge(_overflow, _series.Values.Where(s => s.Folded)));
            }

            var bounds = Type == MetricType.Histogram
                ? visible.SelectMany(s => s.Buckets?.Keys ?? Enumerable.Empty<long>()).Where(b => b != long.MaxValue).Distinct().Order().ToList()
                : [];
            foreach (var series in visible)
            {
                RenderSeries(text, series, bounds);
            }
        }
    }

    private void RenderSeries(StringBuilder text, UserSeries series, List<long> bounds)
    {
        switch (Type)
        {
            case MetricType.Counter:
                Sample(text, Name, series.LabelValues, null, series.Value.Value * Scale);
                break;
            case MetricType.Gauge:
                Sample(text, Name, series.LabelValues, null, series.Gauge * Scale);
                break;
            case MetricType.Histogram:
                double cumulative = 0;
                foreach (var bound in bounds)
                {
                    cumulative += series.Buckets?.GetValueOrDefault(bound).Value ?? 0;
                    Sample(text, Name + "_bucket", series.LabelValues, (bound * Scale).ToString("G15", CultureInfo.InvariantCulture), cumulative);
                }

                Sample(text, Name + "_bucket", series.LabelValues, "+Inf", series.Value.Value);
                Sample(text, Name + "_sum", series.LabelValues, null, series.Sum.Value * Scale);
                Sample(text, Name + "_count", series.LabelValues, null, series.Value.Value);
                break;
            default:
                Sample(text, Name + "_sum", series.LabelValues, null, series.Sum.Value * Scale);
                Sample(text, Name + "_count", series.LabelValues, null, series.Value.Value);
                break;
        }
    }

    /// <summary>The overflow series: the folded series added up.</summary>
    private static UserSeries Merge(UserSeries overflow, IEnumerable<UserSeries> folded)
    {
        var merged = new UserSeries(overflow.LabelValues);
        foreach (var series in folded)
        {
            merged.Value.Add(series.Value.Value);
            merged.Sum.Add(series.Sum.Value);
            merged.Gauge += series.Gauge;
            if (series.Buckets is not null)
            {
                merged.Buckets ??= [];
                foreach (var (bound, value) in series.Buckets)
                {
                    var bucket = merged.Buckets.GetValueOrDefault(bound);
                    bucket.Add(value.Value);
                    merged.Buckets[bound] = bucket;
                }
            }
        }

        return merged;
    }

    private void Sample(StringBuilder text, string name, string[] labelValues, string? le, double value)
    {
        text.Append(name);
        if (labelValues.Length > 0 || le is not null)
        {
            text.Append('{');
            for (var i = 0; i < labelValues.Length; i++)
            {
                text.Append(i == 0 ? "" : ",").Append(LabelNames[i]).Append("=\"").Append(EscapeLabel(labelValues[i])).Append('"');
            }

            if (le is not null)
            {
                text.Append(labelValues.Length > 0 ? "," : "").Append("le=\"").Append(le).Append('"');
            }

            text.Append('}');
        }

        text.Append(' ').Append(Format(value)).Append('\n');
    }

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    private static string EscapeLabel(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
