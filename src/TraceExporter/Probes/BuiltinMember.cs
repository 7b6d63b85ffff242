using TraceExporter.Metrics;
using TraceExporter.Parsing;

namespace TraceExporter.Probes;

/// <summary>A built-in probe in the shared process: one cumulative map of numeric keys → one counter.</summary>
public sealed class BuiltinMember : ProbeMember, IMapConsumer
{
    private readonly BuiltinProbe _probe;
    private readonly CumulativeCounterMap _counter;
    private readonly byte[] _mapName;

    public BuiltinMember(BuiltinProbe probe, IReadOnlyList<ProbeBlock> blocks, CumulativeCounterMap counter)
    {
        _probe = probe;
        _counter = counter;
        Blocks = blocks;
        Program = ProbeBlock.Render(blocks);
        _mapName = System.Text.Encoding.UTF8.GetBytes(probe.MapName);
        Prints = [new MapPrint(probe.MapName, Clear: false)];
    }

    public override string Name => _probe.Name;

    public override string Source => "builtin";

    public override string Program { get; }

    public override IReadOnlyList<ProbeBlock> Blocks { get; }

    public override IReadOnlyList<MapPrint> Prints { get; }

    public override IMapConsumer? ConsumerFor(ReadOnlySpan<byte> mapName) => mapName.SequenceEqual(_mapName) ? this : null;

    public override void StartGeneration() => _counter.StartGeneration();

    public bool OnValue(ReadOnlySpan<byte> key, long value)
    {
        if (!NumericKey.TryParse(key, out var numericKey))
        {
            return false;
        }

        _counter.Apply(numericKey, value);
        return true;
    }

    public bool OnHistogram(ReadOnlySpan<byte> key, ReadOnlySpan<HistogramBucket> buckets) => false;

    public bool OnStats(ReadOnlySpan<byte> key, long? count, long average, long? total) => false;

    public void OnSnapshotEnd()
    {
    }
}
