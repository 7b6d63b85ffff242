using TraceExporter.Kernel;

namespace TraceExporter.Probes.Builtin;

/// <summary>Active TCP opens by the connecting task's name: any state → SYN_SENT, in the connect() caller's context.</summary>
public sealed class TcpConnectsProbe : BuiltinProbe
{
    public override string Name => "tcp_connects";

    public override string MetricName => "trace_tcp_connects_total";

    public override string Help => "TCP connections opened actively (connect), by the calling process name.";

    public override string LabelName => "comm";

    public override KeyKind KeyKind => KeyKind.Comm;

    public override IReadOnlyList<ProbeBlock> BuildBlocks(HostFacts host)
    {
        host.RequireTracepoint("sock", "inet_sock_set_state");
        return [new("tracepoint:sock:inet_sock_set_state", "args->protocol == 6 && args->newstate == 2", $"{MapName}[{CommKey(host)}] = count();")];
    }
}
