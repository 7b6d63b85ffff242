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
    public static IReadOnlyList<ProbeBlock> For(BuiltinProbeConfig probe, HostFacts host) => probe.Name switch
    {
        BuiltinCatalogue.TcpConnects => TcpConnectsProgram.Blocks(host, probe),
        BuiltinCatalogue.TcpAccepts => TcpAcceptsProgram.Blocks(host, probe),
        BuiltinCatalogue.SkbDrops => SkbDropsProgram.Blocks(host, probe),
        BuiltinCatalogue.TcpReadBytes => TcpReadBytesProgram.Blocks(host, probe),
        BuiltinCatalogue.TcpRetransmits => TcpRetransmitsProgram.Blocks(host, probe),
        BuiltinCatalogue.ProcessExecs => ProcessExecsProgram.Blocks(host, probe),
        _ => throw new ArgumentException($"no built-in probe '{probe.Name}'", nameof(probe)),
    };

    /// <summary>The attach point of vmlinux's raw tracepoint <paramref name="name"/>, as bpftrace 0.24+ names it.</summary>
    internal static string Raw(string name) => "rawtracepoint:vmlinux:" + name;

    /// <summary>An expression for the socket's protocol (<c>sk->sk_protocol</c>, what tracepoints of sock call <c>protocol</c>).</summary>
    internal static string SocketProtocol(HostFacts host, string socket) => $"*(uint16 *)((uint64){socket} + {host.Offset("sock", "sk_protocol")})";

    /// <summary>
    /// The map key for the labels the probe is configured with (<see cref="BuiltinCatalogue.KeyOf"/>): its own
    /// part(s) <paramref name="own"/>, then the cgroup: the current task's (bpftrace's <c>cgroup</c>), or, for an
    /// event that belongs to a socket rather than to whatever task runs, the cgroup of <paramref name="socket"/>
    /// (its <c>sk_cgrp_data</c>, set by the process that made the socket; a child socket inherits its listener's).
    /// </summary>
    internal static string Key(HostFacts host, BuiltinProbeConfig probe, string own, string? socket = null)
    {
        var (hasOwn, workload) = BuiltinCatalogue.KeyOf(probe);
        var parts = new List<string>();
        if (hasOwn)
        {
            parts.Add(own);
        }

        if (workload.Count > 0)
        {
            if (host.Cgroup2 is null)
            {
                throw new ProbeUnavailableException($"no cgroup v2 hierarchy is mounted here (/proc/self/mountinfo), so {probe.Name} cannot have the labels {string.Join(", ", workload)}");
            }

            parts.Add(socket is null ? "cgroup" : SocketCgroup(host, socket));
        }

        return string.Join(", ", parts);
    }

    /// <summary>The cgroup v2 id of a socket (<c>sock->sk_cgrp_data.cgroup->kn->id</c>, the id bpftrace's <c>cgroup</c> gives a task), 0 without one.</summary>
    private static string SocketCgroup(HostFacts host, string socket) =>
        $"*(uint64 *)(*(uint64 *)(*(uint64 *)((uint64){socket} + {host.Offset("sock", "sk_cgrp_data.cgroup")}) + {host.Offset("cgroup", "kn")}) + {host.Offset("kernfs_node", "id")})";

    /// <summary>The map key expression for the current task's comm: two u64 read straight from task_struct.</summary>
    internal static string CommKey(HostFacts host)
    {
        var comm = host.Offset("task_struct", "comm");
        return $"*(uint64 *)((uint64)curtask + {comm}), *(uint64 *)((uint64)curtask + {comm + 8})";
    }
}
