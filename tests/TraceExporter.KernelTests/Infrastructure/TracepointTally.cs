using System.Globalization;
using System.Text.RegularExpressions;
using TraceExporter.Kernel;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>
/// A second, independent count of what the retransmit and drop tracepoints report for one network namespace:
/// a plain bpftrace (the tests' own, not the daemon's program) summing the segments of tcp_retransmit_skb and
/// tcp_retransmit_synack, counting skb:kfree_skb with reason NETFILTER_DROP and the packets net:netif_receive_skb
/// reports, printing its totals every 200 ms (a print at exit would be lost: the output pipe closes when the
/// process is cancelled). It tells a count the daemon lost apart from an event the kernel counted without a
/// tracepoint; the received packets, against <see cref="NftInputCounter"/>, tell how many packets went through
/// the namespace with no tracepoint program run for them.
/// </summary>
internal sealed partial class TracepointTally : IAsyncDisposable
{
    private SideBpftrace? _bpftrace;
    private long _retransmits;
    private long _drops;
    private long _received;

    private TracepointTally()
    {
    }

    public string Output => _bpftrace?.Output ?? "";

    /// <summary>Starts counting the events of <paramref name="ns"/> and returns once every probe is attached.</summary>
    public static async Task<TracepointTally> StartAsync(NetworkNamespace ns)
    {
        var link = await ns.ExecAsync("readlink", ["/proc/self/ns/net"]); // net:[4026532...]
        var inode = ulong.Parse(NamespaceInode().Match(link).Groups[1].Value, CultureInfo.InvariantCulture);
        var btf = KernelBtf.Load();
        var segs = btf.MemberOffset("sk_buff", "cb")!.Value + btf.MemberOffset("tcp_skb_cb", "tcp_gso_segs")!.Value;
        var netfilterDrop = btf.EnumValues("skb_drop_reason")!.Single(kv => kv.Value == "SKB_DROP_REASON_NETFILTER_DROP").Key;

        // The segment count is read by offset: bpftrace 0.17 cannot cast skb->cb (an array) to a struct.
        var program = $$"""
            tracepoint:tcp:tcp_retransmit_skb /((struct sock *)args->skaddr)->__sk_common.skc_net.net->ns.inum == {{inode}}/ {
              @retransmits = sum(*(uint16 *)((uint64)args->skbaddr + {{segs}}));
            }
            tracepoint:tcp:tcp_retransmit_synack /((struct request_sock *)args->req)->__req_common.skc_net.net->ns.inum == {{inode}}/ {
              @retransmits = sum(1);
            }
            tracepoint:skb:kfree_skb /args->reason == {{netfilterDrop}} && ((struct sk_buff *)args->skbaddr)->dev->nd_net.net->ns.inum == {{inode}}/ {
              @drops = count();
            }
            tracepoint:net:netif_receive_skb /((struct sk_buff *)args->skbaddr)->dev->nd_net.net->ns.inum == {{inode}}/ {
              @received = count();
            }
            interval:ms:200 { print(@retransmits); print(@drops); print(@received); }
            """;
        var tally = new TracepointTally();
        tally._bpftrace = await SideBpftrace.StartAsync(program, tally.Read, TestBpftrace.Path);
        return tally;
    }

    /// <summary>
    /// The retransmitted segments, NETFILTER_DROP drops and received packets counted, once the events are over:
    /// waits for more prints, then stops bpftrace.
    /// </summary>
    public async Task<(long Retransmits, long Drops, long Received)> StopAsync()
    {
        await Task.Delay(TimeSpan.FromSeconds(1));
        var totals = (Interlocked.Read(ref _retransmits), Interlocked.Read(ref _drops), Interlocked.Read(ref _received));
        var exited = _bpftrace?.HasExited ?? true;
        if (_bpftrace is not null)
        {
            await _bpftrace.StopAsync();
        }

        if (exited)
        {
            throw new InvalidOperationException($"the tally's bpftrace exited early:\n{Output}");
        }

        return totals;
    }

    public async ValueTask DisposeAsync()
    {
        if (_bpftrace is not null)
        {
            await _bpftrace.DisposeAsync();
        }
    }

    private void Read(string line)
    {
        if (Total().Match(line) is not { Success: true } m)
        {
            return;
        }

        var value = long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        switch (m.Groups[1].Value)
        {
            case "retransmits":
                Interlocked.Exchange(ref _retransmits, value);
                break;
            case "drops":
                Interlocked.Exchange(ref _drops, value);
                break;
            default:
                Interlocked.Exchange(ref _received, value);
                break;
        }
    }

    [GeneratedRegex(@"net:\[(\d+)\]")]
    private static partial Regex NamespaceInode();

    // A map never updated prints nothing (or 0): its total stays 0.
    [GeneratedRegex(@"^@(retransmits|drops|received): (\d+)$")]
    private static partial Regex Total();
}
