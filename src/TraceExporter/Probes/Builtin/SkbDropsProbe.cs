using TraceExporter.Kernel;

namespace TraceExporter.Probes.Builtin;

/// <summary>
/// Packets freed as dropped, by reason. The key is the reason's number (cast, so every bpftrace version
/// prints a number); the daemon names it from the running kernel's own table.
/// </summary>
public sealed class SkbDropsProbe : BuiltinProbe
{
    public override string Name => "skb_drops";

    public override string MetricName => "trace_skb_drops_total";

    public override string Help => "Packets dropped by the kernel (skb:kfree_skb), by drop reason as the running kernel names it.";

    public override string LabelName => "reason";

    public override KeyKind KeyKind => KeyKind.DropReason;

    public override IReadOnlyList<ProbeBlock> BuildBlocks(HostFacts host)
    {
        host.RequireTracepoint("skb", "kfree_skb");
        var format = host.Tracefs.ReadFormat("skb", "kfree_skb") ?? "";
        if (!format.Contains("reason;", StringComparison.Ordinal))
        {
            throw new ProbeUnavailableException("skb:kfree_skb has no 'reason' field on this kernel (added in Linux 5.17)");
        }

        return [new("tracepoint:skb:kfree_skb", null, $"{MapName}[(uint64)args->reason] = count();")];
    }
}
