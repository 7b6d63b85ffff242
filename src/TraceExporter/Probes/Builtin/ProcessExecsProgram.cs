using TraceExporter.Configuration;
using TraceExporter.Kernel;

namespace TraceExporter.Probes.Builtin;

/// <summary>Successful execs by the new program's name (comm is already the new one when the tracepoint fires).</summary>
public static class ProcessExecsProgram
{
    private static readonly string Map = BuiltinCatalogue.MapName(BuiltinCatalogue.ProcessExecs);

    public static IReadOnlyList<ProbeBlock> Blocks(HostFacts host, BuiltinProbeConfig probe)
    {
        host.RequireTracepoint("sched", "sched_process_exec");
        var attach = host.UsesRawTracepoint("sched_process_exec") ? BuiltinPrograms.Raw("sched_process_exec") : "tracepoint:sched:sched_process_exec";
        return [new(attach, null, $"{Map}[{BuiltinPrograms.Key(host, probe, BuiltinPrograms.CommKey(host))}] = count();")];
    }
}
