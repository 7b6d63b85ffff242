using TraceExporter.Configuration;
using TraceExporter.Kernel;

namespace TraceExporter.Probes.Builtin;

/// <summary>
/// The bpftrace program of each built-in probe on this kernel, as blocks that fill the map
/// <see cref="BuiltinCatalogue.MapName"/> with the keys its metric's labels read (numbers only, so labels never
/// depend on how a bpftrace version escapes strings).
/// </summary>
public static class BuiltinPrograms
{
    /// <summary>The blocks of the built-in probe <paramref name="name"/>; throws <see cref="ProbeUnavailableException"/> when this kernel cannot run it.</summary>
    public static IReadOnlyList<ProbeBlock> For(string name, HostFacts host) => name switch
    {
        BuiltinCatalogue.TcpConnects => TcpConnectsProgram.Blocks(host),
        BuiltinCatalogue.TcpAccepts => TcpAcceptsProgram.Blocks(host),
        BuiltinCatalogue.SkbDrops => SkbDropsProgram.Blocks(host),
        BuiltinCatalogue.TcpReadBytes => TcpReadBytesProgram.Blocks(host),
        BuiltinCatalogue.TcpRetransmits => TcpRetransmitsProgram.Blocks(host),
        BuiltinCatalogue.ProcessExecs => ProcessExecsProgram.Blocks(host),
        _ => throw new ArgumentException($"no built-in probe '{name}'", nameof(name)),
    };

    /// <summary>The map key expression for the current task's comm: two u64 read straight from task_struct.</summary>
    internal static string CommKey(HostFacts host)
    {
        var comm = host.Offset("task_struct", "comm");
        return $"*(uint64 *)((uint64)curtask + {comm}), *(uint64 *)((uint64)curtask + {comm + 8})";
    }
}
