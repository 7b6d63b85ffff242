using TraceExporter.Metrics;

namespace TraceExporter.Probes;

/// <summary>One built-in probe inside a probe group: its program fragment, its map and its current state.</summary>
public sealed class ProbeMember(BuiltinProbe probe, string fragment, CumulativeCounterMap counter)
{
    public BuiltinProbe Probe { get; } = probe;

    public string Name => Probe.Name;

    public string Fragment { get; } = fragment;

    public CumulativeCounterMap Counter { get; } = counter;

    public byte[] MapNameUtf8 { get; } = System.Text.Encoding.UTF8.GetBytes(probe.MapName);

    public ProbeStatus Status { get; set; } = ProbeStatus.Starting;

    public string? Reason { get; set; }
}
