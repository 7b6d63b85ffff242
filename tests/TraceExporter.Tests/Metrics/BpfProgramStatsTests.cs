using TraceExporter.Metrics;

namespace TraceExporter.Tests.Metrics;

public class BpfProgramStatsTests
{
    private static string KernelFixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "kernel-6.18", name));

    [Fact]
    public void TryParseFdInfo_CapturedProgramFdInfo_ReadsIdRunTimeAndRunCount()
    {
        Assert.True(BpfProgramRun.TryParseFdInfo(KernelFixture("fdinfo-bpf-prog.txt"), out var run));
        Assert.Equal(new BpfProgramRun(1559, 88312, 64), run);
    }

    [Fact]
    public void TryParseFdInfo_CapturedMapFdInfo_IsNotAProgram()
    {
        Assert.False(BpfProgramRun.TryParseFdInfo(KernelFixture("fdinfo-bpf-map.txt"), out _));
    }

    [Fact]
    public void TryParseFdInfo_KernelWithoutRunStatistics_IsRejected()
    {
        Assert.False(BpfProgramRun.TryParseFdInfo("pos:\t0\nprog_type:\t5\nprog_id:\t7\n", out _));
    }

    [Fact]
    public void LabelsByAttachName_TracepointOfOneProbe_IsThatProbes_AndASharedOneJoinsTheProbesInOrder()
    {
        var labels = BpfProgramStats.LabelsByAttachName(
        [
            ("tcp_connects", "tracepoint:sock:inet_sock_set_state /args->protocol == 6 && args->newstate == 2/ {\n  @tcp_connects[1] = count();\n}"),
            ("tcp_accepts", "tracepoint:sock:inet_sock_set_state /args->protocol == 6/ {\n  @tcp_accepts[1] = count();\n}"),
            ("tcp_retransmits", "tracepoint:tcp:tcp_retransmit_skb {\n}\n\ntracepoint:tcp:tcp_retransmit_synack {\n}"),
            ("tcp_read_bytes", "kprobe:tcp_cleanup_rbuf /(int32)arg1 > 0/ {\n}"),
        ]);

        Assert.Equal("tcp_accepts+tcp_connects", labels["inet_sock_set_state"]);
        Assert.Equal("tcp_retransmits", labels["tcp_retransmit_skb"]);
        Assert.Equal("tcp_retransmits", labels["tcp_retransmit_synack"]);
        Assert.Equal("tcp_read_bytes", labels["tcp_cleanup_rbuf"]);
        Assert.Equal(4, labels.Count);
    }

    [Fact]
    public void LabelsByAttachName_RawTracepoints_AreNamedWithoutTheirModule()
    {
        var labels = BpfProgramStats.LabelsByAttachName(
        [
            ("skb_drops", "rawtracepoint:vmlinux:kfree_skb {\n  @skb_drops[(uint64)(uint32)arg2] = count();\n}"),
            ("process_execs", "rawtracepoint:sched_process_exec {\n}"),
        ]);

        Assert.Equal("skb_drops", labels["kfree_skb"]);
        Assert.Equal("process_execs", labels["sched_process_exec"]);
        Assert.Equal(2, labels.Count);
    }
}
