using System.Text;
using TraceExporter.Configuration;
using TraceExporter.Kernel;
using TraceExporter.Metrics;

namespace TraceExporter.Tests.Metrics;

public sealed class KeyDecoderTests
{
    private static string[] Decode(string key, bool escapedTwice, params LabelConfig[] labels)
    {
        var decoder = new KeyDecoder(labels, DropReasonTable.FromFormatFile("__print_symbolic(REC->reason, { 10, \"TCP_CSUM\" })", "test"), escapedTwice);
        Assert.True(decoder.TryDecode(Encoding.UTF8.GetBytes(key), out var values), $"could not decode '{key}'");
        return values;
    }

    [Fact]
    public void A_two_key_map_whose_string_part_holds_commas_keeps_both_labels_exact()
    {
        Assert.Equal(["a,b, c", "7"], Decode("a,b, c,7", false, new("name", LabelKind.Text), new("port", LabelKind.Number)));
        Assert.Equal(["7", "x,y"], Decode("7,x,y", false, new("port", LabelKind.Number), new("name", LabelKind.Text)));
        Assert.Equal(["1", ",mid,", "2"], Decode("1,,mid,,2", false, new("a", LabelKind.Number), new("s", LabelKind.Text), new("b", LabelKind.Number)));
    }

    [Fact]
    public void Packed_names_and_drop_reasons_become_names()
    {
        Assert.Equal(["te_plain", "TCP_CSUM"], Decode("7955997335096354164,0,10", false, new("comm", LabelKind.PackedName), new("reason", LabelKind.DropReason)));
    }

    [Fact]
    public void Strings_escaped_twice_by_0_22_and_0_23_are_unescaped_once_more()
    {
        // As 0.23.2 printed @s["we,ird \"q\" \\ b"], after the JSON layer is undone.
        Assert.Equal(["we,ird \"q\" \\ b"], Decode("we,ird \\\"q\\\" \\\\ b", true, new LabelConfig("s", LabelKind.Text)));
        Assert.Equal(["café"], Decode("caf\\uffffffc3\\uffffffa9", true, new LabelConfig("s", LabelKind.Text)));
    }

    [Theory]
    [InlineData("32767", "32767")]
    [InlineData("32768", "ephemeral")]
    [InlineData("60999", "ephemeral")]
    [InlineData("61000", "61000")]
    [InlineData("22", "22")]
    public void Ports_of_the_hosts_ephemeral_range_read_ephemeral(string key, string expected)
    {
        var decoder = new KeyDecoder([new("port", LabelKind.Port)], null, false, new PortRange(32768, 60999));

        Assert.True(decoder.TryDecode(Encoding.UTF8.GetBytes(key), out var values));
        Assert.Equal([expected], values);
    }

    [Fact]
    public void A_port_label_without_a_known_ephemeral_range_keeps_every_number()
    {
        var decoder = new KeyDecoder([new("port", LabelKind.Port)], null, false, ephemeralPorts: null);

        Assert.True(decoder.TryDecode("40000"u8, out var values));
        Assert.Equal(["40000"], values);
    }

    [Theory]
    [InlineData("28524,0", "lo")]
    [InlineData("0,0", "unknown")]
    [InlineData("812151909,0", "eth0")]
    public void Interfaces_are_packed_device_names_and_no_device_reads_unknown(string key, string expected)
    {
        Assert.Equal([expected], Decode(key, false, new LabelConfig("interface", LabelKind.Interface)));
    }

    [Theory]
    [InlineData("x,7")]
    [InlineData("7")]
    [InlineData("7,8,9")]
    public void Keys_that_do_not_fit_the_labels_are_refused(string key)
    {
        var decoder = new KeyDecoder([new("a", LabelKind.Number), new("b", LabelKind.Number)], null, false);

        Assert.False(decoder.TryDecode(Encoding.UTF8.GetBytes(key), out _));
    }
}
