using TraceExporter.Probes.Builtin;

namespace TraceExporter.Probes;

/// <summary>Every built-in probe, by the name used in the configuration and in <c>trace_exporter_probe_up{probe}</c>.</summary>
public static class BuiltinProbeCatalogue
{
    public static IReadOnlyList<BuiltinProbe> All { get; } =
    [
        new TcpConnectsProbe(),
        new TcpAcceptsProbe(),
        new SkbDropsProbe(),
        new TcpReadBytesProbe(),
        new TcpRetransmitsProbe(),
        new ProcessExecsProbe(),
    ];

    public static IReadOnlySet<string> Names { get; } = All.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

    public static BuiltinProbe Get(string name) => All.Single(p => p.Name == name);
}
