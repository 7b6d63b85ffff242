using TraceExporter.Configuration;
using TraceExporter.Kernel;

namespace TraceExporter.Probes.Builtin;

/// <summary>
/// Bytes returned to processes by TCP receive calls, by process name. Uses sock:sock_recv_length (Linux 6.3+),
/// skipping MSG_PEEK as the tracepoint's own format does; older kernels fall back to kprobe:tcp_cleanup_rbuf.
/// </summary>
public static class TcpReadBytesProgram
{
    private static readonly string Map = BuiltinCatalogue.MapName(BuiltinCatalogue.TcpReadBytes);

    public static IReadOnlyList<ProbeBlock> Blocks(HostFacts host, BuiltinProbeConfig probe)
    {
        if (host.Tracefs.HasTracepoint("sock", "sock_recv_length"))
        {
            var key = BuiltinPrograms.Key(host, probe, BuiltinPrograms.CommKey(host));
            return host.UsesRawTracepoint("sock_recv_length")
                // (sk, ret, flags): the arguments tested before the protocol, a read of the socket.
                ? [new(BuiltinPrograms.Raw("sock_recv_length"), $"(int32)arg1 > 0 && ((int32)arg2 & 2) == 0 && {BuiltinPrograms.SocketProtocol(host, "arg0")} == 6", $"{Map}[{key}] = sum((int32)arg1);")]
                : [new("tracepoint:sock:sock_recv_length", "args->protocol == 6 && args->ret > 0 && (args->flags & 2) == 0", $"{Map}[{key}] = sum(args->ret);")];
        }

        if (host.Tracefs.HasKprobes)
        {
            return [new("kprobe:tcp_cleanup_rbuf", "(int32)arg1 > 0", $"{Map}[{BuiltinPrograms.Key(host, probe, BuiltinPrograms.CommKey(host))}] = sum((int32)arg1);")];
        }

        host.RequireTracepoint("sock", "sock_recv_length"); // throws with the tracepoint's name
        throw new ProbeUnavailableException("this kernel has neither sock:sock_recv_length (Linux 6.3+) nor kprobes for tcp_cleanup_rbuf");
    }
}
