using TraceExporter.Configuration;
using TraceExporter.Kernel;

namespace TraceExporter.Probes.Builtin;

/// <summary>Passive TCP opens by local port: SYN_RECV → ESTABLISHED (runs in softirq, so no process name).</summary>
public static class TcpAcceptsProgram
{
    private static readonly string Map = BuiltinCatalogue.MapName(BuiltinCatalogue.TcpAccepts);

    public static IReadOnlyList<ProbeBlock> Blocks(HostFacts host, BuiltinProbeConfig probe)
    {
        host.RequireTracepoint("sock", "inet_sock_set_state");
        return [new("tracepoint:sock:inet_sock_set_state", "args->protocol == 6 && args->oldstate == 3 && args->newstate == 1", $"{Map}[{BuiltinPrograms.Key(host, probe, "(uint64)args->sport", socket: "args->skaddr")}] = count();")];
    }
}
