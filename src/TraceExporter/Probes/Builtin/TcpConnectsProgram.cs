using TraceExporter.Configuration;
using TraceExporter.Kernel;

namespace TraceExporter.Probes.Builtin;

/// <summary>Active TCP opens by the connecting task's name: any state → SYN_SENT, in the connect() caller's context.</summary>
public static class TcpConnectsProgram
{
    private static readonly string Map = BuiltinCatalogue.MapName(BuiltinCatalogue.TcpConnects);

    public static IReadOnlyList<ProbeBlock> Blocks(HostFacts host, BuiltinProbeConfig probe)
    {
        host.RequireTracepoint("sock", "inet_sock_set_state");
        if (host.UsesRawTracepoint("inet_sock_set_state"))
        {
            // (sk, oldstate, newstate): the state, an argument, is tested before the protocol, a read of the socket.
            return [new(BuiltinPrograms.Raw("inet_sock_set_state"), $"(int32)arg2 == 2 && {BuiltinPrograms.SocketProtocol(host, "arg0")} == 6", $"{Map}[{BuiltinPrograms.Key(host, probe, BuiltinPrograms.CommKey(host))}] = count();")];
        }

        return [new("tracepoint:sock:inet_sock_set_state", "args->protocol == 6 && args->newstate == 2", $"{Map}[{BuiltinPrograms.Key(host, probe, BuiltinPrograms.CommKey(host))}] = count();")];
    }
}
