using TraceExporter.Metrics;
using TraceExporter.Parsing;

namespace TraceExporter.Probes;

/// <summary>Routes the records of a probe group's bpftrace process to its members' counters and to self-metrics.</summary>
public sealed class ProbeGroupSink(string groupName, IReadOnlyList<ProbeMember> members, SelfMetrics self) : IRecordSink
{
    private static readonly byte[] Ready = System.Text.Encoding.ASCII.GetBytes(ProgramAssembler.ReadyMarker);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Prometheus.Counter.Child _parseErrors = self.ParseErrors.WithLabels(groupName);
    private readonly Prometheus.Counter.Child _lost = self.LostEvents.WithLabels(groupName);
    private readonly Prometheus.Counter.Child _runtimeErrors = self.RuntimeErrors.WithLabels(groupName);
    private ProbeMember? _current;

    /// <summary>Completes when bpftrace has run BEGIN, i.e. every probe of the program is attached.</summary>
    public Task ReadyTask => _ready.Task;

    public long ParseErrors { get; private set; }

    public void OnAttachedProbes(long count)
    {
    }

    public void OnPrintf(ReadOnlySpan<byte> text)
    {
        if (text.TrimEnd((byte)'\n').SequenceEqual(Ready))
        {
            _ready.TrySetResult();
        }
    }

    public void OnLostEvents(long count) => _lost.Inc(count);

    public void OnMapStart(ReadOnlySpan<byte> mapName)
    {
        _current = null;
        foreach (var member in members)
        {
            if (mapName.SequenceEqual(member.MapNameUtf8))
            {
                _current = member;
                return;
            }
        }
    }

    public void OnValue(ReadOnlySpan<byte> key, long value)
    {
        if (_current is null)
        {
            return; // a map of a member that is not in this run's program
        }

        if (NumericKey.TryParse(key, out var numericKey))
        {
            _current.Counter.Apply(numericKey, value);
        }
        else
        {
            CountParseError();
        }
    }

    public void OnHistogram(ReadOnlySpan<byte> key, ReadOnlySpan<HistogramBucket> buckets) => CountParseError();

    public void OnStats(ReadOnlySpan<byte> key, long? count, long average, long? total) => CountParseError();

    public void OnMapEnd() => _current = null;

    public void OnRuntimeError(ReadOnlySpan<byte> type, ReadOnlySpan<byte> message) => _runtimeErrors.Inc();

    public void OnMalformed(ParseError kind) => CountParseError();

    private void CountParseError()
    {
        ParseErrors++;
        _parseErrors.Inc();
    }
}
