using TraceExporter.Kernel;

namespace TraceExporter.Tests.Kernel;

public sealed class DropReasonTableTests
{
    private static string FormatFile => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "kernel-6.18", "skb_kfree_skb.format"));

    [Fact]
    public void Names_come_from_the_tracepoint_format_of_the_kernel()
    {
        var table = DropReasonTable.FromFormatFile(FormatFile, "fixture")!;

        Assert.Equal("NOT_SPECIFIED", table.NameOf(2));
        Assert.Equal("TCP_CSUM", table.NameOf(10));
        Assert.Equal("NETFILTER_DROP", table.NameOf(12));
        Assert.True(table.Count > 100);
    }

    [Fact]
    public void An_unknown_number_keeps_its_number()
    {
        var table = DropReasonTable.FromFormatFile(FormatFile, "fixture")!;

        Assert.Equal("65537", table.NameOf(65537));
    }

    [Fact]
    public void Another_kernel_with_other_numbers_gets_its_own_names()
    {
        var table = DropReasonTable.FromFormatFile(
            "print fmt: \"reason: %s\", __print_symbolic(REC->reason, { 1, \"SKB_CONSUMED\" }, { 2, \"NOT_SPECIFIED\" }, { 0x10, \"TCP_CSUM\" })",
            "older kernel")!;

        Assert.Equal("TCP_CSUM", table.NameOf(16));
        Assert.Equal("10", table.NameOf(10));
    }

    [Fact]
    public void A_format_without_reasons_gives_no_table()
    {
        Assert.Null(DropReasonTable.FromFormatFile("print fmt: \"skbaddr=%p\", REC->skbaddr", "old kernel"));
    }
}
