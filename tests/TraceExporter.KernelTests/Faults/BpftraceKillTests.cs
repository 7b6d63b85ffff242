using System.Globalization;
using System.Text;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;
using static TraceExporter.KernelTests.Faults.FaultConfigs;

namespace TraceExporter.KernelTests.Faults;

public sealed class BpftraceKillTests
{
    private const int Kills = 20;
    private const int ConnectionsPerRound = 3;

    [SkippableFact]
    public async Task Bpftrace_killed_twenty_times_comes_back_each_time_and_counts_every_connection_exactly_once()
    {
        KernelPrerequisites.Require();
        await using var daemon = await DaemonProcess.StartHealthyAsync(ConnectsWithQuickRestart);
        await using var ns = await NetworkNamespace.CreateAsync();
        var port = UniqueName.NamespacePort();
        await using var server = await ServerProcess.StartAsync(ns, port);
        var comm = UniqueName.Comm("tfk");
        var commLabel = ("comm", Encoding.ASCII.GetString(comm));
        var probeLabel = ("probe", "tcp_connects");
        var history = new CounterHistory();
        var facts = new List<string> { $"comm {commLabel.Item2}, namespace {ns.Name}, port {port}" };

        string Fail(string what, MetricsPage? page) =>
            FailureReport.Describe(what, daemon, page, [Connects, ProbeUp, Restarts], [.. facts, history.Summary()]);

        var current = BpftraceChildren.Of(daemon);
        Assert.True(current.Count == 1, Fail($"expected one bpftrace child, found {BpftraceChildren.Describe(current)}", null));
        var bpftrace = current[0];
        var expected = 0;
        var gapsSeen = 0;
        for (var kill = 1; kill <= Kills; kill++)
        {
            facts.Add($"kill {kill}: SIGKILL to {bpftrace}");
            UnixSignal.Send(bpftrace.Pid, UnixSignal.SigKill);

            // The process table is read before the page: a new bpftrace seen there was started after the daemon
            // set probe_up to 0, so probe_up 1 on the later page is the new process's.
            var sawGap = false;
            ProcessEntry? next = null;
            var page = await Poll.UntilAsync(
                async () =>
                {
                    var children = BpftraceChildren.Of(daemon);
                    next = children.Count == 1 && children[0].Pid != bpftrace.Pid ? children[0] : null;
                    var p = await history.ScrapeAsync(daemon);
                    sawGap |= p.Value(ProbeUp, probeLabel) == 0;
                    return p;
                },
                p => next is not null && p.Value(ProbeUp, probeLabel) == 1 && p.Counter(Restarts, probeLabel) >= kill,
                TimeSpan.FromSeconds(30),
                TimeSpan.FromMilliseconds(50));
            Assert.True(
                next is not null && page.Value(ProbeUp, probeLabel) == 1 && page.Counter(Restarts, probeLabel) >= kill,
                Fail($"kill {kill}: expected a new bpftrace, probe_up 1 and restarts >= {kill} within 30 s", page)
                    + $"\nbpftrace children now: {BpftraceChildren.Describe(BpftraceChildren.Of(daemon))}");
            Assert.False(ProcessTable.IsAlive(bpftrace), Fail($"kill {kill}: the killed {bpftrace} is still alive", page));
            gapsSeen += sawGap ? 1 : 0;
            bpftrace = next!;
            facts.Add($"kill {kill}: back as {bpftrace}, probe_up 0 seen in the gap: {sawGap}");

            await Workload.ConnectAsync(ns, comm, port, ConnectionsPerRound);
            expected += ConnectionsPerRound;
            page = await Poll.UntilAsync(
                () => history.ScrapeAsync(daemon), p => p.Counter(Connects, commLabel) >= expected, TimeSpan.FromSeconds(15));
            Assert.True(
                page.Counter(Connects, commLabel) == expected,
                Fail($"kill {kill}: expected {Connects}{{comm={commLabel.Item2}}} to reach exactly {expected} within 15 s", page));
            Assert.True(
                BpftraceChildren.Of(daemon).Select(p => (p.Pid, p.StartTime)).SequenceEqual([(bpftrace.Pid, bpftrace.StartTime)]),
                Fail($"kill {kill}: bpftrace changed while connecting, without a kill", page)
                    + $"\nbpftrace children now: {BpftraceChildren.Describe(BpftraceChildren.Of(daemon))}");
        }

        var later = await Poll.ThroughoutAsync(() => history.ScrapeAsync(daemon), 2 * DaemonProcess.Interval + TimeSpan.FromMilliseconds(500));
        var values = later.Select(p => p.Counter(Connects, commLabel)).ToList();
        facts.Add($"after the last round: [{string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)))}]");
        facts.Add($"bpftrace pids logged as attached: [{string.Join(", ", BpftraceChildren.AttachedPidsLogged(daemon))}]");
        Assert.True(values.All(v => v == Kills * ConnectionsPerRound), Fail($"expected exactly {Kills * ConnectionsPerRound} connects, steady", later[^1]));
        Assert.True(later[^1].Counter(Restarts, probeLabel) >= Kills, Fail($"expected {Restarts} >= {Kills}", later[^1]));
        Assert.True(history.Violations.Count == 0, Fail("expected no counter to decrease on any scrape", later[^1]));
        Assert.True(BpftraceChildren.AttachedPidsLogged(daemon).Distinct().Count() >= Kills + 1, Fail($"expected {Kills + 1} distinct attached pids in the log", later[^1]));
        // Not each time (the daemon may notice the death and restart between two scrapes), but in 20 gaps at least once.
        Assert.True(gapsSeen > 0, Fail($"expected {ProbeUp} 0 to be seen in at least one of {Kills} gaps", later[^1]));
    }
}
