using TraceExporter.Kernel;

namespace TraceExporter.Probes.Builtin;

/// <summary>Successful execs by the new program's name (comm is already the new one when the tracepoint fires).</summary>
public sealed class ProcessExecsProbe : BuiltinProbe
{
    public override string Name => "process_execs";

    public override string MetricName => "trace_process_execs_total";

    public override string Help => "Programs executed (successful exec), by the new process name.";

    public override string LabelName => "comm";

    public override KeyKind KeyKind => KeyKind.Comm;

    public override IReadOnlyList<ProbeBlock> BuildBlocks(HostFacts host)
    {
        host.RequireTracepoint("sched", "sched_process_exec");
        return [new("tracepoint:sched:sched_process_exec", null, $"{MapName}[{CommKey(host)}] = count();")];
    }
}
