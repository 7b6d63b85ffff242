using System.Globalization;
using System.Text;
using CliWrap;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.UserProbes;

/// <summary>
/// Each shipped example, run by the real daemon (1 s interval, free port) on the real kernel, exports the series
/// its comments promise after traffic made in a namespace of our own, on a page promtool accepts.
/// </summary>
public sealed class ExampleDaemonTests
{
    private const string Connects = "example_tcp_connects_total";
    private const string ReadBytes = "example_tcp_read_bytes_total";
    private const string Drops = "example_skb_drops_total";
    private const string Retransmits = "example_tcp_retransmits_total";
    private const string Execs = "example_suspicious_execs_total";
    private const string Latency = "example_tcp_connect_duration_seconds";
    private const string Unmatched = "trace_exporter_unmatched_lines_total";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan TwoIntervals = 2 * DaemonProcess.Interval + TimeSpan.FromMilliseconds(500);

    [SkippableFact]
    public async Task Tcp_connections_example_counts_exactly_twenty_connects_for_the_workloads_comm()
    {
        KernelPrerequisites.Require();
        await using var daemon = await ExampleConfig.StartDaemonAsync("tcp-connections.yaml");
        await using var ns = await NetworkNamespace.CreateAsync();
        var port = UniqueName.NamespacePort();
        await using var server = await ServerProcess.StartAsync(ns, port);
        var comm = UniqueName.Comm("tuc");
        var commLabel = ("comm", Encoding.ASCII.GetString(comm));

        await Workload.ConnectAsync(ns, comm, port, 20);

        var first = await Poll.UntilAsync(daemon.ScrapePageAsync, p => p.Counter(Connects, commLabel) >= 20, Deadline);
        var later = await Poll.ThroughoutAsync(daemon.ScrapePageAsync, TwoIntervals);
        var values = later.Select(p => p.Value(Connects, commLabel)).ToList();
        var shape = ExpositionShape.Problems(later[^1], Connects, "counter", "comm");
        var promtool = await PromtoolCheck.RunAsync(later[^1]);

        var message = FailureReport.Describe(
            "expected exactly 20 connects for the workload's comm, steady for two intervals, with TYPE counter and only the comm label",
            daemon,
            later[^1],
            [Connects],
            $"comm {commLabel.Item2}, namespace {ns.Name}, port {port}",
            $"first value reaching 20 (or at the deadline): {first.Value(Connects, commLabel)}",
            $"over the next two intervals: [{string.Join(", ", values)}]",
            $"shape problems: {string.Join("; ", shape)}",
            promtool.Report);
        Assert.True(values.All(v => v == 20), message);
        Assert.True(shape.Count == 0, message);
        Assert.True(promtool.Clean, message);
    }

    [SkippableFact]
    public async Task Tcp_read_bytes_example_counts_a_million_bytes_read_for_the_readers_comm_within_one_percent()
    {
        const long bytes = 1_000_000;
        KernelPrerequisites.Require();
        await using var daemon = await ExampleConfig.StartDaemonAsync("tcp-read-bytes.yaml");
        await using var ns = await NetworkNamespace.CreateAsync();
        var port = UniqueName.NamespacePort();
        await using var server = await ServerProcess.StartAsync(ns, port, sendBytes: bytes);
        var comm = UniqueName.Comm("tur");
        var commLabel = ("comm", Encoding.ASCII.GetString(comm));

        // The workload exits non-zero unless it read exactly that many bytes.
        await Workload.ReadAsync(ns, comm, port, bytes);

        await Poll.UntilAsync(daemon.ScrapePageAsync, p => p.Counter(ReadBytes, commLabel) >= bytes, Deadline);
        // One more interval, so a late partial update would show up above the upper bound.
        var page = (await Poll.ThroughoutAsync(daemon.ScrapePageAsync, DaemonProcess.Interval + TimeSpan.FromMilliseconds(500)))[^1];
        var counted = page.Counter(ReadBytes, commLabel);
        var shape = ExpositionShape.Problems(page, ReadBytes, "counter", "comm");
        var promtool = await PromtoolCheck.RunAsync(page);

        var message = FailureReport.Describe(
            $"expected between {bytes} and {bytes * 1.01} bytes read for the reader's comm, TYPE counter, only the comm label",
            daemon,
            page,
            [ReadBytes],
            $"comm {commLabel.Item2}: counted {counted}",
            $"shape problems: {string.Join("; ", shape)}",
            promtool.Report);
        Assert.True(counted is >= bytes and <= bytes * 1.01, message);
        Assert.True(shape.Count == 0, message);
        Assert.True(promtool.Clean, message);
    }

    [SkippableFact]
    public async Task Drops_example_names_the_reason_of_syns_sent_to_a_closed_port_NO_SOCKET()
    {
        const int attempts = 5;
        KernelPrerequisites.Require();
        await using var daemon = await ExampleConfig.StartDaemonAsync("drops-by-reason.yaml");
        await using var ns = await NetworkNamespace.CreateAsync();
        // Nothing listens in a fresh namespace: each SYN is answered with a RST and freed as NO_SOCKET.
        var closedPort = UniqueName.NamespacePort().ToString(CultureInfo.InvariantCulture);
        var noSocket = ("reason", "NO_SOCKET");
        var before = (await daemon.ScrapePageAsync()).Counter(Drops, noSocket);

        var refused = await ExternalTool.RunUncheckedAsync(
            "ip",
            ["netns", "exec", ns.Name, "bash", "-c",
             $"n=0; for i in $(seq {attempts}); do (exec 3<>/dev/tcp/127.0.0.1/{closedPort}) 2>/dev/null || n=$((n+1)); done; echo $n"]);
        Assert.True(refused.StandardOutput.Trim() == attempts.ToString(CultureInfo.InvariantCulture), $"expected {attempts} refused connections in {ns.Name}:\n{refused.StandardOutput}{refused.StandardError}");

        // NO_SOCKET drops of other namespaces land in the same series: at least ours.
        var page = await Poll.UntilAsync(daemon.ScrapePageAsync, p => p.Counter(Drops, noSocket) - before >= attempts, Deadline);
        var increase = page.Counter(Drops, noSocket) - before;
        var shape = ExpositionShape.Problems(page, Drops, "counter", "reason");
        var numbered = page.Named(Drops).Where(s => s.Labels["reason"].All(char.IsAsciiDigit)).ToList();
        var promtool = await PromtoolCheck.RunAsync(page);

        var message = FailureReport.Describe(
            $"expected {Drops}{{reason=\"NO_SOCKET\"}} to grow by at least {attempts}, reasons named by the kernel, TYPE counter",
            daemon,
            page,
            [Drops],
            $"namespace {ns.Name}, closed port {closedPort}",
            $"NO_SOCKET: {before} -> {page.Counter(Drops, noSocket)} (increase {increase})",
            $"reasons left as numbers: {string.Join(", ", numbered)}",
            $"shape problems: {string.Join("; ", shape)}",
            promtool.Report);
        Assert.True(increase >= attempts, message);
        Assert.True(shape.Count == 0 && numbered.Count == 0, message);
        Assert.True(promtool.Clean, message);
    }

    [SkippableFact]
    public async Task Retransmits_example_counts_retransmits_on_lo_through_a_lossy_nft_rule()
    {
        KernelPrerequisites.Require();
        await using var daemon = await ExampleConfig.StartDaemonAsync("tcp-retransmits.yaml");
        await using var ns = await NetworkNamespace.CreateAsync();
        // As in RetransmitsAndDropsTests: small segments, RTO capped at 1 s, connections that survive the loss.
        await ns.SetLoopbackMtuAsync(1500);
        await ns.SetSysctlAsync("net.ipv4.tcp_rto_max_ms", "1000");
        await ns.SetSysctlAsync("net.ipv4.tcp_retries2", "60");
        var port = UniqueName.NamespacePort();
        await using var server = await ServerProcess.StartAsync(ns, port);
        var loopback = ("interface", "lo");
        var before = (await daemon.ScrapePageAsync()).Counter(Retransmits, loopback);
        var kernelBefore = await ns.ReadCounterAsync("TcpRetransSegs");

        Task<string> send;
        await using (var table = await NftDropTable.LoadAsync(ns, port, tenths: 3))
        {
            send = Workload.SendAsync(ns, UniqueName.Comm("tut"), port, 2_000_000, TimeSpan.FromMinutes(3));
            await Task.WhenAny(send, Task.Delay(TimeSpan.FromSeconds(6)));
            await table.DeleteAsync();
        }

        await send.WaitAsync(TimeSpan.FromMinutes(2));
        var kernelIncrease = await ns.ReadCounterAsync("TcpRetransSegs") - kernelBefore;
        // Other tests' lossy traffic on any lo adds to the same series: only "it grew" is ours to assert.
        var page = await Poll.UntilAsync(daemon.ScrapePageAsync, p => p.Counter(Retransmits, loopback) > before, Deadline);
        var after = page.Counter(Retransmits, loopback);
        var shape = ExpositionShape.Problems(page, Retransmits, "counter", "interface");
        var promtool = await PromtoolCheck.RunAsync(page);

        var message = FailureReport.Describe(
            $"expected {Retransmits}{{interface=\"lo\"}} to grow while the namespace retransmitted, TYPE counter, only the interface label",
            daemon,
            page,
            [Retransmits],
            $"namespace {ns.Name}, port {port}, TcpRetransSegs increase {kernelIncrease}",
            $"lo: {before} -> {after}",
            $"shape problems: {string.Join("; ", shape)}",
            promtool.Report);
        Assert.True(kernelIncrease > 0, "the lossy rule caused no retransmits\n" + message);
        Assert.True(after > before, message);
        Assert.True(shape.Count == 0, message);
        Assert.True(promtool.Clean, message);
    }

    [SkippableFact]
    public async Task Suspicious_execs_example_counts_exactly_five_execs_of_a_binary_named_curl()
    {
        const int runs = 5;
        KernelPrerequisites.Require();
        await using var daemon = await ExampleConfig.StartDaemonAsync("suspicious-execs.yaml");
        var curl = ("comm", "curl");
        var unmatched = ("probe", "suspicious_execs");
        var before = (await daemon.ScrapePageAsync()).Counter(Execs, curl);
        var directory = Directory.CreateTempSubdirectory("te-kt-");
        try
        {
            // After exec the comm is the file's basename: a copy of true named curl is a "curl" that does nothing.
            var binary = Path.Combine(directory.FullName, "curl");
            File.Copy("/bin/true", binary);
            File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            for (var i = 0; i < runs; i++)
            {
                var result = await Cli.Wrap(binary).WithValidation(CommandResultValidation.None).ExecuteAsync();
                Assert.Equal(0, result.ExitCode);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }

        var first = await Poll.UntilAsync(daemon.ScrapePageAsync, p => p.Counter(Execs, curl) - before >= runs, Deadline);
        var later = await Poll.ThroughoutAsync(daemon.ScrapePageAsync, TwoIntervals);
        var increases = later.Select(p => p.Counter(Execs, curl) - before).ToList();
        var shape = ExpositionShape.Problems(later[^1], Execs, "counter", "comm");
        var promtool = await PromtoolCheck.RunAsync(later[^1]);

        var message = FailureReport.Describe(
            $"expected {Execs}{{comm=\"curl\"}} to grow by exactly {runs}, steady, no unmatched lines, TYPE counter",
            daemon,
            later[^1],
            [Execs, Unmatched],
            $"before: {before}; first increase reaching {runs} (or at the deadline): {first.Counter(Execs, curl) - before}",
            $"increases over the next two intervals: [{string.Join(", ", increases)}]",
            $"shape problems: {string.Join("; ", shape)}",
            promtool.Report);
        Assert.True(increases.All(v => v == runs), message);
        Assert.True(later[^1].Value(Unmatched, unmatched) == 0, message);
        Assert.True(shape.Count == 0, message);
        Assert.True(promtool.Clean, message);
    }

    [SkippableFact]
    public async Task Connect_latency_example_is_a_histogram_whose_buckets_never_decrease_and_end_at_its_count()
    {
        const int connections = 10;
        KernelPrerequisites.Require();
        await using var daemon = await ExampleConfig.StartDaemonAsync("tcp-connect-latency.yaml");
        await using var ns = await NetworkNamespace.CreateAsync();
        var port = UniqueName.NamespacePort();
        await using var server = await ServerProcess.StartAsync(ns, port);
        var countBefore = (await daemon.ScrapePageAsync()).Counter(Latency + "_count");

        await Workload.ConnectAsync(ns, UniqueName.Comm("tul"), port, connections);

        // Connections elsewhere on the host are timed too: at least ours.
        var page = await Poll.UntilAsync(
            daemon.ScrapePageAsync, p => p.Counter(Latency + "_count") - countBefore >= connections, Deadline);
        var buckets = page.Named(Latency + "_bucket")
            .Select(s => (Le: UpperBound(s.Labels["le"]), s.Value))
            .OrderBy(b => b.Le)
            .ToList();
        var count = page.Value(Latency + "_count");
        var sum = page.Value(Latency + "_sum");
        var infinity = buckets.Where(b => double.IsPositiveInfinity(b.Le)).Select(b => (double?)b.Value).FirstOrDefault();
        var decreasing = buckets.Zip(buckets.Skip(1)).Where(pair => pair.Second.Value < pair.First.Value).ToList();
        var shape = ExpositionShape.Problems(page, Latency, "histogram");
        var promtool = await PromtoolCheck.RunAsync(page);

        var message = FailureReport.Describe(
            $"expected {connections} more observations, +Inf bucket == _count, buckets never decreasing, _sum > 0, TYPE histogram",
            daemon,
            page,
            [Latency],
            $"_count {countBefore} -> {count}, _sum {sum}, +Inf bucket {infinity}",
            $"buckets: {string.Join(", ", buckets.Select(b => $"le={b.Le.ToString(CultureInfo.InvariantCulture)}:{b.Value.ToString(CultureInfo.InvariantCulture)}"))}",
            $"decreasing steps: {string.Join(", ", decreasing)}",
            $"shape problems: {string.Join("; ", shape)}",
            promtool.Report);
        Assert.True(count - countBefore >= connections, message);
        Assert.True(infinity is not null && infinity == count, message);
        Assert.True(buckets.Count >= 2 && decreasing.Count == 0, message);
        Assert.True(sum > 0, message);
        Assert.True(shape.Count == 0, message);
        Assert.True(promtool.Clean, message);
    }

    private static double UpperBound(string le) =>
        le == "+Inf" ? double.PositiveInfinity : double.Parse(le, NumberStyles.Float, CultureInfo.InvariantCulture);
}
