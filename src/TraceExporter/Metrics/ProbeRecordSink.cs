using System.Text;
using Microsoft.Extensions.Logging;
using TraceExporter.Configuration;
using TraceExporter.Parsing;

namespace TraceExporter.Metrics;

/// <summary>
/// The records of one bpftrace process, applied to metrics: each map's entries through its
/// <see cref="MapRoute"/>, printf lines to the line-mode rules, failed updates of full maps to the metric's
/// overflow series, and what went wrong to the self-metrics. The daemon's control lines say when every
/// probe is attached (<see cref="Ready"/>) and when a drain of the delta maps is complete.
/// </summary>
public sealed partial class ProbeRecordSink : IRecordSink
{
    private static readonly TimeSpan ParseErrorLogInterval = TimeSpan.FromSeconds(10);
    private static readonly byte[] MapUpdateHelper = Encoding.ASCII.GetBytes("map_update_elem");
    private readonly ProbeRoutes _routes;
    private readonly SelfMetrics _self;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, MapRoute>.AlternateLookup<ReadOnlySpan<char>> _maps;
    private readonly HashSet<MapRoute> _printedSinceDrain = [];
    private readonly Prometheus.Counter.Child _parseErrors;
    private readonly Prometheus.Counter.Child _lost;
    private readonly Prometheus.Counter.Child _runtimeErrors;
    private readonly Prometheus.Counter.Child _drainsLate;
    private readonly Prometheus.Counter.Child? _unmatched;
    private MapRoute? _current;
    private DateTimeOffset _lastParseErrorLog = DateTimeOffset.MinValue;
    private long _parseErrorsLogged;

    /// <summary>A new process of the group starts: its cumulative maps count from zero.</summary>
    public ProbeRecordSink(ProbeRoutes routes, SelfMetrics self, TimeProvider time, ILogger logger)
    {
        _routes = routes;
        _self = self;
        _time = time;
        _logger = logger;
        var maps = new Dictionary<string, MapRoute>(routes.Maps, StringComparer.Ordinal);
        _maps = maps.GetAlternateLookup<ReadOnlySpan<char>>();
        _parseErrors = self.ParseErrors.WithLabels(routes.Group);
        _lost = self.LostEvents.WithLabels(routes.Group);
        _runtimeErrors = self.RuntimeErrors.WithLabels(routes.Group);
        _drainsLate = self.DrainsLate.WithLabels(routes.Group);
        _unmatched = routes.LineProbe is { } probe ? self.UnmatchedLines.WithLabels(probe) : null;
        foreach (var (probe_, map, keys) in routes.Capacities)
        {
            self.MapMaxEntries.WithLabels(probe_, map).Set(keys);
        }

        foreach (var family in routes.Maps.Values.Where(r => r.Update == MapUpdate.Cumulative).Select(r => r.Family).Distinct())
        {
            family.StartGeneration();
        }
    }

    /// <summary>Completes when bpftrace has run BEGIN, i.e. every probe of the program is attached.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Parse errors of this process.</summary>
    public long ParseErrors { get; private set; }

    public void OnAttachedProbes(long count)
    {
    }

    public void OnPrintf(ReadOnlySpan<byte> text)
    {
        if (!_ready.Task.IsCompleted && ControlLine.IsReady(text))
        {
            _ready.TrySetResult();
            return;
        }

        if (ControlLine.TryParseDrained(text, out var nanoseconds))
        {
            OnDrained(nanoseconds);
            return;
        }

        if (_routes.Lines.Count == 0)
        {
            return;
        }

        var line = LabelText.FromBytes(text).TrimEnd('\n');
        foreach (var rule in _routes.Lines)
        {
            if (rule.TryCount(line))
            {
                return;
            }
        }

        _unmatched?.Inc();
    }

    public void OnLostEvents(long count) => _lost.Inc(count);

    public void OnMapStart(ReadOnlySpan<byte> mapName)
    {
        _current = null;
        Span<char> name = stackalloc char[128];
        if (mapName.Length > name.Length)
        {
            return;
        }

        var length = Encoding.UTF8.GetChars(mapName, name);
        if (_maps.TryGetValue(name[..length], out var route))
        {
            _current = route;
            route.BeginPrint();
        }
    }

    public void OnValue(ReadOnlySpan<byte> key, long value) => Count(_current?.OnValue(key, value));

    public void OnHistogram(ReadOnlySpan<byte> key, ReadOnlySpan<HistogramBucket> buckets) => Count(_current?.OnHistogram(key, buckets));

    public void OnStats(ReadOnlySpan<byte> key, long? count, long average, long? total) => Count(_current?.OnStats(key, count, total));

    public void OnMapEnd()
    {
        if (_current is { } route)
        {
            route.EndPrint();
            if (route.Update == MapUpdate.Delta)
            {
                _printedSinceDrain.Add(route);
            }
            else
            {
                _self.MapEntries.WithLabels(route.Probe, route.Map).Set(route.Fill.Record(route.EntriesInPrint, _time.GetUtcNow()));
            }
        }

        _current = null;
    }

    public void OnRuntimeError(ReadOnlySpan<byte> type, ReadOnlySpan<byte> helper, int line, ReadOnlySpan<byte> message)
    {
        if (helper.SequenceEqual(MapUpdateHelper) && _routes.Writes.TryGetValue(line, out var site))
        {
            _self.MapUpdatesFailed.WithLabels(site.Route.Probe, site.Route.Map).Inc();
            if (site.CountsEvents)
            {
                site.Route.Family.AddLostUpdates(1);
            }

            return;
        }

        _runtimeErrors.Inc();
    }

    public void OnMalformed(ParseError kind) => CountParseError();

    /// <summary>
    /// The interval probe has printed and cleared the copies no longer written; writes move back to them half
    /// an interval after it ran. A drain seen later than that may have cleared events written meanwhile.
    /// </summary>
    private void OnDrained(ulong nanoseconds)
    {
        foreach (var route in _routes.Maps.Values.Where(r => r.Update == MapUpdate.Delta).Distinct())
        {
            route.RemoveGoneCgroups();
            var entries = _printedSinceDrain.Contains(route) ? route.EntriesInPrint : 0;
            _self.MapEntries.WithLabels(route.Probe, route.Map).Set(route.Fill.Record(entries, _time.GetUtcNow()));
        }

        _printedSinceDrain.Clear();
        var now = _time.GetTimestamp();
        var age = TimeSpan.FromSeconds((now / (double)_time.TimestampFrequency) - (nanoseconds / 1e9));
        if (age > _routes.DrainDeadline)
        {
            _drainsLate.Inc();
            LogLateDrain(_routes.Group, age.TotalMilliseconds, _routes.DrainDeadline.TotalMilliseconds);
        }
    }

    /// <summary>An entry a route refused is a parse error; an entry of a map nobody exports is ignored.</summary>
    private void Count(bool? accepted)
    {
        if (accepted == false)
        {
            CountParseError();
        }
    }

    private void CountParseError()
    {
        ParseErrors++;
        _parseErrors.Inc();

        // Logged at most once per interval, with how many there were since: a flood of bad lines must not flood the log.
        var now = _time.GetUtcNow();
        if (now - _lastParseErrorLog >= ParseErrorLogInterval)
        {
            LogParseErrors(_routes.Group, ParseErrors - _parseErrorsLogged);
            _parseErrorsLogged = ParseErrors;
            _lastParseErrorLog = now;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Group}: skipped {Count} bpftrace output line(s) or entries that could not be parsed (see trace_exporter_parse_errors_total)")]
    private partial void LogParseErrors(string group, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Group}: bpftrace finished a drain of the delta maps {Milliseconds:F0} ms after it began, later than the {Deadline:F0} ms before writes return to the drained copies; events may be missing (trace_exporter_map_drains_late_total)")]
    private partial void LogLateDrain(string group, double milliseconds, double deadline);
}
