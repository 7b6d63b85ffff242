using TraceExporter.Kernel;
using TraceExporter.Metrics;
using TraceExporter.Probes;

namespace TraceExporter.Tests.Probes;

public sealed class RawTracepointsTests
{
    [Fact]
    public void The_listing_gives_the_names_of_vmlinux_raw_tracepoints_and_nothing_else()
    {
        var names = RawTracepoints.Parse(
            "WARNING: Could not read functions from /sys/kernel/tracing/available_filter_functions.\n"
            + "rawtracepoint:vmlinux:inet_sock_set_state\nrawtracepoint:vmlinux:kfree_skb\r\nrawtracepoint:nf_tables:nft_trace\nrawtracepoint:vmlinux:\n");

        Assert.Equal(["inet_sock_set_state", "kfree_skb"], names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_anchor_is_a_well_formed_BTF_object_with_one_int_type()
    {
        var blob = BtfAnchor.Blob();

        Assert.Equal(45, blob.Length); // 24 header + 16 type + "\0int\0"
        Assert.Equal(0xEB9F, BitConverter.ToUInt16(blob, 0));
        _ = KernelBtf.Parse(blob); // our own reader takes it as BTF
        Assert.Equal("int", System.Text.Encoding.ASCII.GetString(blob, 41, 3));
    }

    [Fact]
    public void A_kernel_with_module_BTF_needs_no_anchor()
    {
        var directory = Directory.CreateTempSubdirectory("te-btf-");
        try
        {
            File.WriteAllBytes(Path.Combine(directory.FullName, "vmlinux"), []);
            Assert.False(BtfAnchor.HasModuleBtf(directory.FullName));

            File.WriteAllBytes(Path.Combine(directory.FullName, "nf_tables"), []);
            Assert.True(BtfAnchor.HasModuleBtf(directory.FullName));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("rawtracepoint:vmlinux:tcp_retransmit_skb, rawtracepoint:vmlinux:tcp_retransmit_synack", "rawtracepoint")]
    [InlineData("tracepoint:sock:sock_recv_length", "tracepoint")]
    [InlineData("kprobe:tcp_cleanup_rbuf, tracepoint:tcp:tcp_retransmit_skb", "kprobe, tracepoint")]
    [InlineData("", "")]
    public void The_attach_type_is_the_kind_of_each_attach_point(string attach, string type)
    {
        Assert.Equal(type, ProbeState.AttachTypes(attach));
    }
}
