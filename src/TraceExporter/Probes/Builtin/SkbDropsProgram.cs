using TraceExporter.Configuration;
using TraceExporter.Kernel;

namespace TraceExporter.Probes.Builtin;

/// <summary>
/// Packets freed as dropped, by reason. The key is the reason's number (cast, so every bpftrace version
/// prints a number); the daemon names it from the running kernel's own table.
/// </summary>
public static class SkbDropsProgram
{
    private static readonly string Map = BuiltinCatalogue.MapName(BuiltinCatalogue.SkbDrops);

    public static IReadOnlyList<ProbeBlock> Blocks(HostFacts host, BuiltinProbeConfig probe)
    {
        host.RequireTracepoint("skb", "kfree_skb");
        var format = host.Tracefs.ReadFormat("skb", "kfree_skb") ?? "";
        if (!format.Contains("reason;", StringComparison.Ordinal))
        {
            throw new ProbeUnavailableException("skb:kfree_skb has no 'reason' field on this kernel (added in Linux 5.17)");
        }

        if (host.UsesRawTracepoint("kfree_skb"))
        {
            // (skb, location, reason, rx_sk)
            return [new(BuiltinPrograms.Raw("kfree_skb"), null, $"{Map}[{BuiltinPrograms.Key(host, probe, "(uint64)(uint32)arg2")}] = count();")];
        }

        return [new("tracepoint:skb:kfree_skb", null, $"{Map}[{BuiltinPrograms.Key(host, probe, "(uint64)args->reason")}] = count();")];
    }
}
