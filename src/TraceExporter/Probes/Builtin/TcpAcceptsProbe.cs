using TraceExporter.Kernel;

namespace TraceExporter.Probes.Builtin;

/// <summary>Passive TCP opens by local port: SYN_RECV → ESTABLISHED (runs in softirq, so no process name).</summary>
public sealed class TcpAcceptsProbe : BuiltinProbe
{
    public override string Name => "tcp_accepts";

    public override string MetricName => "trace_tcp_accepts_total";

    public override string Help => "TCP connections opened passively (accepted handshakes), by local port.";

    public override string LabelName => "port";

    public override KeyKind KeyKind => KeyKind.Number;

    public override IReadOnlyList<ProbeBlock> BuildBlocks(HostFacts host)
    {
        host.RequireTracepoint("sock", "inet_sock_set_state");
        return [new("tracepoint:sock:inet_sock_set_state", "args->protocol == 6 && args->oldstate == 3 && args->newstate == 1", $"{MapName}[(uint64)args->sport] = count();")];
    }
}
