using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using TraceExporter.Configuration;
using TraceExporter.Metrics;
using TraceExporter.Parsing;

namespace TraceExporter.Benchmarks;

/// <summary>
/// Parse + apply of one map print, as the daemon does every interval: bpftrace's JSON line through
/// <see cref="BpftraceJsonParser"/> into the daemon's own <see cref="ProbeRecordSink"/>, whose route for the
/// built-in tcp_connects metric (a delta map, as the daemon prints it) decodes each key and adds its value.
/// Keys are shaped like the recorded <c>numeric_tuple_keys.jsonl</c> fixtures (a comm packed in two u64).
/// Steady state: every series exists already, so every key is found by its raw bytes and added.
/// One operation = one snapshot line; lines/s = 1 / Mean, allocation per key = Allocated / Keys.
/// </summary>
[MemoryDiagnoser]
public class MapSnapshotBenchmarks
{
    private const int Snapshots = 8;
    private readonly BpftraceJsonParser _parser = new();
    private byte[][] _lines = [];
    private ProbeRecordSink _sink = null!;
    private int _next;

    [Params(10, 1_000, 100_000)]
    public int Keys { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _sink = TcpConnectsSink(Keys);
        _lines = Enumerable.Range(1, Snapshots).Select(i => SnapshotLine("@tcp_connects_te0", Keys, i)).ToArray();

        // The first snapshot creates the series; what follows is the steady state.
        _parser.Parse(_lines[0], _sink);
        _next = 1;
    }

    [Benchmark]
    public void ParseAndApply()
    {
        _parser.Parse(_lines[_next], _sink);
        _next = (_next + 1) % Snapshots;
    }

    /// <summary>The daemon's sink for a process holding the built-in tcp_connects map, with room for <paramref name="keys"/> series.</summary>
    internal static ProbeRecordSink TcpConnectsSink(int keys, MetricFamilySet? families = null)
    {
        var self = new SelfMetrics(Prometheus.Metrics.NewCustomRegistry());
        var metric = BuiltinCatalogue.Metric(new BuiltinProbeConfig { Name = BuiltinCatalogue.TcpConnects, SeriesLimit = Math.Max(keys, 10) });
        var family = (families ?? new MetricFamilySet()).GetOrCreate(MetricShape.Of(metric));
        var route = new MapRoute("tcp_connects", metric.Map, family, new KeyDecoder(metric.Labels, null, false), metric.Update, false, self.SeriesDropped.WithLabels("tcp_connects", metric.Name));
        var routes = new ProbeRoutes { Group = "builtin", Maps = new Dictionary<string, MapRoute> { ["@tcp_connects_te0"] = route, ["@tcp_connects_te1"] = route } };
        return new ProbeRecordSink(routes, self, TimeProvider.System, NullLogger.Instance);
    }

    /// <summary>
    /// <c>{"type": "map", "data": {"@tcp_connects_te0": {"7955997335096354164,0": 3, …}}}</c>: distinct
    /// printable comms packed little-endian like task_struct.comm, values growing with <paramref name="generation"/>.
    /// </summary>
    internal static byte[] SnapshotLine(string mapName, int keys, int generation)
    {
        var line = new StringBuilder(64 + keys * 48);
        line.Append("{\"type\": \"map\", \"data\": {\"").Append(mapName).Append("\": {");
        for (var i = 0; i < keys; i++)
        {
            if (i > 0)
            {
                line.Append(", ");
            }

            var (first, second) = PackedComm(i);
            line.Append('"').Append(first.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(second.ToString(CultureInfo.InvariantCulture)).Append("\": ")
                .Append(((long)generation * 1000 + i).ToString(CultureInfo.InvariantCulture));
        }

        line.Append("}}}");
        return Encoding.UTF8.GetBytes(line.ToString());
    }

    /// <summary>"worker-NNNNNN" as task_struct.comm holds it: 16 bytes, NUL-padded, read as two little-endian u64.</summary>
    internal static (ulong First, ulong Second) PackedComm(int index)
    {
        Span<byte> comm = stackalloc byte[16];
        comm.Clear();
        Encoding.ASCII.GetBytes($"worker-{index:D6}", comm);
        return (BitConverter.ToUInt64(comm[..8]), BitConverter.ToUInt64(comm[8..]));
    }
}
