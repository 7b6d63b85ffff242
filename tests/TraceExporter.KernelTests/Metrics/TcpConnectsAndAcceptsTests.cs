using System.Globalization;
using System.Text;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Metrics;

public sealed class TcpConnectsAndAcceptsTests
{
    private const string Connects = "trace_tcp_connects_total";
    private const string Accepts = "trace_tcp_accepts_total";

    [SkippableFact]
    public async Task Twenty_connections_from_a_named_thread_count_exactly_twenty_connects_by_comm_and_twenty_accepts_by_port()
    {
        KernelPrerequisites.Require();
        await using var daemon = await DaemonProcess.StartHealthyAsync();
        await using var ns = await NetworkNamespace.CreateAsync();
        var port = UniqueName.NamespacePort();
        await using var server = await ServerProcess.StartAsync(ns, port);
        var comm = UniqueName.Comm("tkc");
        var commLabel = ("comm", Encoding.ASCII.GetString(comm));
        var portLabel = ("port", port.ToString(CultureInfo.InvariantCulture));

        await Workload.ConnectAsync(ns, comm, port, 20);

        var page = await Poll.UntilAsync(
            daemon.ScrapePageAsync,
            p => p.Counter(Connects, commLabel) >= 20 && p.Counter(Accepts, portLabel) >= 20,
            TimeSpan.FromSeconds(15));
        var later = await Poll.ThroughoutAsync(daemon.ScrapePageAsync, 2 * DaemonProcess.Interval + TimeSpan.FromMilliseconds(500));
        var connects = later.Select(p => p.Value(Connects, commLabel)).ToList();
        var accepts = later.Select(p => p.Value(Accepts, portLabel)).ToList();

        var message = FailureReport.Describe(
            "expected exactly 20 connects for the workload's comm and 20 accepts on its port, steady for two intervals",
            daemon,
            later[^1],
            [Connects, Accepts],
            $"comm {commLabel.Item2}, port {port}, namespace {ns.Name}",
            $"first value reaching 20 (or at the 15 s deadline): connects {page.Value(Connects, commLabel)}, accepts {page.Value(Accepts, portLabel)}",
            $"over the next two intervals: connects [{string.Join(", ", connects)}], accepts [{string.Join(", ", accepts)}]");
        Assert.True(connects.All(v => v == 20) && accepts.All(v => v == 20), message);
    }
}
