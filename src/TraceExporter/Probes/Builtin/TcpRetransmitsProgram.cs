using System.Text;
using TraceExporter.Configuration;
using TraceExporter.Kernel;

namespace TraceExporter.Probes.Builtin;

/// <summary>
/// Retransmitted TCP segments by interface, counted exactly as the kernel's TcpRetransSegs counts them:
/// each tcp_retransmit_skb adds the skb's segment count (a retransmit can carry several MSS), and each
/// tcp_retransmit_synack adds one. The interface is the socket's cached route device; a SYN-ACK has no
/// route cached, so its device is found from the request's incoming ifindex in its own network namespace.
/// Everything is read through BTF offsets of the running kernel.
/// </summary>
public static class TcpRetransmitsProgram
{
    private static readonly string Map = BuiltinCatalogue.MapName(BuiltinCatalogue.TcpRetransmits);

    // Request socks rarely share a hash bucket with more than one device; four steps cover any real host.
    private const int BucketSteps = 4;

    public static IReadOnlyList<ProbeBlock> Blocks(HostFacts host, BuiltinProbeConfig probe)
    {
        host.RequireTracepoint("tcp", "tcp_retransmit_skb");
        var raw = host.UsesRawTracepoint("tcp_retransmit_skb");
        // Classic: the trace event's fields; raw: the tracepoint's arguments (sk, skb, err) and (sk, req).
        var (sk, skb, err) = raw ? ("arg0", "arg1", "(int32)arg2") : ("args->skaddr", "args->skbaddr", "args->err");
        var name = host.Offset("net_device", "name");
        var segs = host.Offset("sk_buff", "cb") + host.Offset("tcp_skb_cb", "tcp_gso_segs");
        // Since Linux 6.13 the tracepoint fires for every attempt, with its error. TcpRetransSegs is counted
        // just before the segment is handed to IP, so attempts that gave up earlier are left out: -EBUSY (the
        // original still queued), -ENOMEM, -EAGAIN (window shrunk) and -EHOSTUNREACH (no route). A send that
        // fails after that point (-ENOBUFS, -EPERM from an output hook, …) was counted by the kernel, and here.
        var format = host.Tracefs.ReadFormat("tcp", "tcp_retransmit_skb") ?? "";
        var filter = format.Contains(" err;", StringComparison.Ordinal)
            ? $"{err} != -16 && {err} != -12 && {err} != -11 && {err} != -113"
            : null;
        var blocks = new List<ProbeBlock>
        {
            new(raw ? BuiltinPrograms.Raw("tcp_retransmit_skb") : "tracepoint:tcp:tcp_retransmit_skb", filter, $$"""
                $dst = *(uint64 *)((uint64){{sk}} + {{host.Offset("sock", "sk_dst_cache")}});
                $dev = $dst != 0 ? *(uint64 *)($dst + {{host.Offset("dst_entry", "dev")}}) : (uint64)0;
                {{Map}}[{{BuiltinPrograms.Key(host, probe, $"*(uint64 *)($dev + {name}), *(uint64 *)($dev + {name + 8})", socket: sk)}}] = sum(*(uint16 *)((uint64){{skb}} + {{segs}}));
                """),
        };
        if (host.Tracefs.HasTracepoint("tcp", "tcp_retransmit_synack"))
        {
            var rawSynack = host.UsesRawTracepoint("tcp_retransmit_synack");
            var (listener, req) = rawSynack ? ("arg0", "arg1") : ("args->skaddr", "args->req");
            var hlist = host.Offset("net_device", "index_hlist");
            var ifindex = host.Offset("net_device", "ifindex");
            var program = new StringBuilder($$"""
                  $req = (uint64){{req}};
                  $iif = (uint64)*(int32 *)($req + {{host.Offset("request_sock", "__req_common.skc_bound_dev_if")}});
                  $net = *(uint64 *)($req + {{host.Offset("request_sock", "__req_common.skc_net")}});
                  $node = *(uint64 *)(*(uint64 *)($net + {{host.Offset("net", "dev_index_head")}}) + ($iif & 255) * 8);
                  $dev = (uint64)0;
                """);
            for (var i = 0; i < BucketSteps; i++)
            {
                program.Append($$"""
                      if ($dev == 0 && $node != 0) {
                        $candidate = (uint64)((int64)$node - {{hlist}});
                        if ((uint64)*(int32 *)($candidate + {{ifindex}}) == $iif) { $dev = $candidate; } else { $node = *(uint64 *)$node; }
                      }
                    """);
            }

            // ir_iif is set only for a listener bound to a device. An unbound listener answering on a
            // loopback address sends its SYN-ACK on the namespace's loopback device; elsewhere the route
            // is not kept, and the SYN-ACK is counted under interface="unknown".
            program.Append($$"""
                  if ($dev == 0 && ({{LoopbackSource(host, rawSynack, listener)}})) {
                    $dev = *(uint64 *)($net + {{host.Offset("net", "loopback_dev")}});
                  }
                  {{Map}}[{{BuiltinPrograms.Key(host, probe, $"*(uint64 *)($dev + {name}), *(uint64 *)($dev + {name + 8})", socket: listener)}}] = sum(1);
                """);
            blocks.Add(new ProbeBlock(rawSynack ? BuiltinPrograms.Raw("tcp_retransmit_synack") : "tracepoint:tcp:tcp_retransmit_synack", null, program.ToString()));
        }

        return blocks;
    }

    /// <summary>
    /// Whether the SYN-ACK's source is a loopback address: 127.x, ::1 or ::ffff:127.x. The trace event holds the
    /// request's local address as IPv4 and, when the listener is IPv6, as IPv6 (else the IPv4 one mapped); the
    /// raw tracepoint reads the same fields of the request, the IPv6 one only for an IPv6 listener, as the event does.
    /// </summary>
    private static string LoopbackSource(HostFacts host, bool raw, string listener)
    {
        if (!raw)
        {
            return "args->saddr[0] == 127 || (args->saddr_v6[0] == 0 && args->saddr_v6[11] == 0 && args->saddr_v6[15] == 1)"
                + " || (args->saddr_v6[10] == 255 && args->saddr_v6[11] == 255 && args->saddr_v6[12] == 127)";
        }

        var v4 = $"*(uint8 *)($req + {host.Offset("request_sock", "__req_common.skc_rcv_saddr")})";
        var v6 = host.Offset("request_sock", "__req_common.skc_v6_rcv_saddr");
        string Byte(int i) => $"*(uint8 *)($req + {v6 + i})";
        var family = $"*(uint16 *)((uint64){listener} + {host.Offset("sock", "__sk_common.skc_family")})";
        return $"{v4} == 127 || ({family} == 10 && (({Byte(0)} == 0 && {Byte(11)} == 0 && {Byte(15)} == 1)"
            + $" || ({Byte(10)} == 255 && {Byte(11)} == 255 && {Byte(12)} == 127)))";
    }
}
