using TraceExporter.Kernel;

namespace TraceExporter.Probes;

/// <summary>
/// A probe that ships with TraceExporter: one counter, one label, and a bpftrace fragment that keeps the
/// counter in an in-kernel map named <see cref="MapName"/>, keyed by numbers only (see <see cref="KeyKind"/>),
/// so labels never depend on how a bpftrace version escapes strings.
/// </summary>
public abstract class BuiltinProbe
{
    public abstract string Name { get; }

    public abstract string MetricName { get; }

    public abstract string Help { get; }

    public abstract string LabelName { get; }

    public abstract KeyKind KeyKind { get; }

    public string MapName => "@" + Name;

    /// <summary>
    /// The probe blocks for this host. Throws <see cref="ProbeUnavailableException"/> when the kernel cannot
    /// run the probe (missing tracepoint, BTF member, …).
    /// </summary>
    public abstract IReadOnlyList<ProbeBlock> BuildBlocks(HostFacts host);

    /// <summary>The blocks as bpftrace text, this probe alone.</summary>
    public string BuildProgram(HostFacts host) => ProbeBlock.Render(BuildBlocks(host));

    /// <summary>The map key expression for the current task's comm: two u64 read straight from task_struct.</summary>
    protected static string CommKey(HostFacts host)
    {
        var comm = host.Offset("task_struct", "comm");
        return $"*(uint64 *)((uint64)curtask + {comm}), *(uint64 *)((uint64)curtask + {comm + 8})";
    }
}
