using Microsoft.Extensions.Logging;
using TraceExporter.Metrics;
using TraceExporter.Parsing;

namespace TraceExporter.Probes;

/// <summary>Routes the records of one bpftrace process to its members and to the self-metrics.</summary>
public sealed partial class ProbeGroupSink(string groupName, IReadOnlyList<ProbeMember> members, SelfMetrics self, TimeProvider time, ILogger logger) : IRecordSink
{
    private static readonly TimeSpan ParseErrorLogInterval = TimeSpan.FromSeconds(10);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Prometheus.Counter.Child _parseErrors = self.ParseErrors.WithLabels(groupName);
    private readonly Prometheus.Counter.Child _lost = self.LostEvents.WithLabels(groupName);
    private readonly Prometheus.Counter.Child _runtimeErrors = self.RuntimeErrors.WithLabels(groupName);
    private IMapConsumer? _current;
    private DateTimeOffset _lastParseErrorLog = DateTimeOffset.MinValue;
    private long _parseErrorsLogged;

    /// <summary>Completes when bpftrace has run BEGIN, i.e. every probe of the program is attached.</summary>
    public Task ReadyTask => _ready.Task;

    /// <summary>Parse errors of this process, for rate-limited logging.</summary>
    public long ParseErrors { get; private set; }

    public void OnAttachedProbes(long count)
    {
    }

    public void OnPrintf(ReadOnlySpan<byte> text)
    {
        if (!_ready.Task.IsCompleted && ProgramAssembler.IsReadyMarker(text))
        {
            _ready.TrySetResult();
            return;
        }

        foreach (var member in members)
        {
            member.OnPrintf(text);
        }
    }

    public void OnLostEvents(long count) => _lost.Inc(count);

    public void OnMapStart(ReadOnlySpan<byte> mapName)
    {
        _current = null;
        foreach (var member in members)
        {
            if (member.ConsumerFor(mapName) is { } consumer)
            {
                _current = consumer;
                return;
            }
        }
    }

    public void OnValue(ReadOnlySpan<byte> key, long value) => Count(_current?.OnValue(key, value));

    public void OnHistogram(ReadOnlySpan<byte> key, ReadOnlySpan<HistogramBucket> buckets) => Count(_current?.OnHistogram(key, buckets));

    public void OnStats(ReadOnlySpan<byte> key, long? count, long average, long? total) => Count(_current?.OnStats(key, count, average, total));

    public void OnMapEnd()
    {
        _current?.OnSnapshotEnd();
        _current = null;
    }

    public void OnRuntimeError(ReadOnlySpan<byte> type, ReadOnlySpan<byte> message) => _runtimeErrors.Inc();

    public void OnMalformed(ParseError kind) => CountParseError();

    /// <summary>An entry a consumer refused is a parse error; an entry of a map nobody exports is ignored.</summary>
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
        var now = time.GetUtcNow();
        if (now - _lastParseErrorLog >= ParseErrorLogInterval)
        {
            LogParseErrors(groupName, ParseErrors - _parseErrorsLogged);
            _parseErrorsLogged = ParseErrors;
            _lastParseErrorLog = now;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Group}: skipped {Count} bpftrace output line(s) or entries that could not be parsed (see trace_exporter_parse_errors_total)")]
    private partial void LogParseErrors(string group, long count);
}
