using System.Text;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.InfrastructureChecks;

/// <summary>The tools the kernel tests trust as ground truth, checked without the daemon.</summary>
public sealed class GroundTruthTests
{
    [SkippableFact]
    public async Task The_workload_renames_its_main_thread_to_the_raw_bytes_it_is_given()
    {
        KernelPrerequisites.Require();
        await using var ns = await NetworkNamespace.CreateAsync();
        byte[] name = [.. "a\"b,c\\d"u8, 0xC3, 0xA9, 0xFF, .. "xyz"u8];
        await using var server = await ServerProcess.StartAsync(ns, UniqueName.NamespacePort(), threadName: name);

        var comm = await File.ReadAllBytesAsync($"/proc/{server.ProcessId}/comm");

        Assert.Equal(Convert.ToHexString([.. name, (byte)'\n']), Convert.ToHexString(comm));
    }

    [SkippableFact]
    public async Task A_fresh_namespace_counts_no_retransmits_and_its_sockets_are_only_listeners()
    {
        KernelPrerequisites.Require();
        await using var ns = await NetworkNamespace.CreateAsync();
        var port = UniqueName.NamespacePort();
        await using var server = await ServerProcess.StartAsync(ns, port);

        Assert.Equal(0, await ns.ReadCounterAsync("TcpRetransSegs"));
        var sockets = await ns.ListTcpSocketsAsync();
        Assert.Single(sockets);
        Assert.StartsWith("LISTEN", sockets[0], StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task The_lossy_nft_rule_drops_and_counts_segments_and_the_namespace_counts_the_retransmits()
    {
        KernelPrerequisites.Require();
        await using var ns = await NetworkNamespace.CreateAsync();
        await ns.SetLoopbackMtuAsync(1500);
        await ns.SetSysctlAsync("net.ipv4.tcp_rto_max_ms", "1000");
        await ns.SetSysctlAsync("net.ipv4.tcp_retries2", "60");
        var port = UniqueName.NamespacePort();
        await using var server = await ServerProcess.StartAsync(ns, port);
        await using var table = await NftDropTable.LoadAsync(ns, port);

        var send = Workload.SendAsync(ns, null, port, 2_000_000, TimeSpan.FromMinutes(3));
        var connects = Workload.ConnectAsync(ns, Encoding.ASCII.GetBytes("tkcheck"), port, 3, TimeSpan.FromMinutes(3));
        await Task.WhenAny(Task.WhenAll(send, connects), Task.Delay(TimeSpan.FromSeconds(10)));
        var dropped = await table.StopAsync();
        await Task.WhenAll(send, connects).WaitAsync(TimeSpan.FromMinutes(2));
        var quiet = await Poll.UntilAsync(
            async () => (await ns.ListTcpSocketsAsync()).All(s => s.StartsWith("LISTEN", StringComparison.Ordinal) || s.StartsWith("TIME-WAIT", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(90));
        Assert.True(quiet, "sockets did not settle after the table was deleted");
        var retransmits = await ns.ReadCounterAsync("TcpRetransSegs");

        Assert.True(dropped > 0 && retransmits > 0, $"nft dropped {dropped}, TcpRetransSegs {retransmits}");
        // Deleting the table really removed the rules: nft no longer knows it.
        var listing = await ExternalTool.RunUncheckedAsync("ip", ["netns", "exec", ns.Name, "nft", "list", "table", "inet", table.Name]);
        Assert.NotEqual(0, listing.ExitCode);
    }
}
