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
        if (host.UsesRawTracepoint("inet_sock_set_state"))
        {
            // (sk, oldstate, newstate), the states tested first; the port is inet_sport in network order, as the tracepoint's sport is before it swaps it.
            return [new(BuiltinPrograms.Raw("inet_sock_set_state"), $"(int32)arg1 == 3 && (int32)arg2 == 1 && {BuiltinPrograms.SocketProtocol(host, "arg0")} == 6", $"""
                $port = (uint64)*(uint16 *)((uint64)arg0 + {host.Offset("inet_sock", "inet_sport")});
                {Map}[{BuiltinPrograms.Key(host, probe, "(($port & 255) << 8) | ($port >> 8)", socket: "arg0")}] = count();
                """)];
        }

        return [new("tracepoint:sock:inet_sock_set_state", "args->protocol == 6 && args->oldstate == 3 && args->newstate == 1", $"{Map}[{BuiltinPrograms.Key(host, probe, "(uint64)args->sport", socket: "args->skaddr")}] = count();")];
    }
}
