using System.Text;
using TraceExporter.Configuration;
using TraceExporter.Kernel;
using TraceExporter.Metrics;
using TraceExporter.Parsing;

namespace TraceExporter.Probes;

/// <summary>A user's bpftrace program in its own process, its maps and printf lines mapped to metrics by the configuration.</summary>
public sealed class UserProbeMember : ProbeMember
{
    private readonly UserProbeConfig _config;
    private readonly List<(byte[] Map, IMapConsumer Consumer)> _consumers = [];
    private readonly List<(LineMetricConfig Rule, UserMetricFamily Family)> _lines = [];
    private readonly List<UserMetricFamily> _families = [];
    private readonly Prometheus.Counter.Child _unmatched;

    public UserProbeMember(UserProbeConfig config, string program, UserMetricSet metrics, SelfMetrics self, DropReasonTable? dropReasons, Version bpftrace)
    {
        _config = config;
        Program = program;
        _unmatched = self.UnmatchedLines.WithLabels(config.Name);
        var escapedTwice = UserKeyDecoder.EscapesStringKeysTwice(bpftrace);
        var prints = new List<MapPrint>();
        foreach (var metric in config.Metrics)
        {
            var dropped = self.SeriesDropped.WithLabels(config.Name, metric.Name);
            var family = metrics.GetOrCreate(metric.Name, metric.Help, metric.Type, [.. metric.Labels.Select(l => l.Name)], metric.Scale, metric.SeriesLimit, () => dropped.Inc());
            _families.Add(family);
            var decoder = new UserKeyDecoder(metric.Labels, dropReasons, escapedTwice);
            _consumers.Add((Encoding.UTF8.GetBytes(metric.Map), new MapMetricConsumer(family, decoder, metric.Update, sumOnly: false)));
            prints.Add(new MapPrint(metric.Map, metric.Update == MapUpdate.Delta));
            if (metric.SumMap is { } sumMap)
            {
                _consumers.Add((Encoding.UTF8.GetBytes(sumMap), new MapMetricConsumer(family, decoder, metric.Update, sumOnly: true)));
                prints.Add(new MapPrint(sumMap, metric.Update == MapUpdate.Delta));
            }
        }

        foreach (var rule in config.Lines)
        {
            var dropped = self.SeriesDropped.WithLabels(config.Name, rule.Name);
            var family = metrics.GetOrCreate(rule.Name, rule.Help, MetricType.Counter, rule.Labels, 1, rule.SeriesLimit, () => dropped.Inc());
            _families.Add(family);
            _lines.Add((rule, family));
        }

        Prints = prints.DistinctBy(p => p.MapName).ToList();
    }

    public override string Name => _config.Name;

    public override string Source => "bpftrace";

    /// <summary>The program with this kernel's offsets filled in.</summary>
    public override string Program { get; }

    public override IReadOnlyList<MapPrint> Prints { get; }

    public IEnumerable<string> MetricNames => _families.Select(f => f.Name);

    public override IMapConsumer? ConsumerFor(ReadOnlySpan<byte> mapName)
    {
        foreach (var (map, consumer) in _consumers)
        {
            if (mapName.SequenceEqual(map))
            {
                return consumer;
            }
        }

        return null;
    }

    public override void OnPrintf(ReadOnlySpan<byte> text)
    {
        if (_lines.Count == 0)
        {
            return;
        }

        var line = LabelText.FromBytes(text).TrimEnd('\n');
        foreach (var (rule, family) in _lines)
        {
            if (rule.Pattern.Match(line) is not { } values)
            {
                continue;
            }

            lock (family.Sync)
            {
                family.Series(values, string.Join('\0', values)).Value.Add(1);
            }

            return;
        }

        _unmatched.Inc();
    }

    public override void StartGeneration()
    {
        foreach (var family in _families)
        {
            family.StartGeneration();
        }
    }

    /// <summary>One map's entries into one family; for a histogram's sum map, only the <c>_sum</c>.</summary>
    private sealed class MapMetricConsumer(UserMetricFamily family, UserKeyDecoder decoder, MapUpdate update, bool sumOnly) : IMapConsumer
    {
        public bool OnValue(ReadOnlySpan<byte> key, long value)
        {
            if (!sumOnly && family.Type is MetricType.Histogram or MetricType.Summary)
            {
                return false;
            }

            return WithSeries(key, series =>
            {
                if (sumOnly)
                {
                    Update(ref series.Sum, value);
                }
                else if (family.Type == MetricType.Gauge)
                {
                    series.Gauge = value;
                }
                else
                {
                    Update(ref series.Value, value);
                }
            });
        }

        public bool OnHistogram(ReadOnlySpan<byte> key, ReadOnlySpan<HistogramBucket> buckets)
        {
            if (sumOnly || family.Type != MetricType.Histogram)
            {
                return false;
            }

            var copy = buckets.ToArray();
            return WithSeries(key, series =>
            {
                series.Buckets ??= [];
                long total = 0;
                foreach (var bucket in copy)
                {
                    var bound = bucket.Max ?? long.MaxValue;
                    var value = series.Buckets.GetValueOrDefault(bound);
                    Update(ref value, bucket.Count);
                    series.Buckets[bound] = value;
                    total += bucket.Count;
                }

                Update(ref series.Value, total);
            });
        }

        public bool OnStats(ReadOnlySpan<byte> key, long? count, long average, long? total)
        {
            if (sumOnly || family.Type != MetricType.Summary || count is null || total is null)
            {
                return false;
            }

            return WithSeries(key, series =>
            {
                Update(ref series.Value, count.Value);
                Update(ref series.Sum, total.Value);
            });
        }

        public void OnSnapshotEnd()
        {
        }

        private void Update(ref CumulativeValue value, long reported)
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

        private bool WithSeries(ReadOnlySpan<byte> key, Action<UserSeries> apply)
        {
            if (!decoder.TryDecode(key, out var values))
            {
                return false;
            }

            lock (family.Sync)
            {
                apply(family.Series(values, string.Join('\0', values)));
            }

            return true;
        }
    }
}
