using System.Text;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Metrics;

public sealed class RetransmitsAndDropsTests
{
    private const string Retransmits = "trace_tcp_retransmits_total";
    private const string Drops = "trace_skb_drops_total";
    private const string Missed = "trace_exporter_probe_missed_events_total";
    private const long SendBytes = 2_000_000;
    private static readonly TimeSpan LossyPhase = TimeSpan.FromSeconds(10);
    private static readonly (string, string) Loopback = ("interface", "lo");
    private static readonly (string, string) NetfilterDrop = ("reason", "NETFILTER_DROP");

    [SkippableFact]
    public async Task Traffic_through_a_lossy_nft_rule_counts_the_namespaces_retransmits_on_lo_and_at_least_the_nft_drops()
    {
        KernelPrerequisites.Require();
        await using var daemon = await DaemonProcess.StartHealthyAsync();
        await using var ns = await NetworkNamespace.CreateAsync();
        // A 1500-byte MTU instead of lo's 64 KiB makes the 2 MB transfer many segments, so many drops.
        await ns.SetLoopbackMtuAsync(1500);
        // 30 % loss both ways stalls TCP in exponential backoff for minutes: cap the RTO at 1 s and let
        // connections live through many retransmissions, so the lossy phase can be cut short and then recover.
        // Before the listener exists: sockets take these values when they are created (accepted ones from it).
        await ns.SetSysctlAsync("net.ipv4.tcp_rto_max_ms", "1000");
        await ns.SetSysctlAsync("net.ipv4.tcp_retries2", "60");
        var port = UniqueName.NamespacePort();
        await using var server = await ServerProcess.StartAsync(ns, port);

        // lo is shared by every namespace in the daemon's labels: measure this test's increase only.
        var before = await daemon.ScrapePageAsync();
        var retransmitsBefore = before.Counter(Retransmits, Loopback);
        var dropsBefore = before.Counter(Drops, NetfilterDrop);
        var kernelBefore = await ns.ReadCounterAsync("TcpRetransSegs");
        var missedRetransmitsBefore = before.Counter(Missed, ("probe", "tcp_retransmits"));
        var missedDropsBefore = before.Counter(Missed, ("probe", "skb_drops"));
        await using var tally = await TracepointTally.StartAsync(ns);
        // From here on nft counts every packet input sees, for the whole transfer (not only its lossy phase).
        await using var input = await NftInputCounter.LoadAsync(ns);

        long nftDropped;
        Task<string> send;
        Task<string> connects;
        await using (var table = await NftDropTable.LoadAsync(ns, port, tenths: 3))
        {
            send = Workload.SendAsync(ns, UniqueName.Comm("tks"), port, SendBytes, TimeSpan.FromMinutes(3));
            // Lost SYNs and SYN-ACKs: retransmitted by the client's and the listener's timers.
            connects = Workload.ConnectAsync(ns, UniqueName.Comm("tkl"), port, 5, TimeSpan.FromMinutes(3));
            await Task.WhenAny(Task.WhenAll(send, connects), Task.Delay(LossyPhase));
            nftDropped = await table.ReadDroppedPacketsAsync();
            await table.DeleteAsync();
        }

        // Without the rule whatever is left of the transfer completes quickly.
        try
        {
            await Task.WhenAll(send, connects).WaitAsync(TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException)
        {
            var detail = await ns.ExecAsync("ss", ["-tin"]);
            Assert.Fail($"the workloads did not finish within 2 min of deleting the table (send done: {send.IsCompleted}, connects done: {connects.IsCompleted}):\n{detail}\nserver:\n{server.Output}");
        }

        // FINs and last segments may still be in retransmission after the workloads exit: wait them out.
        IReadOnlyList<string> sockets = [];
        var quiet = await Poll.UntilAsync(
            async () =>
            {
                sockets = await ns.ListTcpSocketsAsync();
                return sockets.All(s => s.StartsWith("LISTEN", StringComparison.Ordinal) || s.StartsWith("TIME-WAIT", StringComparison.Ordinal));
            },
            TimeSpan.FromSeconds(90),
            TimeSpan.FromMilliseconds(500));
        Assert.True(quiet, $"sockets still busy in {ns.Name} after 90 s:\n{string.Join('\n', sockets)}");

        var kernelIncrease = await ns.ReadCounterAsync("TcpRetransSegs") - kernelBefore;
        var inputPackets = await input.ReadPacketsAsync();
        var (tallyRetransmits, tallyDrops, tallyReceived) = await tally.StopAsync();
        var untracedPackets = inputPackets - tallyReceived;
        var after = await Poll.UntilAsync(
            daemon.ScrapePageAsync,
            p => p.Counter(Retransmits, Loopback) - retransmitsBefore >= tallyRetransmits && p.Counter(Drops, NetfilterDrop) - dropsBefore >= tallyDrops,
            TimeSpan.FromSeconds(15));
        var retransmitsIncrease = after.Counter(Retransmits, Loopback) - retransmitsBefore;
        var dropsIncrease = after.Counter(Drops, NetfilterDrop) - dropsBefore;
        var missedRetransmits = after.Counter(Missed, ("probe", "tcp_retransmits")) - missedRetransmitsBefore;
        var missedDrops = after.Counter(Missed, ("probe", "skb_drops")) - missedDropsBefore;

        var message = FailureReport.Describe(
            "expected the daemon's lo retransmits to grow by the namespace's TcpRetransSegs and its NETFILTER_DROP drops by at least the nft counters",
            daemon,
            after,
            [Retransmits, Drops],
            $"namespace {ns.Name}, port {port}",
            $"kernel TcpRetransSegs increase: {kernelIncrease}",
            $"daemon {Retransmits}{{interface=\"lo\"}}: {retransmitsBefore} -> {after.Counter(Retransmits, Loopback)} (increase {retransmitsIncrease})",
            $"nft dropped packets: {nftDropped}",
            $"daemon {Drops}{{reason=\"NETFILTER_DROP\"}}: {dropsBefore} -> {after.Counter(Drops, NetfilterDrop)} (increase {dropsIncrease})",
            $"events the kernel did not hand to the probes (BPF recursion protection): retransmits {missedRetransmits}, drops {missedDrops}",
            $"the same tracepoints counted by a bpftrace of the test's own: retransmitted segments {tallyRetransmits}, NETFILTER_DROP {tallyDrops}",
            $"packets nft's input hook saw: {inputPackets}; net:netif_receive_skb reported: {tallyReceived} (untraced packets: {untracedPackets})",
            $"tally output:\n{tally.Output}",
            $"server output:\n{server.Output}");
        // The misses are those of the probes' own programs, found on whichever attach type they use (perf events
        // of classic tracepoints, links of raw ones): published from the first scrape, at 0 when none.
        Assert.True(after.Value(Missed, ("probe", "tcp_retransmits")) is not null && after.Value(Missed, ("probe", "skb_drops")) is not null,
            "expected the daemon to find its tcp_retransmits and skb_drops programs\n" + message);
        // Without drops or retransmits the comparison would prove nothing.
        Assert.True(nftDropped > 0 && kernelIncrease > 0, "the lossy rule caused no drops or retransmits\n" + message);
        // Nothing the tracepoints reported is lost or counted twice (the second bpftrace sees the same events,
        // recursion misses included; lo is shared, but no other namespace retransmits or drops with NETFILTER_DROP now).
        Assert.True(retransmitsIncrease == tallyRetransmits && dropsIncrease == tallyDrops, message);
        // Every packet the tracepoint reported, input saw: more would mean the two witnesses count different things.
        Assert.True(untracedPackets >= 0, "net:netif_receive_skb reported more packets than nft's input hook saw\n" + message);
        Assert.True(WithinKernelGaps(retransmitsIncrease, kernelIncrease, nftDropped, dropsIncrease, missedRetransmits, missedDrops, untracedPackets), message);
    }

    /// <summary>
    /// The daemon against the kernel's own counters: never more, and short only where the kernel itself ran no
    /// tracepoint program, as measured in this run by witnesses outside the tracepoints. Two such gaps are known,
    /// both outside the daemon (the tally, on the same tracepoints, agrees with it each time):
    /// <list type="bullet">
    /// <item>Recursion protection: a tracepoint firing while a BPF program already runs on that CPU (a softirq on
    /// top of one) is skipped and counted in recursion_misses, which the daemon exports. A skipped retransmit
    /// may carry many segments (TSO: one run missed 1 event of 20 segments), so any retransmit gap is admitted
    /// then; a skipped drop is one packet.</item>
    /// <item>Untraced packets: now and then (bench/retransmit-gap.sh: a run in ten to twenty) one packet goes
    /// through the namespace with no tracepoint program run for it at all: nft's input hook counts one packet
    /// more than net:netif_receive_skb reports, net:net_dev_queue reports one fewer, and when the packet was a
    /// retransmission that nft dropped, TcpRetransSegs and the drop counter are each ahead of tcp_retransmit_skb
    /// and skb:kfree_skb by that one packet (1–17 segments seen). Classic and typed raw tracepoints miss the same
    /// packet, and no recursion miss is counted. The test measures these packets (<see cref="NftInputCounter"/>
    /// against the tally's received count) and admits, for each, one untraced drop and one untraced
    /// retransmission of at most <see cref="SegmentsPerPacket"/> segments; with none, the counts must be equal.</item>
    /// </list>
    /// </summary>
    private static bool WithinKernelGaps(double retransmits, double kernelRetransmits, double nftDropped, double drops, double missedRetransmits, double missedDrops, double untracedPackets)
    {
        var dropsExplained = nftDropped - drops - missedDrops <= untracedPackets;
        var retransmitsExplained = retransmits == kernelRetransmits || missedRetransmits > 0
            || kernelRetransmits - retransmits <= SegmentsPerPacket * untracedPackets;
        return retransmits <= kernelRetransmits && dropsExplained && retransmitsExplained;
    }

    // A TSO packet carries at most 64 KB: 45 segments at this test's 1500-byte MTU; the bound leaves room.
    private const double SegmentsPerPacket = 64;
}
