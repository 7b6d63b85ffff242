using System.Text;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Metrics;

public sealed class TcpReadBytesTests
{
    private const string ReadBytes = "trace_tcp_read_bytes_total";
    private const long Bytes = 1_000_000;

    [SkippableFact]
    public async Task Reading_a_million_bytes_counts_a_million_bytes_for_the_readers_comm_within_one_percent()
    {
        KernelPrerequisites.Require();
        await using var daemon = await DaemonProcess.StartHealthyAsync();
        await using var ns = await NetworkNamespace.CreateAsync();
        var port = UniqueName.NamespacePort();
        await using var server = await ServerProcess.StartAsync(ns, port, sendBytes: Bytes);
        var comm = UniqueName.Comm("tkr");
        var commLabel = ("comm", Encoding.ASCII.GetString(comm));

        // The workload exits non-zero unless it read exactly Bytes bytes.
        await Workload.ReadAsync(ns, comm, port, Bytes);

        var page = await Poll.UntilAsync(
            daemon.ScrapePageAsync, p => p.Counter(ReadBytes, commLabel) >= Bytes, TimeSpan.FromSeconds(15));
        // One more interval, so a late partial update would show up as a value above the upper bound.
        page = (await Poll.ThroughoutAsync(daemon.ScrapePageAsync, DaemonProcess.Interval + TimeSpan.FromMilliseconds(500)))[^1];
        var counted = page.Counter(ReadBytes, commLabel);

        Assert.True(
            counted is >= Bytes and <= Bytes * 1.01,
            FailureReport.Describe(
                $"expected between {Bytes} and {Bytes * 1.01} bytes read for comm {commLabel.Item2}",
                daemon,
                page,
                [ReadBytes],
                $"counted {counted}"));
    }
}
